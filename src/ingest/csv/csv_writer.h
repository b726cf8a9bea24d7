// Writes RFC 4180 CSV: fields quoted only when they hold a comma, quote, CR or LF,
// or leading/trailing spaces; LF line ends; UTF-8 (optionally with a BOM for Excel)
// or GBK; cells that a spreadsheet would run as formulas neutralised
// (NeutraliseFormula). Buffered; not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/csv/text_encoding.h"

namespace fincrm {

class CsvWriter {
 public:
  // Creates or truncates `path`.
  static Result<std::unique_ptr<CsvWriter>> Open(const std::string& path,
                                                 TextEncoding encoding = TextEncoding::kUtf8,
                                                 bool utf8_bom = false);
  ~CsvWriter();

  void Field(std::string_view value);
  void EndRow();
  // Flushes and closes; Unavailable when the disk refused a write.
  Status Close();

 private:
  CsvWriter(std::FILE* file, TextEncoding encoding);

  std::FILE* file_;
  TextEncoding encoding_;
  std::unique_ptr<GbkEncoder> gbk_;
  std::string row_;
  std::string scratch_;
  std::string neutralised_;
  bool first_in_row_ = true;
  bool failed_ = false;
};

// Appends `value` to `out` as one CSV field, quoted when it needs to be.
void AppendCsvField(std::string_view value, std::string& out);


}  // namespace fincrm
