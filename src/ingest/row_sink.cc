#include "ingest/row_sink.h"

#include <filesystem>

#include "ingest/csv/csv_writer.h"
#include "ingest/csv/row_encoder.h"

namespace fincrm {
namespace {

// Routes every typed Put to Derived::Write<T>, so a sink is written once as a template.
template <class Derived>
class TypedRowSink : public RowSink {
 public:
  Status Put(const Branch& row) override { return Self().Write(row); }
  Status Put(const Staff& row) override { return Self().Write(row); }
  Status Put(const Product& row) override { return Self().Write(row); }
  Status Put(const Customer& row) override { return Self().Write(row); }
  Status Put(const HouseholdMember& row) override { return Self().Write(row); }
  Status Put(const Account& row) override { return Self().Write(row); }
  Status Put(const AssetSnapshot& row) override { return Self().Write(row); }
  Status Put(const Trade& row) override { return Self().Write(row); }
  Status Put(const Interaction& row) override { return Self().Write(row); }

 private:
  Derived& Self() { return static_cast<Derived&>(*this); }
};

class StoreRowSink final : public TypedRowSink<StoreRowSink> {
 public:
  StoreRowSink(Store& store, int64_t rows_per_commit)
      : store_(store), rows_per_commit_(rows_per_commit) {}

  Status Finish() override {
    if (!writer_) return Status::Ok();
    Status status = writer_->Commit();
    writer_.reset();
    return status;
  }

 private:
  friend class TypedRowSink<StoreRowSink>;
  template <class T>
  Status Write(const T& row) {
    if (!writer_) {
      auto begun = store_.BeginWrite();
      if (!begun.ok()) return begun.status();
      writer_ = std::move(*begun);
    }
    auto put = writer_->Put(row);
    if (!put.ok()) {
      return Status(put.status().code(),
                    std::string(EntityInfo<T>::kName) + ": " + put.status().message());
    }
    if (++in_transaction_ >= rows_per_commit_) {
      in_transaction_ = 0;
      return Finish();
    }
    return Status::Ok();
  }

  Store& store_;
  int64_t rows_per_commit_;
  int64_t in_transaction_ = 0;
  std::unique_ptr<StoreWriter> writer_;
};

class CsvFolderRowSink final : public TypedRowSink<CsvFolderRowSink> {
 public:
  explicit CsvFolderRowSink(std::string directory) : directory_(std::move(directory)) {}

  Status Finish() override {
    Status result;
    for (auto& writer : writers_) {
      if (!writer) continue;
      Status status = writer->Close();
      if (result.ok()) result = status;
    }
    return result;
  }

 private:
  friend class TypedRowSink<CsvFolderRowSink>;
  template <class T>
  Status Write(const T& row) {
    std::unique_ptr<CsvWriter>& writer = writers_[static_cast<int>(EntityInfo<T>::kKind)];
    if (!writer) {
      auto opened =
          CsvWriter::Open(directory_ + "/" + std::string(EntityInfo<T>::kName) + ".csv");
      if (!opened.ok()) return opened.status();
      writer = std::move(*opened);
      for (const std::string& cell : HeaderRow<T>(false)) writer->Field(cell);
      writer->EndRow();
    }
    for (const std::string& cell : EncodeRow(row)) writer->Field(cell);
    writer->EndRow();
    return Status::Ok();
  }

  std::string directory_;
  std::unique_ptr<CsvWriter> writers_[16];
};

}  // namespace

std::unique_ptr<RowSink> StoreSink(Store& store, int64_t rows_per_commit) {
  return std::make_unique<StoreRowSink>(store, rows_per_commit);
}

Result<std::unique_ptr<RowSink>> CsvFolderSink(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return Unavailable("cannot create folder " + directory + ": " + error.message());
  return std::unique_ptr<RowSink>(std::make_unique<CsvFolderRowSink>(directory));
}

}  // namespace fincrm
