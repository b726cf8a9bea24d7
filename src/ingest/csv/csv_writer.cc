#include "ingest/csv/csv_writer.h"

#include "ingest/csv/spreadsheet_text.h"

#include <cerrno>
#include <cstring>

namespace fincrm {

void AppendCsvField(std::string_view value, std::string& out) {
  bool quote = !value.empty() && (value.front() == ' ' || value.back() == ' ');
  for (char c : value) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

Result<std::unique_ptr<CsvWriter>> CsvWriter::Open(const std::string& path, TextEncoding encoding,
                                                   bool utf8_bom) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Unavailable("cannot create " + path + ": " + std::strerror(errno));
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  if (utf8_bom && encoding != TextEncoding::kGbk) std::fputs("\xEF\xBB\xBF", file);
  return std::unique_ptr<CsvWriter>(new CsvWriter(file, encoding));
}

CsvWriter::CsvWriter(std::FILE* file, TextEncoding encoding) : file_(file), encoding_(encoding) {
  if (encoding_ == TextEncoding::kGbk) gbk_ = std::make_unique<GbkEncoder>();
}

CsvWriter::~CsvWriter() {
  if (file_) std::fclose(file_);
}

void CsvWriter::Field(std::string_view value) {
  if (!first_in_row_) row_.push_back(',');
  first_in_row_ = false;
  AppendCsvField(NeutraliseFormula(value, neutralised_), row_);
}

void CsvWriter::EndRow() {
  row_.push_back('\n');
  first_in_row_ = true;
  std::string_view bytes = row_;
  if (gbk_) {
    scratch_.clear();
    if (!gbk_->Encode(row_, scratch_).ok()) failed_ = true;
    bytes = scratch_;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
  row_.clear();
}

Status CsvWriter::Close() {
  if (!file_) return Status::Ok();
  bool flush_failed = std::fflush(file_) != 0;
  bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed_ || flush_failed || close_failed) return Unavailable("writing the CSV file failed");
  return Status::Ok();
}

}  // namespace fincrm
