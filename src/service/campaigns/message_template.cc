#include "service/campaigns/message_template.h"

#include <algorithm>
#include <ctime>

namespace fincrm {
namespace {

constexpr std::string_view kOpen = "{{", kClose = "}}";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Base64 in lines of 76 characters.
std::string WrappedBase64(std::string_view bytes) {
  std::string encoded = Base64(bytes), out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// Header values must not carry a line break (header injection).
std::string OneLine(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

std::string RfcDate(Timestamp at) {
  std::time_t seconds = static_cast<std::time_t>(at.seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

}  // namespace

const std::vector<std::string_view>& TemplateFieldNames() {
  static const std::vector<std::string_view> names = {"name",    "surname",  "customer_id", "branch_id",
                                                      "broker_id", "tier",   "tier_zh",     "assets_yuan",
                                                      "product_id", "link_url", "unsubscribe_url"};
  return names;
}

Status CheckTemplate(std::string_view text, std::string_view field) {
  size_t at = 0;
  while ((at = text.find(kOpen, at)) != std::string_view::npos) {
    size_t end = text.find(kClose, at + 2);
    if (end == std::string_view::npos) return InvalidArgument("a {{ placeholder is not closed", std::string(field));
    std::string_view name = text.substr(at + 2, end - at - 2);
    const auto& names = TemplateFieldNames();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string choices;
      for (std::string_view n : names) choices += (choices.empty() ? "" : ", ") + std::string(n);
      return InvalidArgument("no customer field fills {{" + std::string(name) + "}}: expected one of " + choices,
                             std::string(field));
    }
    at = end + 2;
  }
  return Status::Ok();
}

std::vector<std::string> TemplatePlaceholders(std::string_view text) {
  std::vector<std::string> names;
  size_t at = 0;
  while ((at = text.find(kOpen, at)) != std::string_view::npos) {
    size_t end = text.find(kClose, at + 2);
    if (end == std::string_view::npos) break;
    std::string name(text.substr(at + 2, end - at - 2));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
    at = end + 2;
  }
  return names;
}

std::string FillTemplate(std::string_view text, const std::map<std::string, std::string>& values, bool html) {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t open = text.find(kOpen, at);
    size_t close = open == std::string_view::npos ? open : text.find(kClose, open + 2);
    if (close == std::string_view::npos) {
      out += text.substr(at);
      return out;
    }
    out += text.substr(at, open - at);
    auto value = values.find(std::string(text.substr(open + 2, close - open - 2)));
    if (value != values.end()) out += html ? EscapeHtml(value->second) : value->second;
    at = close + 2;
  }
}

std::string Base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += i + 1 < bytes.size() ? kAlphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Utf8Prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string EncodeHeaderWords(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) return std::string(text);
  // 75 bytes a word: "=?UTF-8?B?" + "?=" leave 63 for base64, i.e. 45 bytes of text.
  constexpr size_t kChunk = 45;
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = std::min(text.size(), at + kChunk);
    // Back up to the start of a UTF-8 character (never split one between words).
    while (end < text.size() && end > at && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
    if (end == at) end = std::min(text.size(), at + kChunk);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

std::string ComposeEmail(const EmailContent& c) {
  std::string boundary = "=_fincrm_" + c.message_id;
  std::string m;
  m += "Date: " + RfcDate(c.date) + "\r\n";
  m += "From: " + OneLine(c.from) + "\r\n";
  m += "To: " + OneLine(c.to) + "\r\n";
  m += "Subject: " + EncodeHeaderWords(OneLine(c.subject)) + "\r\n";
  m += "Message-ID: <" + OneLine(c.message_id) + ">\r\n";
  if (!c.unsubscribe_url.empty()) {
    m += "List-Unsubscribe: <" + OneLine(c.unsubscribe_url) + ">\r\n";
    m += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  if (c.html.empty()) {
    m += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    m += WrappedBase64(c.text);
    return m;
  }
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += WrappedBase64(c.text);
  m += "--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += WrappedBase64(c.html);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace fincrm
