// Text encodings of incoming files: UTF-8 (with or without BOM) and GBK.
//
// Chinese brokerage systems still export GBK; FinCRM stores UTF-8. Decoding uses
// glibc's iconv with GB18030, a superset of GBK, so every GBK file decodes. A
// TextDecoder is not thread-safe: use one per reader.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace fincrm {

enum class TextEncoding { kAuto, kUtf8, kGbk };

Result<TextEncoding> ParseTextEncoding(std::string_view name);  // "auto", "utf-8", "gbk"...
std::string_view TextEncodingName(TextEncoding encoding);

bool IsValidUtf8(std::string_view text, bool allow_truncated_tail = false);

// Guesses the encoding of a file from its first bytes: UTF-8 when they are valid
// UTF-8, GBK otherwise. `bom_length` is set to 3 when a UTF-8 BOM is present.
// Fails with InvalidArgument for UTF-16/32 files, which FinCRM does not read.
Result<TextEncoding> DetectTextEncoding(std::string_view head, size_t& bom_length);

class GbkDecoder {
 public:
  GbkDecoder();
  ~GbkDecoder();
  GbkDecoder(const GbkDecoder&) = delete;
  GbkDecoder& operator=(const GbkDecoder&) = delete;

  // Appends the UTF-8 form of `gbk` to `out`. InvalidArgument on a byte sequence
  // that is not GBK/GB18030.
  Status Decode(std::string_view gbk, std::string& out);

 private:
  iconv_t handle_;
};

class GbkEncoder {
 public:
  GbkEncoder();
  ~GbkEncoder();
  GbkEncoder(const GbkEncoder&) = delete;
  GbkEncoder& operator=(const GbkEncoder&) = delete;

  // Appends the GB18030 form of UTF-8 `utf8` to `out`.
  Status Encode(std::string_view utf8, std::string& out);

 private:
  iconv_t handle_;
};

}  // namespace fincrm
