// The holdings module (持仓): a customer's positions for the 360 view, and the daily job
// that materialises everyone's positions for research matching (after the nightly
// trading import). Snapshots arrive by `fincrm import holdings FILE`.
//   GET /api/v1/customers/{customer_id}/holdings   positions by market and symbol
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeHoldingModule();

// "positions": every customer's positions rebuilt from the latest snapshots and the trades since.
Job PositionsJob(int minute_of_day);

}  // namespace fincrm
