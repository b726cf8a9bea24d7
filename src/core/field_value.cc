#include "core/field_value.h"

#include <charconv>
#include <cstdlib>

namespace fincrm {
namespace {

// Identifiers and text must be valid UTF-8 without control characters other than
// tab and newline (notes may span lines).
Status CheckText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
        return InvalidArgument("contains a control character");
      }
      ++i;
      continue;
    }
    int length = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (length == 0 || c > 0xf4 || i + length > text.size()) {
      return InvalidArgument("is not valid UTF-8 (is the file GBK? try --encoding gbk)");
    }
    for (int k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) {
        return InvalidArgument("is not valid UTF-8 (is the file GBK? try --encoding gbk)");
      }
    }
    i += length;
  }
  return Status::Ok();
}

}  // namespace

Status ParseFieldValue(std::string_view text, std::string& out) {
  FINCRM_RETURN_IF_ERROR(CheckText(text));
  out.assign(text);
  return Status::Ok();
}

Status ParseFieldValue(std::string_view text, int64_t& out) {
  auto value = ParseInteger(text);
  if (!value.ok()) return value.status();
  out = *value;
  return Status::Ok();
}

Status ParseFieldValue(std::string_view text, double& out) {
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  if (copy.empty() || *end != '\0') return InvalidArgument("not a number: '" + copy + "'");
  return Status::Ok();
}

std::string FormatFieldValue(double value) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return std::string(text, ec == std::errc() ? end : text);
}

Status ParseFieldValue(std::string_view text, Money& out) {
  auto value = ParseScaledDecimal(text, 2);
  if (!value.ok()) return value.status();
  out.fen = *value;
  return Status::Ok();
}

Status ParseFieldValue(std::string_view text, PriceLi& out) {
  auto value = ParseScaledDecimal(text, 3);
  if (!value.ok()) return value.status();
  out.li = *value;
  return Status::Ok();
}

Status ParseFieldValue(std::string_view text, Date& out) {
  auto value = ParseDate(text);
  if (!value.ok()) return value.status();
  out = *value;
  return Status::Ok();
}

Status ParseFieldValue(std::string_view text, Timestamp& out) {
  auto value = ParseTimestamp(text);
  if (!value.ok()) return value.status();
  out = *value;
  return Status::Ok();
}

}  // namespace fincrm
