#include "ingest/csv/text_encoding.h"

#include <cerrno>

#include "core/enums.h"

namespace fincrm {
namespace {

Status Convert(iconv_t handle, std::string_view input, std::string& out, const char* what) {
  iconv(handle, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  char* in = const_cast<char*>(input.data());
  size_t in_left = input.size();
  while (in_left > 0) {
    char buffer[1024];
    char* dst = buffer;
    size_t dst_left = sizeof buffer;
    size_t rc = iconv(handle, &in, &in_left, &dst, &dst_left);
    out.append(buffer, dst - buffer);
    if (rc == static_cast<size_t>(-1) && errno != E2BIG) {
      return InvalidArgument(std::string("is not valid ") + what);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<TextEncoding> ParseTextEncoding(std::string_view name) {
  if (EqualsIgnoreAsciiCase(name, "auto")) return TextEncoding::kAuto;
  if (EqualsIgnoreAsciiCase(name, "utf-8") || EqualsIgnoreAsciiCase(name, "utf8")) {
    return TextEncoding::kUtf8;
  }
  if (EqualsIgnoreAsciiCase(name, "gbk") || EqualsIgnoreAsciiCase(name, "gb18030") ||
      EqualsIgnoreAsciiCase(name, "gb2312") || EqualsIgnoreAsciiCase(name, "cp936")) {
    return TextEncoding::kGbk;
  }
  return InvalidArgument("unknown encoding '" + std::string(name) + "', expected auto, utf-8 or gbk",
                         "encoding");
}

std::string_view TextEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kAuto: return "auto";
    case TextEncoding::kUtf8: return "UTF-8";
    case TextEncoding::kGbk: return "GBK";
  }
  return "?";
}

bool IsValidUtf8(std::string_view text, bool allow_truncated_tail) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length == 0) return false;
    if (i + length > text.size()) return allow_truncated_tail;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

Result<TextEncoding> DetectTextEncoding(std::string_view head, size_t& bom_length) {
  bom_length = 0;
  if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF") {
    bom_length = 3;
    return TextEncoding::kUtf8;
  }
  if (head.size() >= 2 && (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF")) {
    return InvalidArgument("the file is UTF-16; save it as UTF-8 or GBK", "encoding");
  }
  return IsValidUtf8(head, /*allow_truncated_tail=*/true) ? TextEncoding::kUtf8 : TextEncoding::kGbk;
}

GbkDecoder::GbkDecoder() : handle_(iconv_open("UTF-8", "GB18030")) {}
GbkDecoder::~GbkDecoder() {
  if (handle_ != reinterpret_cast<iconv_t>(-1)) iconv_close(handle_);
}

Status GbkDecoder::Decode(std::string_view gbk, std::string& out) {
  if (handle_ == reinterpret_cast<iconv_t>(-1)) return Internal("iconv has no GB18030 decoder");
  return Convert(handle_, gbk, out, "GBK text");
}

GbkEncoder::GbkEncoder() : handle_(iconv_open("GB18030", "UTF-8")) {}
GbkEncoder::~GbkEncoder() {
  if (handle_ != reinterpret_cast<iconv_t>(-1)) iconv_close(handle_);
}

Status GbkEncoder::Encode(std::string_view utf8, std::string& out) {
  if (handle_ == reinterpret_cast<iconv_t>(-1)) return Internal("iconv has no GB18030 encoder");
  return Convert(handle_, utf8, out, "UTF-8 text");
}

}  // namespace fincrm
