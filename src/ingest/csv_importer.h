// Imports one CSV file of one entity kind into a Store.
//
// Streams the file in constant memory. Each row is decoded, validated and checked
// against the rows it refers to; good rows are upserted by natural key (so importing
// the same file twice changes nothing), bad rows go to a rejects CSV with their line
// number, field and reason. Decoding runs on one thread and database writes on
// another, handing over batches through a bounded queue. Rows are committed in
// batches; a failure to commit (disk full) stops the import with an error and the
// summary counts only what was committed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/entity_fields.h"
#include "ingest/csv/text_encoding.h"
#include "storage/store.h"

namespace fincrm {

struct ImportProgress {
  int64_t rows = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;
  double seconds = 0;
};

struct ImportOptions {
  TextEncoding encoding = TextEncoding::kAuto;
  // Where rejected rows go; empty means "<file>.rejects.csv" beside the input.
  std::string rejects_path;
  int64_t rows_per_commit = 200000;
  // Called from the writing thread about every 50,000 rows.
  std::function<void(const ImportProgress&)> on_progress;
};

struct ImportSummary {
  EntityKind kind{};
  TextEncoding encoding{};
  int64_t rows_read = 0;
  int64_t rows_stored = 0;     // inserted or changed
  int64_t rows_unchanged = 0;  // identical to what was stored
  int64_t rows_rejected = 0;
  std::vector<std::string> ignored_columns;
  std::string rejects_path;  // empty when nothing was rejected
  double seconds = 0;
};

// Errors that stop the whole import (nothing is written): Unavailable when the file
// cannot be read, InvalidArgument when the header lacks a required column or the
// file is empty. Row errors do not fail the import; they are counted and reported.
Result<ImportSummary> ImportCsv(Store& store, EntityKind kind, const std::string& path,
                                const ImportOptions& options);

}  // namespace fincrm
