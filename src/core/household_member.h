// A household link (家庭成员): a customer's spouse, parent, child or other relative,
// either another customer (member_customer_id) or a person who is not a customer
// (member_name). The natural key is (customer_id, relation, member).
#pragma once

#include <string>

#include "core/enums.h"

namespace fincrm {

struct HouseholdMember {
  std::string customer_id;
  Relation relation = Relation::kOther;
  std::string member_customer_id;  // set when the relative is a customer
  std::string member_name;         // set when the relative is not a customer
  std::string member_mobile;       // optional

  // The identity of the relative within the household: "C:<id>" or "N:<name>".
  std::string MemberKey() const {
    return member_customer_id.empty() ? "N:" + member_name : "C:" + member_customer_id;
  }
};

}  // namespace fincrm
