// Holdings (持仓): what a customer holds. The head office's holdings file gives a
// snapshot at the close of a day; between snapshots a position moves with the trades.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/money.h"

namespace fincrm {

// One line of a snapshot: a customer's quantity of one security at the close of `as_of`.
// A customer's snapshot for a day is the whole of their holdings that day.
struct Holding {
  std::string customer_id;
  Market market = Market::kShanghai;
  std::string symbol;
  int64_t quantity = 0;
  Money cost;  // total cost (持仓成本), 0 when the file has none
  Date as_of;
};

// A position now: the latest snapshot moved on by the trades after it (or, for a
// customer without a snapshot, the net of every trade on record).
struct Position {
  Market market = Market::kShanghai;
  std::string symbol;
  int64_t quantity = 0;
  Money cost;                      // the snapshot's, when there is one
  std::optional<Date> snapshot_on;  // the snapshot it starts from
  int64_t trades_since = 0;        // trades applied after the snapshot
  Timestamp last_trade_at;
};

}  // namespace fincrm
