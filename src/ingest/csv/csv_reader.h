// A streaming RFC 4180 CSV reader with recovery from broken quoting.
//
// Reads records of any size in constant memory from a ByteSource: commas, quotes
// and newlines inside quoted fields, "" escapes, CRLF or LF line ends, a UTF-8 BOM
// and GBK text (converted to UTF-8 field by field; GBK trail bytes never collide
// with ',', '"', CR or LF, so the structure can be parsed on the raw bytes).
//
// A record with a defect is still returned, with `error` set, so that the caller can
// report it and go on. An opening quote that is never closed would swallow the rest
// of the file; when a quoted field spans lines and the record then turns out broken
// (end of file inside the quotes, text after a closing quote, or the wrong number of
// fields), the reader reports the record as an unterminated quote at its first line
// and resumes at the following line, so no good row after it is lost.
//
// Not thread-safe; one reader per source.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/csv/text_encoding.h"

namespace fincrm {

// Random-access bytes: a file (pread) or memory. Seeking back is what makes
// recovery from a broken quote possible without holding the file in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Copies up to `size` bytes at `offset` into `buffer`; returns the count (0 at end).
  virtual Result<size_t> ReadAt(uint64_t offset, char* buffer, size_t size) = 0;
  virtual uint64_t Size() const = 0;
};

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);
std::unique_ptr<ByteSource> MemorySource(std::string data);

struct CsvRecord {
  int64_t line = 0;  // physical line the record starts on, 1-based
  // Valid until the next Next(). For a record broken by an unterminated quote, the
  // one field is the raw text of its first line, so that it can be reported.
  std::vector<std::string_view> fields;
  Status error;  // set when the record is malformed
  bool is_raw_line = false;  // fields[0] is the unparsed first line (broken quote)
};

class CsvReader {
 public:
  // Detects (kAuto) or forces the encoding; skips a UTF-8 BOM.
  static Result<std::unique_ptr<CsvReader>> Create(std::unique_ptr<ByteSource> source,
                                                   TextEncoding encoding);

  // Sets the field count a well-formed record has (usually the header's), which
  // enables the broken-quote recovery described above. 0 disables the check.
  void set_expected_fields(size_t count) { expected_fields_ = count; }

  // Reads the next record; false at end of input. Blank lines are skipped.
  bool Next(CsvRecord& record);

  TextEncoding encoding() const { return encoding_; }
  uint64_t bytes_consumed() const { return position_; }
  uint64_t size() const { return source_->Size(); }

 private:
  CsvReader(std::unique_ptr<ByteSource> source, TextEncoding encoding, uint64_t start);

  // Ensures at least one unread byte is buffered; false at end of input.
  bool Fill();
  int Peek();  // next byte or -1
  void Advance() { ++cursor_; }
  // Parses one record from the current position into raw_ and field_ends_.
  void ParseRecord(CsvRecord& record, bool& spanned_lines, uint64_t& after_first_line);
  void SeekTo(uint64_t offset);
  Status DecodeFields(CsvRecord& record);
  void ReadBrokenLine(uint64_t begin, uint64_t end);

  std::unique_ptr<ByteSource> source_;
  TextEncoding encoding_;
  std::unique_ptr<GbkDecoder> gbk_;
  std::string buffer_;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  size_t cursor_ = 0;           // index into buffer_
  size_t buffer_fill_ = 0;
  uint64_t position_ = 0;       // file offset of the next unread byte (for progress)
  int64_t line_ = 1;
  size_t expected_fields_ = 0;
  std::string raw_;                 // field bytes of the current record, back to back
  std::vector<size_t> field_ends_;  // end offset in raw_ of each field
  std::string decoded_;             // UTF-8 copy of raw_ for GBK input
  std::string broken_line_;         // the first line of a record with a broken quote
};

}  // namespace fincrm
