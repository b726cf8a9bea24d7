#include "service/callcenter/call_flow.h"

#include "core/phone_number.h"

namespace fincrm {
namespace {

Status Refused(std::string message, std::string field) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(field));
}

}  // namespace

Result<CallRecord> ApplyCtiEvent(const std::optional<CallRecord>& existing, const CtiEvent& event, Timestamp at) {
  if (event.kind == CtiEventKind::kNewCall) {
    if (existing) return Refused("call '" + event.call_id + "' is known already", "call_id");
    CallRecord call;
    call.call_id = event.call_id;
    call.direction = event.direction;
    call.from = event.from;
    call.to = event.to;
    call.queue = event.queue;
    call.started_at = at;
    auto phone = NormalisePhoneNumber(CustomerSideNumber(event));
    // An anonymous caller ("anonymous", empty) still rings: the call is kept with no number.
    if (phone.ok()) call.customer_phone = phone->digits;
    if (!event.user.empty()) call.agent = event.user;  // an outbound call is the agent's from the start
    return call;
  }
  if (!existing) return NotFound("no call '" + event.call_id + "' (newCall first)", "call_id");
  CallRecord call = *existing;
  if (event.kind == CtiEventKind::kAnswer) {
    if (event.user.empty()) return InvalidArgument("the answering agent's login is required", "user");
    if (call.state != CallState::kRinging) {
      return Refused("call '" + call.call_id + "' is " + std::string(EnumCode(call.state)) +
                                    ", it cannot be answered",
                                "event");
    }
    call.state = CallState::kTalking;
    call.agent = event.user;
    call.answered_at = at;
    if (!event.queue.empty()) call.queue = event.queue;
    return call;
  }
  if (call.state != CallState::kRinging && call.state != CallState::kTalking) {
    return Refused("call '" + call.call_id + "' ended already", "event");
  }
  // An unanswered call is missed: nobody owes it a wrap-up, so nobody is held back.
  if (call.state == CallState::kRinging && call.direction == CallDirection::kIn) call.agent.clear();
  call.state = CallState::kEnded;
  call.ended_at = at;
  call.hangup_cause = std::string(EnumCode(event.cause));
  return call;
}

}  // namespace fincrm
