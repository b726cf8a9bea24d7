// A branch office (营业部): the unit that owns customers and staff and is scored by KPIs.
#pragma once

#include <optional>
#include <string>

#include "core/date_time.h"

namespace fincrm {

struct Branch {
  std::string branch_id;  // natural key, e.g. "B001"
  std::string name;
  std::string province;
  std::string city;
  std::optional<Date> opened_on;
};

}  // namespace fincrm
