// HoldingStore: holdings snapshots and the positions derived from them and from the
// trades. Implemented for SQLite in sqlite/sqlite_holding_store.cc (reading the main
// schema's trades in the same database file).
//
// Threading: one thread at a time per HoldingStore; open one per thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/holding.h"
#include "core/status.h"

namespace fincrm {

struct SnapshotSummary {
  int64_t rows = 0;
  int64_t customers = 0;  // customer-days replaced
};

class HoldingStore {
 public:
  virtual ~HoldingStore() = default;
  // Each (customer, day) in `rows` replaces what was stored for that customer and day;
  // all in one transaction, so a failed file stores nothing.
  virtual Result<SnapshotSummary> PutSnapshots(const std::vector<Holding>& rows) = 0;
  // Upserts single lines (customer, day, market, symbol), leaving the day's other lines,
  // and refreshes those customers' materialised positions; one transaction.
  virtual Status PutLines(const std::vector<Holding>& lines) = 0;
  // The customer's positions with a quantity above zero, by market and symbol: the
  // latest snapshot plus the net of the trades after its day. Without a snapshot, the
  // net of all trades (a sale of shares bought before the records began nets below
  // zero and is left out).
  virtual Result<std::vector<Position>> Positions(const std::string& customer_id) = 0;
  // Materialises every customer's positions (Holders reads them); answers the count.
  virtual Result<int64_t> RebuildPositions() = 0;
  // The customers holding any of `symbols` at the last rebuild, in customer order.
  virtual Result<std::vector<std::string>> Holders(const std::vector<std::string>& symbols) = 0;
};

Result<std::unique_ptr<HoldingStore>> OpenHoldingStore(const std::string& location);

}  // namespace fincrm
