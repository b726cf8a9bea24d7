#include "ingest/csv/csv_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fincrm {
namespace {

constexpr size_t kBufferSize = 1 << 20;
// A quoted field longer than this is taken for a broken quote, not for data.
constexpr size_t kMaxFieldBytes = 1 << 20;

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  Result<size_t> ReadAt(uint64_t offset, char* buffer, size_t size) override {
    for (;;) {
      ssize_t n = ::pread(fd_, buffer, size, static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Unavailable(std::string("read failed: ") + std::strerror(errno));
    }
  }
  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  uint64_t size_;
};

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buffer, size_t size) override {
    if (offset >= data_.size()) return size_t{0};
    size_t n = std::min<size_t>(size, data_.size() - offset);
    std::memcpy(buffer, data_.data() + offset, n);
    return n;
  }
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string data_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Unavailable(path + " is not a regular file");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(fd, info.st_size));
}

std::unique_ptr<ByteSource> MemorySource(std::string data) {
  return std::make_unique<StringSource>(std::move(data));
}

Result<std::unique_ptr<CsvReader>> CsvReader::Create(std::unique_ptr<ByteSource> source,
                                                     TextEncoding encoding) {
  char head[65536];
  auto n = source->ReadAt(0, head, sizeof head);
  if (!n.ok()) return n.status();
  size_t bom = 0;
  auto detected = DetectTextEncoding(std::string_view(head, *n), bom);
  if (!detected.ok()) return detected.status();
  if (encoding == TextEncoding::kAuto) encoding = *detected;
  if (encoding == TextEncoding::kGbk) bom = 0;
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(source), encoding, bom));
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, TextEncoding encoding, uint64_t start)
    : source_(std::move(source)), encoding_(encoding) {
  if (encoding_ == TextEncoding::kGbk) gbk_ = std::make_unique<GbkDecoder>();
  buffer_.resize(static_cast<size_t>(std::clamp<uint64_t>(source_->Size(), 4096, kBufferSize)));
  SeekTo(start);
}

void CsvReader::SeekTo(uint64_t offset) {
  buffer_offset_ = offset;
  cursor_ = 0;
  buffer_fill_ = 0;
  position_ = offset;
}

bool CsvReader::Fill() {
  if (cursor_ < buffer_fill_) return true;
  buffer_offset_ += buffer_fill_;
  cursor_ = 0;
  buffer_fill_ = 0;
  auto n = source_->ReadAt(buffer_offset_, buffer_.data(), buffer_.size());
  if (!n.ok() || *n == 0) return false;
  buffer_fill_ = *n;
  return true;
}

int CsvReader::Peek() {
  if (cursor_ >= buffer_fill_ && !Fill()) return -1;
  return static_cast<unsigned char>(buffer_[cursor_]);
}

void CsvReader::ParseRecord(CsvRecord& record, bool& spanned_lines, uint64_t& after_first_line) {
  raw_.clear();
  field_ends_.clear();
  spanned_lines = false;
  for (;;) {  // one field per iteration
    int c = Peek();
    if (c == '"') {
      Advance();
      size_t field_start = raw_.size();
      bool closed = false;
      for (;;) {
        if (cursor_ >= buffer_fill_ && !Fill()) break;  // end of input inside quotes
        // Copy the run up to the next quote in one go.
        const char* begin = buffer_.data() + cursor_;
        const char* end = buffer_.data() + buffer_fill_;
        const char* quote = static_cast<const char*>(std::memchr(begin, '"', end - begin));
        const char* stop = quote ? quote : end;
        for (const char* p = begin; p < stop; ++p) {
          if (*p == '\n') {
            if (!spanned_lines) {
              spanned_lines = true;
              after_first_line = buffer_offset_ + (p - buffer_.data()) + 1;
            }
            ++line_;
          }
        }
        raw_.append(begin, stop);
        cursor_ += stop - begin;
        if (raw_.size() - field_start > kMaxFieldBytes) break;
        if (!quote) continue;
        Advance();  // the quote
        if (Peek() == '"') {
          raw_.push_back('"');
          Advance();
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) {
        record.error = InvalidArgument("unterminated quoted field");
        field_ends_.push_back(raw_.size());
        return;
      }
      c = Peek();
      if (c != ',' && c != '\n' && c != '\r' && c != -1) {
        record.error = InvalidArgument("unexpected text after a closing quote");
        // Skip the rest of the physical line.
        while ((c = Peek()) != -1 && c != '\n') Advance();
      }
    } else {
      // Unquoted field: up to the next comma or line end. A stray quote inside is data.
      for (;;) {
        if (cursor_ >= buffer_fill_ && !Fill()) break;
        const char* begin = buffer_.data() + cursor_;
        const char* end = buffer_.data() + buffer_fill_;
        const char* p = begin;
        while (p < end && *p != ',' && *p != '\n' && *p != '\r') ++p;
        raw_.append(begin, p);
        cursor_ += p - begin;
        if (p < end) break;
      }
    }
    field_ends_.push_back(raw_.size());
    c = Peek();
    if (c == ',') {
      Advance();
      continue;
    }
    if (c == '\r') {
      Advance();
      if (Peek() == '\n') Advance();
      ++line_;
    } else if (c == '\n') {
      Advance();
      ++line_;
    }
    return;  // end of line or of input
  }
}

bool CsvReader::Next(CsvRecord& record) {
  for (;;) {
    // Skip blank lines.
    int c;
    while ((c = Peek()) == '\n' || c == '\r') {
      Advance();
      if (c == '\n') ++line_;
      else if (Peek() != '\n') ++line_;
    }
    if (c == -1) {
      position_ = buffer_offset_ + cursor_;
      return false;
    }
    record.line = line_;
    record.error = Status::Ok();
    record.is_raw_line = false;
    uint64_t record_start = buffer_offset_ + cursor_;
    bool spanned_lines = false;
    uint64_t after_first_line = 0;
    ParseRecord(record, spanned_lines, after_first_line);
    bool wrong_count = expected_fields_ != 0 && field_ends_.size() != expected_fields_;
    if (spanned_lines && (!record.error.ok() || wrong_count)) {
      // A quote opened on this line and never closed where it should have: report
      // the line and resume right after it.
      record.error = InvalidArgument("unterminated quoted field (an opening \" without its closing \")");
      SeekTo(after_first_line);
      line_ = record.line + 1;
      ReadBrokenLine(record_start, after_first_line);
      record.fields.assign(1, broken_line_);
      record.is_raw_line = true;
      return true;
    }
    position_ = buffer_offset_ + cursor_;
    if (record.error.ok() && wrong_count) {
      record.error = InvalidArgument("has " + std::to_string(field_ends_.size()) +
                                     " fields, the header has " + std::to_string(expected_fields_));
    }
    if (record.error.ok() && encoding_ == TextEncoding::kGbk) {
      record.error = DecodeFields(record);
      if (record.error.ok()) return true;
    }
    record.fields.resize(field_ends_.size());
    size_t start = 0;
    for (size_t i = 0; i < field_ends_.size(); ++i) {
      record.fields[i] = std::string_view(raw_).substr(start, field_ends_[i] - start);
      start = field_ends_[i];
    }
    return true;
  }
}

void CsvReader::ReadBrokenLine(uint64_t begin, uint64_t end) {
  size_t length = static_cast<size_t>(std::min<uint64_t>(end - begin, kMaxFieldBytes));
  std::string raw(length, '\0');
  auto n = source_->ReadAt(begin, raw.data(), length);
  raw.resize(n.ok() ? *n : 0);
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
  broken_line_.clear();
  if (encoding_ != TextEncoding::kGbk || !gbk_->Decode(raw, broken_line_).ok()) broken_line_ = raw;
}

Status CsvReader::DecodeFields(CsvRecord& record) {
  decoded_.clear();
  std::vector<size_t> ends;
  ends.reserve(field_ends_.size());
  size_t start = 0;
  for (size_t i = 0; i < field_ends_.size(); ++i) {
    std::string_view field = std::string_view(raw_).substr(start, field_ends_[i] - start);
    start = field_ends_[i];
    bool ascii = true;
    for (char ch : field) {
      if (static_cast<unsigned char>(ch) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      decoded_.append(field);
    } else {
      Status status = gbk_->Decode(field, decoded_);
      if (!status.ok()) {
        return InvalidArgument("field " + std::to_string(i + 1) + " is not valid GBK text");
      }
    }
    ends.push_back(decoded_.size());
  }
  record.fields.resize(ends.size());
  start = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    record.fields[i] = std::string_view(decoded_).substr(start, ends[i] - start);
    start = ends[i];
  }
  return Status::Ok();
}

}  // namespace fincrm
