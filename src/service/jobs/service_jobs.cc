#include "service/jobs/service_jobs.h"

#include <algorithm>
#include <cstdio>

#include "analytics/analysis_pipeline.h"
#include "core/json_writer.h"
#include "storage/calendar_store.h"
#include "service/return_visits/visit_planner.h"
#include "storage/open_store.h"
#include "storage/return_visit_store.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

constexpr const char* kEscalationActor = "job:sla-escalation";

std::string EscalationPayload(const Ticket& t, int level, const Alert& alert, int64_t task_id) {
  JsonWriter json;
  json.BeginObject()
      .Field("type", "sla_breach")
      .Field("alert_id", alert.alert_id)
      .Field("raised_at", FormatTimestamp(alert.raised_at))
      .Field("level", int64_t{level})
      .Field("escalated_to", level == 1 ? "branch_manager" : "head_office_service_center")
      .Field("ticket_id", t.ticket_id)
      .Field("customer_id", t.customer_id)
      .Field("branch_id", t.branch_id)
      .Field("ticket_type", EnumCode(t.type))
      .Field("priority", EnumCode(t.priority))
      .Field("state", EnumCode(t.state))
      .Field("owner", t.owner)
      .Field("subject", t.subject)
      .Field("sla_policy", t.sla.policy)
      .Field("resolution_due", FormatTimestamp(t.sla.resolution_due))
      .Field("task_id", task_id)
      .EndObject();
  return json.Take();
}

// One escalation: the ticket first (claimed by its optimistic check, so that a change
// made meanwhile, say its resolution, wins), then the task, alert and deliveries in
// one transaction of the main store. Should that transaction fail, the ticket is
// put back to its level so that the next pass tries again.
Result<bool> Escalate(Ticket ticket, int level, Timestamp now, TicketStore& tickets, Store& store,
                      const std::vector<WebhookSubscription>& webhooks) {
  Ticket before = ticket;
  ticket.sla.escalation_level = level;
  ticket.sla.breached = true;
  ticket.updated_at = Timestamp{std::max(now.seconds, before.updated_at.seconds + 1)};
  TicketChange change{ticket.ticket_id, ticket.updated_at, kEscalationActor, "escalation_level",
                      std::to_string(before.sla.escalation_level), std::to_string(level)};
  Status claimed = tickets.Update(ticket, before.updated_at, {change});
  if (claimed.code() == StatusCode::kFailedPrecondition) return false;  // changed meanwhile: next pass
  FINCRM_RETURN_IF_ERROR(claimed);
  auto written = [&]() -> Status {
    auto writer = store.BeginWrite();
    if (!writer.ok()) return writer.status();
    std::string where = level == 1 ? "营业部经理" : "总部服务中心";
    Alert alert{0, now, "sla_breach", ticket.customer_id, static_cast<double>(level), 0,
                "ticket " + std::to_string(ticket.ticket_id) + " (" + ticket.sla.policy + ") past its resolution due " +
                    FormatTimestamp(ticket.sla.resolution_due) + ": escalated to level " + std::to_string(level)};
    auto alert_id = (*writer)->Add(alert);
    if (!alert_id.ok()) return alert_id.status();
    alert.alert_id = *alert_id;
    FollowUpTask task;
    task.customer_id = ticket.customer_id;
    task.branch_id = ticket.branch_id;
    task.title = "[" + where + "] 工单超时升级 (" + std::to_string(level) + "级): #" + std::to_string(ticket.ticket_id) +
                 " " + ticket.subject;
    task.status = "open";
    task.created_at = now;
    task.due_on = ShanghaiDate(now);
    task.alert_id = alert.alert_id;
    auto task_id = (*writer)->Add(task);
    if (!task_id.ok()) return task_id.status();
    for (const WebhookSubscription& webhook : webhooks) {
      if (!Subscribes(webhook, "sla_breach")) continue;
      WebhookDelivery delivery;
      delivery.webhook_id = webhook.webhook_id;
      delivery.alert_id = alert.alert_id;
      delivery.payload = EscalationPayload(ticket, level, alert, *task_id);
      delivery.state = "pending";
      delivery.next_attempt_at = now;
      delivery.updated_at = now;
      auto added = (*writer)->Add(delivery);
      if (!added.ok()) return added.status();
    }
    return (*writer)->Commit();
  }();
  if (!written.ok()) {
    Ticket undone = before;
    undone.updated_at = Timestamp{ticket.updated_at.seconds + 1};
    TicketChange undo{ticket.ticket_id, undone.updated_at, kEscalationActor, "escalation_level", std::to_string(level),
                      std::to_string(before.sla.escalation_level)};
    (void)tickets.Update(undone, ticket.updated_at, {undo});
    return written;
  }
  return true;
}

Result<JobOutcome> RunSlaEscalation(const JobContext& context, int64_t second_level_after_seconds) {
  auto tickets = OpenTicketStore(context.db_path);
  if (!tickets.ok()) return tickets.status();
  auto calendars = OpenCalendarStore(context.db_path);
  if (!calendars.ok()) return calendars.status();
  auto current = (*calendars)->Current();
  if (!current.ok()) return current.status();
  BusinessCalendar calendar = *current ? (*current)->calendar : BusinessCalendar();
  auto store = OpenStore(context.db_path, {.migrate = false, .create = false});
  if (!store.ok()) return store.status();
  std::vector<WebhookSubscription> webhooks;
  FINCRM_RETURN_IF_ERROR((*store)->ForEach([&](const WebhookSubscription& w) {
    webhooks.push_back(w);
    return true;
  }));
  auto overdue = (*tickets)->Overdue(context.now, 2, 100000);
  if (!overdue.ok()) return overdue.status();
  int64_t first = 0, second = 0;
  for (const Ticket& ticket : *overdue) {
    int level = 0;
    if (ticket.sla.escalation_level == 0) {
      level = 1;
    } else if (calendar.AddBusinessTime(ticket.sla.resolution_due, second_level_after_seconds) <= context.now) {
      level = 2;
    } else {
      continue;
    }
    auto escalated = Escalate(ticket, level, context.now, **tickets, **store, webhooks);
    if (!escalated.ok()) return escalated.status();
    if (*escalated) ++(level == 1 ? first : second);
  }
  return JobOutcome{first + second, std::to_string(first) + " escalated to branch managers, " + std::to_string(second) +
                                        " to the head-office service center (" + std::to_string(overdue->size()) +
                                        " overdue)"};
}

Result<JobOutcome> RunNightlyAnalysis(const JobContext& context) {
  auto store = OpenStore(context.db_path, {.migrate = false, .create = false});
  if (!store.ok()) return store.status();
  auto calendar = CalendarInForce(context.db_path);
  if (!calendar.ok()) return calendar.status();
  AnalysisOptions options;
  options.calendar = std::move(*calendar);
  auto summary = RunAnalysis(**store, options);
  if (!summary.ok()) return summary.status();
  return JobOutcome{summary->customers, "analysis run " + std::to_string(summary->run_id) + " as of " +
                                            FormatDate(summary->as_of) + ": " + std::to_string(summary->customers) +
                                            " customers, " + std::to_string(summary->customers_at_risk) + " at risk"};
}

Result<JobOutcome> RunReturnVisitPlanning(const JobContext& context, const VisitPlanningOptions& options) {
  auto store = OpenStore(context.db_path, {.migrate = false, .create = false});
  if (!store.ok()) return store.status();
  auto tickets = OpenTicketStore(context.db_path);
  if (!tickets.ok()) return tickets.status();
  auto visits = OpenReturnVisitStore(context.db_path);
  if (!visits.ok()) return visits.status();
  auto calendar = CalendarInForce(context.db_path);
  if (!calendar.ok()) return calendar.status();
  auto planned = PlanReturnVisits(**store, **tickets, **visits, *calendar, context.now, options);
  if (!planned.ok()) return planned.status();
  std::string message = std::to_string(planned->planned) + " visits planned:";
  for (int r = 0; r < 5; ++r) {
    message += std::string(r ? "," : "") + " " + std::to_string(planned->by_reason[r]) + " " +
               std::string(EnumCode(static_cast<VisitReason>(r)));
  }
  return JobOutcome{planned->planned, message};
}

bool NeverAnalysed(const JobContext& context) {
  auto store = OpenStore(context.db_path, {.migrate = false, .create = false});
  if (!store.ok()) return false;
  auto run = (*store)->LatestAnalysisRun();
  return run.ok() && !*run;
}

}  // namespace

Result<int> ParseTimeOfDay(std::string_view text) {
  int hour = 0, minute = 0;
  if (text.size() != 5 || text[2] != ':' || std::sscanf(std::string(text).c_str(), "%2d:%2d", &hour, &minute) != 2 ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return InvalidArgument("expected a time of day HH:MM (Asia/Shanghai), got '" + std::string(text) + "'", "time");
  }
  return hour * 60 + minute;
}

Job SlaEscalationJob(const ServiceJobOptions& options) {
  int64_t second_level = options.second_level_after_seconds;
  return {"sla-escalation", "escalate tickets past their SLA: branch manager, then head-office service center",
          {options.sla_escalation_every_seconds, -1},
          [second_level](const JobContext& c) { return RunSlaEscalation(c, second_level); },
          {}};
}

Job ReturnVisitPlanningJob(const ServiceJobOptions& options) {
  VisitPlanningOptions visits = options.visits;
  return {"return-visit-planning",
          "plan the return visits the rules require (new accounts, yearly sample, complaints, risk changes, "
          "high-risk sales)",
          {0, options.return_visit_planning_minute},
          [visits](const JobContext& c) { return RunReturnVisitPlanning(c, visits); },
          {}};
}

std::vector<Job> ServiceJobs(const ServiceJobOptions& options) {
  std::vector<Job> jobs;
  jobs.push_back({"nightly-analysis", "recompute all analyses (fincrm analyze) after the day's trading import",
                  {0, options.nightly_analysis_minute}, RunNightlyAnalysis, NeverAnalysed});
  if (options.rescore) {
    auto rescore = options.rescore;
    jobs.push_back({"rescoring", "rescore the churn risk of customers whose facts changed (live, this server)",
                    {options.rescore_every_seconds, -1},
                    [rescore](const JobContext&) -> Result<JobOutcome> {
                      auto raised = rescore();
                      if (!raised.ok()) return raised.status();
                      return JobOutcome{*raised, std::to_string(*raised) + " churn alerts raised"};
                    },
                    {}});
  }
  return jobs;
}

}  // namespace fincrm
