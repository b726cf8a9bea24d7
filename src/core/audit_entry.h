// One entry of the tamper-evident audit trail: who did what to which customer, when
// and from where. Each entry carries the SHA-256 of its own content and of the entry
// before it, so changing or removing any entry breaks the chain from there on.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"

namespace fincrm {

struct AuditEntry {
  int64_t sequence = 0;  // 1, 2, 3... assigned when appended
  Timestamp at;
  std::string actor;        // login, or "cli:<os user>"
  std::string action;       // "customer.read", "user.add", ...
  std::string customer_id;  // empty when no customer is involved
  std::string detail;
  std::string source;         // address or "cli"
  std::string previous_hash;  // hex; empty for the first entry
  std::string hash;           // hex SHA-256 over all the fields above
};

}  // namespace fincrm
