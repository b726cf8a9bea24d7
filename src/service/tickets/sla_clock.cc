#include "service/tickets/sla_clock.h"

namespace fincrm {
namespace {

bool ClockRuns(TicketState state) { return state == TicketState::kNew || state == TicketState::kOpen; }

// Adds the running stretch to the counted time.
void Settle(TicketSla& sla, const BusinessCalendar& calendar, Timestamp now) {
  if (sla.clock_since.seconds == 0) return;
  sla.elapsed_seconds += calendar.BusinessTimeBetween(sla.clock_since, now);
  sla.clock_since = now;
}

void Resume(TicketSla& sla, const BusinessCalendar& calendar, Timestamp now) {
  sla.clock_since = now;
  int64_t left = sla.resolution_seconds - sla.elapsed_seconds;
  // An overdue ticket's due time is the moment it went over, not a time in the future.
  sla.resolution_due = left >= 0 ? calendar.AddBusinessTime(now, left) : now;
  if (left < 0) sla.breached = true;
}

}  // namespace

const SlaPolicy* MatchSlaPolicy(std::span<const SlaPolicy> policies, const Ticket& ticket, std::string_view tier) {
  for (const SlaPolicy& p : policies) {
    if (p.type && *p.type != ticket.type) continue;
    if (p.priority && *p.priority != ticket.priority) continue;
    if (!p.tier.empty() && p.tier != tier) continue;
    if (!p.channel.empty() && p.channel != ticket.channel) continue;
    return &p;
  }
  return nullptr;
}

void StartSla(Ticket& ticket, const SlaPolicy& policy, const BusinessCalendar& calendar, Timestamp now) {
  TicketSla& sla = ticket.sla;
  sla = TicketSla{};
  sla.policy = policy.name;
  sla.first_response_seconds = policy.first_response_minutes * 60;
  sla.resolution_seconds = policy.resolution_minutes * 60;
  sla.next_response_seconds = policy.next_response_minutes * 60;
  sla.warn_percent = policy.warn_percent;
  sla.first_response_due = calendar.AddBusinessTime(now, sla.first_response_seconds);
  if (ClockRuns(ticket.state)) Resume(sla, calendar, now);
}

void MoveSla(Ticket& ticket, TicketState to, const BusinessCalendar& calendar, Timestamp now) {
  TicketSla& sla = ticket.sla;
  if (ticket.state == TicketState::kNew && to != TicketState::kNew && sla.first_responded_at.seconds == 0) {
    sla.first_responded_at = now;
    if (now > sla.first_response_due) sla.breached = true;
  }
  if (to != TicketState::kOpen) RecordResponse(ticket, now);  // the agent's move answers the customer
  if (ticket.state == TicketState::kPendingCustomer && to == TicketState::kOpen && sla.next_response_seconds > 0) {
    sla.next_response_due = calendar.AddBusinessTime(now, sla.next_response_seconds);
  }
  Settle(sla, calendar, now);
  if (ClockRuns(to)) {
    if (sla.clock_since.seconds == 0 || !ClockRuns(ticket.state)) Resume(sla, calendar, now);
    if (ticket.state == TicketState::kResolved) sla.resolved_at = Timestamp{0};  // reopened
  } else {
    sla.clock_since = Timestamp{0};
    sla.resolution_due = Timestamp{0};
    if (to == TicketState::kResolved) {
      sla.resolved_at = now;
      if (sla.elapsed_seconds > sla.resolution_seconds) sla.breached = true;
    }
  }
  ticket.state = to;
}

bool RecordResponse(Ticket& ticket, Timestamp now) {
  TicketSla& sla = ticket.sla;
  if (sla.next_response_due.seconds == 0) return false;
  if (now > sla.next_response_due) sla.breached = true;
  sla.next_response_due = Timestamp{0};
  return true;
}

void RetargetSla(Ticket& ticket, const SlaPolicy& policy, const BusinessCalendar& calendar, Timestamp now) {
  TicketSla& sla = ticket.sla;
  Settle(sla, calendar, now);
  sla.policy = policy.name;
  sla.first_response_seconds = policy.first_response_minutes * 60;
  sla.resolution_seconds = policy.resolution_minutes * 60;
  sla.next_response_seconds = policy.next_response_minutes * 60;
  sla.warn_percent = policy.warn_percent;
  if (sla.first_responded_at.seconds == 0) {
    sla.first_response_due = calendar.AddBusinessTime(ticket.created_at, sla.first_response_seconds);
  }
  if (sla.clock_since.seconds != 0) Resume(sla, calendar, now);
}

SlaStatus SlaStatusAt(const Ticket& ticket, const BusinessCalendar& calendar, Timestamp now) {
  const TicketSla& sla = ticket.sla;
  bool done = ticket.state == TicketState::kResolved || ticket.state == TicketState::kClosed;
  if (sla.breached) return SlaStatus::kBreached;
  if (sla.first_responded_at.seconds == 0 && now > sla.first_response_due) return SlaStatus::kBreached;
  if (sla.next_response_due.seconds != 0 && now > sla.next_response_due) return SlaStatus::kBreached;
  if (done) return SlaStatus::kMet;
  if (sla.clock_since.seconds == 0) return SlaStatus::kPaused;
  if (now > sla.resolution_due) return SlaStatus::kBreached;
  int64_t elapsed = sla.elapsed_seconds + calendar.BusinessTimeBetween(sla.clock_since, now);
  if (elapsed * 100 >= sla.resolution_seconds * sla.warn_percent) return SlaStatus::kWarning;
  return SlaStatus::kOk;
}

}  // namespace fincrm
