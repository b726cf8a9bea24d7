#include "ingest/csv_importer.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "ingest/batch_queue.h"
#include "ingest/csv/csv_reader.h"
#include "ingest/csv/csv_writer.h"
#include "ingest/csv/row_decoder.h"
#include "ingest/csv/row_encoder.h"
#include "ingest/reference_index.h"

namespace fincrm {
namespace {

constexpr size_t kBatchRows = 4096;
constexpr size_t kQueuedBatches = 8;

template <class T>
struct DecodedRow {
  int64_t line = 0;
  T row;
  Status error;          // set for rows rejected while decoding
  std::string original;  // the record as CSV, kept only for rejected rows
};

template <class T>
struct Batch {
  std::vector<DecodedRow<T>> rows;
  uint64_t bytes_read = 0;
};

std::string RecordAsCsv(const std::vector<std::string_view>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    AppendCsvField(fields[i], out);
  }
  return out;
}

template <class T>
std::string EntityAsCsv(const T& row) {
  std::vector<std::string> cells = EncodeRow(row);
  return RecordAsCsv(std::vector<std::string_view>(cells.begin(), cells.end()));
}

// Opens the rejects file on the first rejected row, so a clean import leaves none.
class RejectsFile {
 public:
  explicit RejectsFile(std::string path) : path_(std::move(path)) {}
  Status Add(int64_t line, const Status& error, const std::string& original) {
    if (!writer_) {
      auto opened = CsvWriter::Open(path_);
      if (!opened.ok()) return opened.status();
      writer_ = std::move(*opened);
      for (const char* header : {"line", "field", "reason", "record"}) writer_->Field(header);
      writer_->EndRow();
    }
    writer_->Field(std::to_string(line));
    writer_->Field(error.field());
    writer_->Field(error.message());
    writer_->Field(original);
    writer_->EndRow();
    return Status::Ok();
  }
  Status Close() { return writer_ ? writer_->Close() : Status::Ok(); }
  bool used() const { return writer_ != nullptr; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<CsvWriter> writer_;
};

template <class T>
Result<ImportSummary> ImportKind(Store& store, const std::string& path,
                                 const ImportOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto source = OpenFileSource(path);
  if (!source.ok()) return source.status();
  auto reader_or = CsvReader::Create(std::move(*source), options.encoding);
  if (!reader_or.ok()) return reader_or.status();
  CsvReader& reader = **reader_or;

  CsvRecord header;
  if (!reader.Next(header)) return InvalidArgument(path + " is empty: expected a header line");
  if (!header.error.ok()) {
    return InvalidArgument(path + " line " + std::to_string(header.line) +
                           ": cannot read the header: " + header.error.message());
  }
  auto decoder_or = RowDecoder<T>::FromHeader(header.fields);
  if (!decoder_or.ok()) {
    return InvalidArgument(path + " line " + std::to_string(header.line) + ": " +
                               decoder_or.status().message(),
                           decoder_or.status().field());
  }
  const RowDecoder<T>& decoder = *decoder_or;
  reader.set_expected_fields(header.fields.size());

  auto references_or = ReferenceIndex::LoadFor(store, EntityInfo<T>::kKind);
  if (!references_or.ok()) return references_or.status();
  const ReferenceIndex& references = *references_or;

  ImportSummary summary;
  summary.kind = EntityInfo<T>::kKind;
  summary.encoding = reader.encoding();
  summary.ignored_columns = decoder.ignored_columns();
  RejectsFile rejects(options.rejects_path.empty() ? path + ".rejects.csv" : options.rejects_path);

  // Decoding thread: parse, validate and check references; hand batches over.
  BatchQueue<Batch<T>> queue(kQueuedBatches);
  std::thread decoding([&] {
    CsvRecord record;
    Batch<T> batch;
    batch.rows.reserve(kBatchRows);
    while (reader.Next(record)) {
      DecodedRow<T>& item = batch.rows.emplace_back();
      item.line = record.line;
      item.error = record.error;
      if (item.error.ok()) item.error = decoder.Decode(record.fields, item.row);
      if (item.error.ok()) item.error = references.Check(item.row);
      if (!item.error.ok()) {
        item.original = record.is_raw_line ? std::string(record.fields[0]) : RecordAsCsv(record.fields);
      }
      if (batch.rows.size() == kBatchRows) {
        batch.bytes_read = reader.bytes_consumed();
        if (!queue.Push(std::move(batch))) return;
        batch = Batch<T>();
        batch.rows.reserve(kBatchRows);
      }
    }
    batch.bytes_read = reader.bytes_consumed();
    if (!batch.rows.empty()) queue.Push(std::move(batch));
    queue.Close();
  });

  // This thread: write in transactions of rows_per_commit rows.
  Status failure;
  std::unique_ptr<StoreWriter> writer;
  int64_t in_transaction = 0, pending_stored = 0, pending_unchanged = 0;
  int64_t next_progress = 50000;
  auto commit = [&]() -> Status {
    if (!writer) return Status::Ok();
    Status status = writer->Commit();
    writer.reset();
    if (!status.ok()) return status;
    summary.rows_stored += pending_stored;
    summary.rows_unchanged += pending_unchanged;
    pending_stored = pending_unchanged = in_transaction = 0;
    return Status::Ok();
  };
  std::vector<T> good;
  std::vector<StoreWriter::PutResult> results;
  while (auto batch = queue.Pop()) {
    good.clear();
    for (DecodedRow<T>& item : batch->rows) {
      if (item.error.ok()) good.push_back(std::move(item.row));
    }
    if (!good.empty()) {
      if (!writer) {
        auto begun = store.BeginWrite(/*references_verified=*/true);
        if (!begun.ok()) {
          failure = begun.status();
          queue.Cancel();
          break;
        }
        writer = std::move(*begun);
      }
      results.assign(good.size(), {});
      failure = writer->PutBatch(std::span<const T>(good), results);
    }
    size_t next_good = 0;
    for (DecodedRow<T>& item : batch->rows) {
      if (!failure.ok()) break;
      ++summary.rows_read;
      if (item.error.ok()) {
        const StoreWriter::PutResult& result = results[next_good];
        const T& row = good[next_good++];
        if (result.error.ok()) {
          ++(result.changed ? pending_stored : pending_unchanged);
          ++in_transaction;
          continue;
        }
        // The row passed our checks but not the database's: report what it said.
        item.error = result.error;
        item.original = EntityAsCsv(row);
      }
      ++summary.rows_rejected;
      failure = rejects.Add(item.line, item.error, item.original);
    }
    if (failure.ok() && in_transaction >= options.rows_per_commit) failure = commit();
    if (options.on_progress && summary.rows_read >= next_progress) {
      next_progress = summary.rows_read + 50000;
      options.on_progress({summary.rows_read, batch->bytes_read, reader.size(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                               .count()});
    }
    if (!failure.ok()) {
      queue.Cancel();  // wakes the decoder, which then stops
      break;
    }
  }
  decoding.join();
  if (failure.ok()) failure = commit();
  writer.reset();  // rolls back an unfinished transaction
  Status closed = rejects.Close();
  if (failure.ok()) failure = closed;
  if (!failure.ok()) {
    return Status(failure.code(), path + ": import stopped after " +
                                      std::to_string(summary.rows_stored + summary.rows_unchanged) +
                                      " committed rows: " + failure.message());
  }
  if (rejects.used()) summary.rejects_path = rejects.path();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace

Result<ImportSummary> ImportCsv(Store& store, EntityKind kind, const std::string& path,
                                const ImportOptions& options) {
  return VisitEntityKind(kind, [&]<class T>() -> Result<ImportSummary> {
    if constexpr (kImportable<T>) {
      return ImportKind<T>(store, path, options);
    } else {
      return InvalidArgument(std::string(EntityInfo<T>::kName) +
                                 " are computed by `fincrm analyze`, not imported",
                             "KIND");
    }
  });
}

}  // namespace fincrm
