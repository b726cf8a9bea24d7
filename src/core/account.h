// A fund account (资金账号) of a customer: cash, margin (融资融券) or option.
#pragma once

#include <optional>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct Account {
  std::string account_id;  // natural key
  std::string customer_id;
  AccountType type = AccountType::kCash;
  Date open_date;
  std::optional<Date> close_date;  // set once closed
};

}  // namespace fincrm
