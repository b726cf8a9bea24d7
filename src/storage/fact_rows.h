// Lean rows for analytics scans: the columns analysis needs, without the text that
// the customer 360 view needs. Views point into the scan's buffers and are valid only
// during the callback.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct TradeFactRow {
  std::string_view customer_id;
  Timestamp trade_time;
  Market market;
  std::string_view symbol;
  ProductType product_type;
  TradeSide side;
  int64_t amount_fen;
  int64_t commission_fen;
  TradeChannel channel;
};

struct AssetFactRow {
  std::string_view customer_id;
  Date snapshot_date;
  int64_t total_assets_fen;
  int64_t funds_fen;
  int64_t margin_debt_fen;
};

struct InteractionFactRow {
  std::string_view customer_id;
  Timestamp occurred_at;
  InteractionChannel channel;
  Direction direction;
  InteractionType type;
};

}  // namespace fincrm
