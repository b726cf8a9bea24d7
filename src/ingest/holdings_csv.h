// The holdings snapshot's import format (docs/import-formats.md#holdings): a CSV file,
// UTF-8 or GBK, with a header naming the columns in any order —
//   customer_id (客户号), market (市场), symbol (证券代码), quantity (持仓数量),
//   cost (持仓成本, yuan, optional), as_of (日期)
// — one row per customer, security and day. A customer's rows for a day are their whole
// holdings that day and replace what was stored for it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/holding.h"
#include "ingest/csv/csv_reader.h"
#include "storage/holding_store.h"
#include "storage/store.h"

namespace fincrm {

// The whole file or nothing: InvalidArgument naming the file, the line and the field of
// the first defect ("holdings.csv line 7, quantity: ..."), and how many lines had one.
struct HoldingsFile {
  std::vector<Holding> rows;
  std::vector<int64_t> lines;  // each row's line in the file
};
Result<HoldingsFile> ReadHoldingsCsv(std::unique_ptr<ByteSource> source, const std::string& source_name);

struct HoldingsImportSummary {
  SnapshotSummary stored;
  int64_t positions = 0;  // after the rebuild
};

// Reads the file, checks that every customer exists, stores the snapshots in one
// transaction and rebuilds the positions. Nothing is stored when any line is wrong.
Result<HoldingsImportSummary> ImportHoldingsCsv(Store& store, HoldingStore& holdings, const std::string& path);

}  // namespace fincrm
