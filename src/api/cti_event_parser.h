// Parsing POST /api/v1/cti: one event from the PBX as a flat JSON object in the shape of
// Zammad's generic CTI interface (docs/cti.md):
//   {"event": "newCall"|"answer"|"hangup", "call_id", "from", "to",
//    "direction": "in"|"out", "user" (answer), "queue", "cause" (hangup)}
// Zammad's "callId" is read as "call_id".
#pragma once

#include <string_view>

#include "core/call_record.h"
#include "core/status.h"

namespace fincrm {

// InvalidArgument naming the field: malformed JSON, an unknown field, a value of the
// wrong kind or length, a missing field the event needs.
Result<CtiEvent> ParseCtiEvent(std::string_view body);

}  // namespace fincrm
