// How the PBX's events move a call: newCall opens it ringing, answer gives it to an
// agent, hangup ends it (a call never answered is missed and needs no wrap-up). Events
// the call's state forbids are refused with what happened, not applied half-way.
#pragma once

#include <optional>

#include "core/call_record.h"
#include "core/status.h"

namespace fincrm {

// The call after `event`, from `existing` (absent before newCall). NotFound for an
// answer or hangup of an unknown call; FailedPrecondition for an event the state
// forbids (an answer after the hangup); InvalidArgument naming the field for a
// missing user or an unreadable number on the customer's side.
Result<CallRecord> ApplyCtiEvent(const std::optional<CallRecord>& existing, const CtiEvent& event, Timestamp at);

// The number on the customer's side of the call: the caller of an inbound call, the
// called of an outbound one.
inline const std::string& CustomerSideNumber(const CtiEvent& event) {
  return event.direction == CallDirection::kIn ? event.from : event.to;
}

}  // namespace fincrm
