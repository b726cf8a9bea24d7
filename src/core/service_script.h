// Service scripts (统一服务规范): what an agent says on a kind of call, for a kind of
// ticket or a customer tier, with placeholders ({{name}}, {{tier}}...) filled from the
// customer. Every revision is kept, and calls and tickets record the version used.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"

namespace fincrm {

struct ServiceScript {
  int64_t script_id = 0;
  int64_t version = 0;
  std::string title;
  // When it applies; empty matches anything. The most specific active script wins.
  std::string call_type;    // in, out, return_visit
  std::string ticket_type;  // a ticket type's code
  std::string tier;         // a value tier (A, B, C, D)
  std::string body;
  bool active = true;
  std::string updated_by;
  Timestamp updated_at;
};

}  // namespace fincrm
