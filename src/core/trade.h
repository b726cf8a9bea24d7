// One executed trade from the head office's centralised trading system (总部集中交易).
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/money.h"

namespace fincrm {

struct Trade {
  std::string trade_id;  // natural key
  std::string customer_id;
  std::string account_id;
  Timestamp trade_time;
  Market market = Market::kShanghai;
  std::string symbol;
  ProductType product_type = ProductType::kStock;
  TradeSide side = TradeSide::kBuy;
  int64_t quantity = 0;
  PriceLi price;
  Money amount;
  Money commission;
  TradeChannel channel = TradeChannel::kApp;
};

}  // namespace fincrm
