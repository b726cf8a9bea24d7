// Fuzzes what the PBX sends (POST /api/v1/cti bodies) and phone numbers as typed: the
// parser either answers an event that has what its kind needs or an error that says
// why; the event then moves a call without crashing; a normalised number normalises
// to itself (the lookup finds what the call recorded).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/cti_event_parser.h"
#include "core/phone_number.h"
#include "service/callcenter/call_flow.h"

namespace {

void CheckNumber(std::string_view text) {
  auto number = fincrm::NormalisePhoneNumber(text);
  if (!number.ok()) {
    if (number.status().message().empty() || number.status().field() != "phone") std::abort();
    return;
  }
  if (number->digits.empty()) std::abort();
  if (number->kind == fincrm::PhoneKind::kMobile && number->digits.size() != 11) std::abort();
  auto again = fincrm::NormalisePhoneNumber(number->digits);
  if (!again.ok() || again->digits != number->digits || again->kind != number->kind) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckNumber(body.substr(0, 64));
  auto event = fincrm::ParseCtiEvent(body);
  if (!event.ok()) {
    if (event.status().message().empty()) std::abort();
    return 0;
  }
  if (event->call_id.empty()) std::abort();
  if (event->kind == fincrm::CtiEventKind::kAnswer && event->user.empty()) std::abort();
  CheckNumber(event->from);
  CheckNumber(event->to);
  // The event on no call, on a ringing call and on one that is talking.
  fincrm::CallRecord ringing;
  ringing.call_id = event->call_id;
  fincrm::CallRecord talking = ringing;
  talking.state = fincrm::CallState::kTalking;
  talking.agent = "agent";
  for (const std::optional<fincrm::CallRecord>& existing :
       {std::optional<fincrm::CallRecord>(), std::optional(ringing), std::optional(talking)}) {
    auto next = fincrm::ApplyCtiEvent(existing, *event, fincrm::Timestamp{1800000000});
    if (!next.ok() && next.status().message().empty()) std::abort();
    if (next.ok() && next->call_id != event->call_id) std::abort();
  }
  return 0;
}
