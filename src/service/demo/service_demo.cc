#include "service/demo/service_demo.h"

#include <algorithm>
#include <vector>

#include "core/split_mix.h"
#include "service/callcenter/call_flow.h"
#include "service/return_visits/visit_attempt.h"
#include "service/return_visits/visit_planner.h"
#include "service/tickets/sla_clock.h"
#include "storage/calendar_store.h"
#include "storage/call_store.h"
#include "storage/return_visit_store.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

constexpr const char* kDemoCallPrefix = "demo-";

struct DemoCaller {
  std::string customer_id, mobile, branch_id, broker_id, tier;
};

// A moment inside the business hours of one of the last `days` working days.
Timestamp BusinessMoment(SplitMix64& rng, const BusinessCalendar& calendar, Timestamp now, int days) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Date day{static_cast<int32_t>(ShanghaiDate(now).days - 1 - static_cast<int>(rng.Uniform() * days))};
    if (!calendar.IsWorkingDay(day)) continue;
    Timestamp opening = calendar.AddBusinessTime(ShanghaiTime(day, 0, 0, 0), 0);
    Timestamp at = calendar.AddBusinessTime(opening, static_cast<int64_t>(rng.Uniform() * 6.5 * 3600));
    if (at < now) return at;
  }
  return Timestamp{now.seconds - 86400};
}

template <class T>
const T& Pick(SplitMix64& rng, const std::vector<T>& items) {
  return items[static_cast<size_t>(rng.Uniform() * items.size())];
}

// Return visits as the call center would have them at `now`: planned a month ago and
// attempted since — most reached within three tries, some refused, a wrong number,
// unanswered once or twice (tried again later) or three times, a fifth not tried yet
// (overdue where their due date passed) — and today's planning, still due. Visits
// planned later than a month ago (a planning job run before) are left untried.
Status GenerateReturnVisits(const std::string& db_path, Store& store, TicketStore& tickets,
                            const BusinessCalendar& calendar, const std::vector<std::string>& agents,
                            const ServiceDemoOptions& options, SplitMix64& rng, ServiceDemoSummary& summary) {
  auto visits = OpenReturnVisitStore(db_path);
  if (!visits.ok()) return visits.status();
  Timestamp now = options.now, planned_at{options.now.seconds - int64_t{options.days} * 86400};
  auto early = PlanReturnVisits(store, tickets, **visits, calendar, planned_at);
  if (!early.ok()) return early.status();
  std::vector<ReturnVisit> attempted;
  for (int64_t after = 0;;) {
    ReturnVisitQuery query;
    query.after = after;
    query.limit = 5000;
    auto page = (*visits)->List(query);
    if (!page.ok()) return page.status();
    for (ReturnVisit& v : *page) {
      double course = rng.Uniform();
      if (v.closed || v.created_at > planned_at || course >= 0.8) continue;
      std::vector<VisitOutcome> tries;
      if (course < 0.58) {
        tries.assign(static_cast<size_t>(rng.Uniform() * 3), VisitOutcome::kNotReached);
        tries.push_back(VisitOutcome::kCompleted);
      } else if (course < 0.64) {  // the next try is pending
        tries.assign(1 + static_cast<size_t>(rng.Uniform() * 2), VisitOutcome::kNotReached);
      } else if (course < 0.70) {
        tries.assign(kMaxVisitAttempts, VisitOutcome::kNotReached);
      } else if (course < 0.75) {
        tries = {VisitOutcome::kRefused};
      } else {
        tries = {VisitOutcome::kWrongNumber, VisitOutcome::kCompleted};
      }
      const std::string& agent = Pick(rng, agents);
      Timestamp at = calendar.AddBusinessTime(planned_at, static_cast<int64_t>(rng.Uniform() * 10 * 6.5 * 3600));
      for (VisitOutcome outcome : tries) {
        if (at >= now) break;
        RecordVisitAttempt(v, outcome, agent, at);
        at = calendar.AddBusinessTime(at, 3600 + static_cast<int64_t>(rng.Uniform() * 2 * 6.5 * 3600));
      }
      if (v.attempts == 0) continue;
      v.script_version = "回访话术 v1";
      v.notes = v.outcome == "completed" ? "客户确认知晓业务风险及服务渠道" : "";
      summary.visits_done += v.closed;
      attempted.push_back(std::move(v));
    }
    if (static_cast<int>(page->size()) < query.limit) break;
    after = page->back().visit_id;
  }
  FINCRM_RETURN_IF_ERROR((*visits)->UpdateAll(attempted));
  summary.visits_attempted = static_cast<int64_t>(attempted.size());
  auto late = PlanReturnVisits(store, tickets, **visits, calendar, now);
  if (!late.ok()) return late.status();
  summary.return_visits = early->planned + late->planned;
  return Status::Ok();
}

}  // namespace

Result<ServiceDemoSummary> GenerateServiceDemo(const std::string& db_path, Store& store,
                                               const ServiceDemoOptions& options) {
  ServiceDemoSummary summary;
  auto calls = OpenCallStore(db_path);
  if (!calls.ok()) return calls.status();
  auto tickets = OpenTicketStore(db_path);
  if (!tickets.ok()) return tickets.status();
  auto calendars = OpenCalendarStore(db_path);
  if (!calendars.ok()) return calendars.status();
  auto first = (*calls)->Get(std::string(kDemoCallPrefix) + "1");
  if (first.ok()) {
    summary.already_generated = true;
    return summary;
  }
  BusinessCalendar calendar;
  auto stored = (*calendars)->Current();
  if (!stored.ok()) return stored.status();
  if (*stored) calendar = (*stored)->calendar;
  auto policies = (*tickets)->Policies();
  if (!policies.ok()) return policies.status();
  auto codes = (*calls)->WrapUpCodes();
  if (!codes.ok()) return codes.status();
  std::vector<std::string> leaves;
  for (const WrapUpCode& code : *codes) {
    bool parent = std::any_of(codes->begin(), codes->end(), [&](const WrapUpCode& c) { return c.parent == code.code; });
    if (code.active && !parent) leaves.push_back(code.code);
  }
  if (leaves.empty()) return FailedPrecondition("the wrap-up code tree has no active leaf code");

  std::vector<DemoCaller> callers;
  FINCRM_RETURN_IF_ERROR(store.ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
    if (!c.mobile.empty()) callers.push_back({c.customer_id, c.mobile, c.branch_id, c.broker_id, ""});
    return true;
  })));
  std::vector<std::string> agents;
  FINCRM_RETURN_IF_ERROR(store.ForEach(std::function<bool(const StaffUser&)>([&](const StaffUser& u) {
    if (u.role == UserRole::kAgent && !u.disabled) agents.push_back(u.login);
    return true;
  })));
  if (agents.empty()) agents = {"agent01", "agent02", "agent03", "agent04"};
  if (callers.empty()) return summary;
  SplitMix64 rng(options.seed ^ 0x5e41ce);
  Timestamp now = options.now;
  int64_t call_count = static_cast<int64_t>(callers.size() * options.calls_per_customer);
  std::vector<Interaction> contacts;
  for (int64_t n = 1; n <= call_count; ++n) {
    const DemoCaller& who = Pick(rng, callers);
    CtiEvent event;
    event.call_id = kDemoCallPrefix + std::to_string(n);
    event.direction = rng.Uniform() < 0.85 ? CallDirection::kIn : CallDirection::kOut;
    event.from = event.direction == CallDirection::kIn ? "+86" + who.mobile : "95555";
    event.to = event.direction == CallDirection::kIn ? "95555" : who.mobile;
    event.queue = rng.Uniform() < 0.2 ? "vip" : "general";
    Timestamp at = BusinessMoment(rng, calendar, now, options.days);
    auto record = ApplyCtiEvent(std::nullopt, event, at);
    if (!record.ok()) return record.status();
    record->customer_id = who.customer_id;
    record->branch_id = who.branch_id;
    record->broker_id = who.broker_id;
    auto ringing = (*calls)->ApplyEvent(*record, CtiEventKind::kNewCall, at);
    if (!ringing.ok()) return ringing.status();
    bool answered = rng.Uniform() < 0.9;
    std::string agent = Pick(rng, agents);
    if (answered) {
      CtiEvent answer = event;
      answer.kind = CtiEventKind::kAnswer;
      answer.user = agent;
      at.seconds += 5 + static_cast<int64_t>(rng.Uniform() * 35);
      record = ApplyCtiEvent(*record, answer, at);
      if (!record.ok()) return record.status();
      auto applied = (*calls)->ApplyEvent(*record, CtiEventKind::kAnswer, at);
      if (!applied.ok()) return applied.status();
    }
    CtiEvent hangup = event;
    hangup.kind = CtiEventKind::kHangup;
    hangup.cause = answered ? HangupCause::kNormalClearing : rng.Uniform() < 0.5 ? HangupCause::kNoAnswer : HangupCause::kCancel;
    at.seconds += answered ? 60 + static_cast<int64_t>(rng.Uniform() * 540) : 20;
    record = ApplyCtiEvent(*record, hangup, at);
    if (!record.ok()) return record.status();
    auto ended = (*calls)->ApplyEvent(*record, CtiEventKind::kHangup, at);
    if (!ended.ok()) return ended.status();
    ++summary.calls;
    if (!answered) {
      ++summary.missed_calls;
      continue;
    }
    record->wrap_up_code = Pick(rng, leaves);
    record->state = CallState::kWrappedUp;
    record->wrapped_up_at = Timestamp{at.seconds + 30 + static_cast<int64_t>(rng.Uniform() * 150)};
    std::optional<Callback> callback;
    if (rng.Uniform() < 0.15) {
      callback.emplace();
      callback->customer_id = who.customer_id;
      callback->phone = who.mobile;
      callback->branch_id = who.branch_id;
      callback->broker_id = who.broker_id;
      callback->owner = agent;
      callback->due_at = calendar.AddBusinessTime(at, static_cast<int64_t>((1 + rng.Uniform() * 15) * 3600));
      callback->note = "回电确认办理结果";
      callback->call_id = record->call_id;
      callback->created_by = agent;
      callback->created_at = record->wrapped_up_at;
      if (callback->due_at < now && rng.Uniform() < 0.8) {
        callback->state = CallbackState::kDone;
        callback->done_at = callback->due_at;
      }
      record->follow_up = "callback";
      ++summary.callbacks;
    }
    auto wrapped = (*calls)->WrapUp(*record, callback ? &*callback : nullptr);
    if (!wrapped.ok()) return wrapped.status();
    Interaction& contact = contacts.emplace_back();
    contact.interaction_id = "call-" + record->call_id;
    contact.customer_id = who.customer_id;
    contact.occurred_at = record->started_at;
    contact.channel = InteractionChannel::kCallCenter;
    contact.direction = event.direction == CallDirection::kIn ? Direction::kInbound : Direction::kOutbound;
    std::string_view top = std::string_view(record->wrap_up_code).substr(0, record->wrap_up_code.find('.'));
    contact.type = top == "complaint"      ? InteractionType::kComplaint
                   : top == "return_visit" ? InteractionType::kReturnVisit
                   : top == "marketing"    ? InteractionType::kMarketing
                                           : InteractionType::kInquiry;
    contact.subject = record->wrap_up_code;
    contact.outcome = record->wrap_up_code;
    contact.duration_seconds = record->ended_at.seconds - record->answered_at.seconds;
  }
  // The calls on the customers' timelines, in one transaction.
  auto writer = store.BeginWrite();
  if (!writer.ok()) return writer.status();
  for (const Interaction& contact : contacts) {
    auto put = (*writer)->Put(contact);
    if (!put.ok()) return put.status();
  }
  FINCRM_RETURN_IF_ERROR((*writer)->Commit());

  // Tickets: most resolved within their targets, some late, some waiting for the
  // customer, some still open (a part of them past due, for the escalation job).
  int64_t ticket_count = static_cast<int64_t>(callers.size() * options.tickets_per_customer);
  constexpr TicketType kTypes[] = {TicketType::kInquiry, TicketType::kInquiry, TicketType::kServiceRequest,
                                   TicketType::kComplaint, TicketType::kAccountChange};
  constexpr const char* kSubjects[] = {"咨询转账到账时间", "修改预留手机号", "申请开通创业板", "投诉佣金收取", "变更风险测评"};
  constexpr const char* kCategories[] = {"fees", "service", "system", "advice"};
  for (int64_t n = 0; n < ticket_count; ++n) {
    const DemoCaller& who = Pick(rng, callers);
    Ticket t;
    size_t kind = static_cast<size_t>(rng.Uniform() * std::size(kTypes));
    t.customer_id = who.customer_id;
    t.branch_id = who.branch_id;
    t.broker_id = who.broker_id;
    t.type = kTypes[kind];
    t.subject = kSubjects[kind];
    double p = rng.Uniform();
    t.priority = p < 0.1 ? TicketPriority::kUrgent : p < 0.3 ? TicketPriority::kHigh : p < 0.9 ? TicketPriority::kNormal
                                                                                            : TicketPriority::kLow;
    if (t.type == TicketType::kComplaint) {
      t.complaint_category = kCategories[static_cast<size_t>(rng.Uniform() * std::size(kCategories))];
    }
    t.channel = "phone";
    t.owner = Pick(rng, agents);
    t.team = "call_center";
    t.created_by = t.owner;
    Timestamp at = BusinessMoment(rng, calendar, now, options.days);
    t.created_at = t.updated_at = at;
    const SlaPolicy* policy = MatchSlaPolicy(*policies, t, "");
    if (!policy) return FailedPrecondition("no SLA policy matches a demo ticket");
    StartSla(t, *policy, calendar, at);
    auto id = (*tickets)->Create(t);
    if (!id.ok()) return id.status();
    t.ticket_id = *id;
    ++summary.tickets;
    // Its course: open after a little business time, then resolved, paused or left.
    std::vector<TicketChange> changes;
    auto move = [&](TicketState to, int64_t business_seconds) {
      Timestamp when = calendar.AddBusinessTime(t.updated_at, business_seconds);
      if (when >= now) return false;
      changes.push_back({t.ticket_id, when, t.owner, "state", std::string(EnumCode(t.state)), std::string(EnumCode(to))});
      MoveSla(t, to, calendar, when);
      t.updated_at = when;
      return true;
    };
    int64_t target = t.sla.resolution_seconds;
    double course = rng.Uniform();
    if (move(TicketState::kOpen, static_cast<int64_t>(std::min<double>(target * 0.1, 1800) * rng.Uniform()) + 60)) {
      if (course < 0.60) {
        if (move(TicketState::kResolved, static_cast<int64_t>(target * (0.2 + 0.6 * rng.Uniform())))) ++summary.resolved;
      } else if (course < 0.75) {
        if (move(TicketState::kResolved, static_cast<int64_t>(target * (1.1 + rng.Uniform())))) ++summary.resolved;
      } else if (course < 0.85) {
        if (move(TicketState::kPendingCustomer, static_cast<int64_t>(target * 0.3))) ++summary.pending_customer;
      }
    }
    summary.breached += t.sla.breached || SlaStatusAt(t, calendar, now) == SlaStatus::kBreached;
    if (!changes.empty()) {
      Ticket stored_ticket = t;
      FINCRM_RETURN_IF_ERROR((*tickets)->Update(stored_ticket, t.created_at, changes));
    }
  }
  FINCRM_RETURN_IF_ERROR(GenerateReturnVisits(db_path, store, **tickets, calendar, agents, options, rng, summary));
  return summary;
}

}  // namespace fincrm
