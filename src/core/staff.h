// A member of staff: broker, account manager, call-center agent, analyst or manager.
// Every member belongs to one branch; head-office staff belong to the head-office branch.
#pragma once

#include <optional>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct Staff {
  std::string staff_id;  // natural key, e.g. "S00042"
  std::string name;
  StaffRole role = StaffRole::kBroker;
  std::string branch_id;
  std::string mobile;  // optional
  std::string email;   // optional
  std::optional<Date> hired_on;
};

}  // namespace fincrm
