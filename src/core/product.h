// A product the brokerage distributes (fund, wealth-management, bond) with its risk rating.
#pragma once

#include <optional>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct Product {
  std::string product_id;  // natural key
  std::string name;
  ProductCategory category = ProductCategory::kFund;
  ProductRisk risk_level = ProductRisk::kR3;
  std::string issuer;  // optional
  std::optional<Date> launch_date;
};

}  // namespace fincrm
