#include "api/cti_event_parser.h"

#include "api/request_json.h"

namespace fincrm {
namespace {

constexpr size_t kMaxCallId = 128, kMaxNumber = 64, kMaxName = 64;

// Text a PBX sends: printable, no control characters, at most `max` bytes.
Status CheckText(const JsonField& f, size_t max) {
  if (f.kind != JsonField::kString) return InvalidArgument("must be a string", f.name);
  if (f.text.size() > max) return InvalidArgument("longer than " + std::to_string(max) + " bytes", f.name);
  for (unsigned char c : f.text) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument("holds a control character", f.name);
  }
  return Status::Ok();
}

template <class E>
Status ReadEnum(const JsonField& f, E& out) {
  auto parsed = ParseEnum<E>(f.text);
  if (f.kind != JsonField::kString || !parsed) return InvalidArgument("expected " + EnumChoices<E>(), f.name);
  out = *parsed;
  return Status::Ok();
}

}  // namespace

Result<CtiEvent> ParseCtiEvent(std::string_view body) {
  auto fields = ParseFlatJsonObject(body);
  if (!fields.ok()) return fields.status();
  CtiEvent event;
  bool has_event = false, has_direction = false, has_cause = false, has_from = false, has_to = false;
  for (const JsonField& f : *fields) {
    if (f.name == "event") {
      FINCRM_RETURN_IF_ERROR(ReadEnum(f, event.kind));
      has_event = true;
    } else if (f.name == "call_id" || f.name == "callId") {
      FINCRM_RETURN_IF_ERROR(CheckText(f, kMaxCallId));
      event.call_id = f.text;
    } else if (f.name == "from" || f.name == "to") {
      FINCRM_RETURN_IF_ERROR(CheckText(f, kMaxNumber));
      (f.name == "from" ? event.from : event.to) = f.text;
      (f.name == "from" ? has_from : has_to) = true;
    } else if (f.name == "direction") {
      FINCRM_RETURN_IF_ERROR(ReadEnum(f, event.direction));
      has_direction = true;
    } else if (f.name == "user") {
      if (f.kind == JsonField::kNull) continue;
      FINCRM_RETURN_IF_ERROR(CheckText(f, kMaxName));
      event.user = f.text;
    } else if (f.name == "queue") {
      if (f.kind == JsonField::kNull) continue;
      FINCRM_RETURN_IF_ERROR(CheckText(f, kMaxName));
      event.queue = f.text;
    } else if (f.name == "cause") {
      FINCRM_RETURN_IF_ERROR(ReadEnum(f, event.cause));
      has_cause = true;
    } else {
      return InvalidArgument("unknown field", f.name);
    }
  }
  if (!has_event) return InvalidArgument("is required", "event");
  if (event.call_id.empty()) return InvalidArgument("is required", "call_id");
  switch (event.kind) {
    case CtiEventKind::kNewCall:
      if (!has_from) return InvalidArgument("is required for newCall", "from");
      if (!has_to) return InvalidArgument("is required for newCall", "to");
      if (!has_direction) return InvalidArgument("is required for newCall", "direction");
      break;
    case CtiEventKind::kAnswer:
      if (event.user.empty()) return InvalidArgument("is required for answer (the agent's login)", "user");
      break;
    case CtiEventKind::kHangup:
      if (!has_cause) return InvalidArgument("is required for hangup", "cause");
      break;
  }
  return event;
}

}  // namespace fincrm
