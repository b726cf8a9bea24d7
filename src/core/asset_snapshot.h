// A customer's assets at the close of one day, in fen. Natural key (customer_id, date).
#pragma once

#include <string>

#include "core/date_time.h"
#include "core/money.h"

namespace fincrm {

struct AssetSnapshot {
  std::string customer_id;
  Date snapshot_date;
  Money total_assets;
  Money cash;
  Money stocks;
  Money funds;
  Money bonds;
  Money margin_debt;
};

}  // namespace fincrm
