// The SLA clock of tickets: which policy applies, and what each state change does to
// the clock (start, pause in pending_customer, stop at resolved, restart on reopen),
// counted in business time of the calendar. Pure functions over core types, so that
// the routes, the escalation job and the benchmarks share one definition.
#pragma once

#include <span>
#include <string_view>

#include "core/business_calendar.h"
#include "core/ticket.h"

namespace fincrm {

// The first policy in `policies` (ordered by position) that matches; nullptr when none.
const SlaPolicy* MatchSlaPolicy(std::span<const SlaPolicy> policies, const Ticket& ticket, std::string_view tier);

// Starts the clock of a new ticket at `now` with the policy's targets.
void StartSla(Ticket& ticket, const SlaPolicy& policy, const BusinessCalendar& calendar, Timestamp now);
// Applies a state change at `now` (the transition must be allowed).
void MoveSla(Ticket& ticket, TicketState to, const BusinessCalendar& calendar, Timestamp now);
// The agent's reply to the customer at `now` without a change of state: meets the
// next-response clock if it runs (breached if late). True when it did run.
bool RecordResponse(Ticket& ticket, Timestamp now);
// New targets (a priority change): time already counted stays counted; a pending next
// response keeps its due time.
void RetargetSla(Ticket& ticket, const SlaPolicy& policy, const BusinessCalendar& calendar, Timestamp now);

enum class SlaStatus { kOk, kWarning, kBreached, kPaused, kMet };
template <> struct EnumInfo<SlaStatus> {
  static constexpr std::string_view kTypeName = "SLA status";
  static constexpr EnumName kNames[] = {
      {0, "ok", "正常"}, {1, "warning", "即将超时"}, {2, "breached", "已超时"}, {3, "paused", "已暂停"}, {4, "met", "已达成"}};
};
// Where the ticket stands at `now`: breached once a due time has passed (or was
// missed), warning once warn_percent of the resolution target has passed.
SlaStatus SlaStatusAt(const Ticket& ticket, const BusinessCalendar& calendar, Timestamp now);

}  // namespace fincrm
