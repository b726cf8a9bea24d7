// A customer (客户) of the brokerage, identified by the customer number (客户号).
// Personal data here (ID number, mobile, e-mail, address) is masked by role in the API.
#pragma once

#include <optional>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct Customer {
  std::string customer_id;  // 客户号, natural key
  std::string name;
  Gender gender = Gender::kMale;
  std::optional<Date> birth_date;
  IdType id_type = IdType::kResidentId;
  std::string id_number;
  std::string mobile;   // optional
  std::string email;    // optional
  std::string province;
  std::string city;
  std::string address;     // optional
  std::string occupation;  // optional
  std::optional<IncomeBand> income_band;
  Date open_date;
  CustomerStatus status = CustomerStatus::kActive;
  std::optional<RiskLevel> risk_level;  // absent until the questionnaire is taken
  std::optional<Date> risk_assessed_on;
  std::string broker_id;  // optional: the assigned broker (staff_id)
  std::string branch_id;
};

}  // namespace fincrm
