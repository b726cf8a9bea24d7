#include "api/modules/return_visit_module.h"

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "service/return_visits/visit_attempt.h"
#include "service/return_visits/visit_planner.h"
#include "storage/calendar_store.h"
#include "storage/return_visit_store.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxNotes = 10000, kMaxScriptVersion = 64;

class ReturnVisitModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "return_visits"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (ReturnVisitModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"GET", "/api/v1/return-visits", P::kReadTickets, bind(&ReturnVisitModule::List)},
        {"GET", "/api/v1/return-visits/quota", P::kReadTickets, bind(&ReturnVisitModule::Quota)},
        {"PATCH", "/api/v1/return-visits/{visit_id}", P::kWriteTickets, bind(&ReturnVisitModule::Attempt)},
    };
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto visits = OpenReturnVisitStore(environment_.db_path);  // migrations before the first request
    return visits.ok() ? Status::Ok() : visits.status();
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    planning_ = options.visits;
    return {ReturnVisitPlanningJob(options)};
  }

  // A resolved complaint gets its visit at once, not at the next morning's planning.
  std::vector<ModuleEventHandler> EventHandlers() override {
    return {{"ticket.resolved", [this](const ModuleEvent& event) { return PlanComplaintVisit(event); }}};
  }

 private:
  // On the event thread only, which owns these stores.
  Status PlanComplaintVisit(const ModuleEvent& event) {
    if (event.kind != EnumCode(TicketType::kComplaint)) return Status::Ok();
    if (!event_stores_.tickets) {
      auto tickets = OpenTicketStore(environment_.db_path);
      if (!tickets.ok()) return tickets.status();
      auto calendars = OpenCalendarStore(environment_.db_path);
      if (!calendars.ok()) return calendars.status();
      auto visits = OpenReturnVisitStore(environment_.db_path);
      if (!visits.ok()) return visits.status();
      event_stores_ = {std::move(*tickets), std::move(*calendars), std::move(*visits)};
    }
    auto ticket = event_stores_.tickets->Get(event.subject_id);
    if (!ticket.ok()) return ticket.status();
    if (ticket->state != TicketState::kResolved && ticket->state != TicketState::kClosed) return Status::Ok();
    auto calendar = event_stores_.calendars->Current();
    if (!calendar.ok()) return calendar.status();
    BusinessCalendar in_force = *calendar ? (*calendar)->calendar : BusinessCalendar();
    auto planned = event_stores_.visits->Plan({ComplaintVisit(*ticket, in_force, environment_.now(), planning_)});
    return planned.status();
  }

  static void WriteVisit(JsonWriter& json, const ReturnVisit& v, Date today) {
    json.BeginObject()
        .Field("visit_id", v.visit_id)
        .Field("customer_id", v.customer_id)
        .Field("branch_id", v.branch_id)
        .Field("broker_id", v.broker_id)
        .Field("reason", EnumCode(v.reason))
        .Field("reason_label", EnumLabelZh(v.reason))
        .Field("source", v.source)
        .Field("due_on", FormatDate(v.due_on))
        .Field("status", EnumCode(VisitStatusOn(v, today)))
        .Field("attempts", int64_t{v.attempts})
        .Field("max_attempts", int64_t{kMaxVisitAttempts});
    WriteTime(json, "last_attempt_at", v.last_attempt_at);
    json.Field("outcome", v.outcome).Field("script_version", v.script_version).Field("notes", v.notes);
    json.Field("closed_by", v.closed_by);
    WriteTime(json, "closed_at", v.closed_at);
    json.Key("retain_until");
    if (v.retain_until.days) json.String(FormatDate(v.retain_until));
    else json.Null();
    WriteTime(json, "created_at", v.created_at);
    json.EndObject();
  }

  HttpResponse List(ModuleCall& call) {
    const HttpRequest& r = call.request;
    ReturnVisitQuery query;
    query.today = ShanghaiDate(environment_.now());
    if (r.HasQuery("status")) {
      auto status = ParseEnum<VisitStatus>(r.Query("status"));
      if (!status) throw ApiError{400, "bad_parameter", "expected " + EnumChoices<VisitStatus>(), "status"};
      query.status = *status;
    }
    query.customer_id = std::string(r.Query("customer_id"));
    query.after = QueryInt(r, "after", 0, 0, INT64_MAX);
    query.limit = static_cast<int>(QueryInt(r, "limit", 100, 1, 1000));
    DataScope scope = CustomerScopeOf(call.principal);
    query.branch_id = scope.branch_id;
    query.broker_id = scope.broker_id;
    auto visits = store_.Get().List(query);
    if (!visits.ok()) ThrowStatus(visits.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const ReturnVisit& v : *visits) WriteVisit(json, v, query.today);
    json.EndArray().Key("next_after");
    if (static_cast<int>(visits->size()) == query.limit) json.Int(visits->back().visit_id);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Quota(ModuleCall& call) {
    Date today = ShanghaiDate(environment_.now());
    int year;
    unsigned month, day;
    CivilFromDays(today.days, year, month, day);
    year = static_cast<int>(QueryInt(call.request, "year", year, 1990, 2100));
    DataScope scope = CustomerScopeOf(call.principal);
    if (!scope.broker_id.empty()) {
      throw ApiError{403, "forbidden", "the quota report is per branch: for branch managers and the head office", ""};
    }
    auto rows = store_.Get().Quota(Date{DaysFromCivil(year, 1, 1)}, Date{DaysFromCivil(year, 12, 31)}, today,
                                   scope.branch_id);
    if (!rows.ok()) ThrowStatus(rows.status());
    JsonWriter json;
    json.BeginObject().Field("year", int64_t{year}).Key("items").BeginArray();
    for (const VisitQuota& q : *rows) {
      json.BeginObject()
          .Field("branch_id", q.branch_id)
          .Field("required", q.required)
          .Field("done", q.done)
          .Field("overdue", q.overdue)
          .Field("open", q.required - q.done)
          .EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  // One attempt: its outcome closes the visit (completed, refused, complaint) or leaves
  // it open for another try, until the last allowed attempt closes it as it stands.
  HttpResponse Attempt(ModuleCall& call) {
    int64_t id = PathId(call.request, "visit_id", "return visit");
    ReturnVisitStore& visits = store_.Get();
    auto found = visits.Get(id);
    if (!found.ok()) {
      if (found.status().code() == StatusCode::kNotFound) throw ApiError{404, "not_found", "no return visit " + std::to_string(id), "visit_id"};
      ThrowStatus(found.status());
    }
    ReturnVisit visit = std::move(*found);
    if (!InScope(call.principal, visit.branch_id, visit.broker_id)) {
      throw ApiError{404, "not_found", "no return visit " + std::to_string(id), "visit_id"};
    }
    std::optional<VisitOutcome> outcome;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "outcome") outcome = Enum<VisitOutcome>(f);
      else if (f.name == "notes") visit.notes = Text(f, kMaxNotes);
      else if (f.name == "script_version") visit.script_version = Text(f, kMaxScriptVersion);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    if (!outcome) throw ApiError{422, "invalid", "is required: " + EnumChoices<VisitOutcome>(), "outcome"};
    if (visit.closed) {
      throw ApiError{409, "conflict", "return visit " + std::to_string(id) + " is closed (" + visit.outcome + ")", ""};
    }
    Timestamp now = environment_.now();
    RecordVisitAttempt(visit, *outcome, call.principal.login, now);
    Status updated = visits.Update(visit);
    if (!updated.ok()) ThrowStatus(updated);
    Status audited = call.audit.RecordDurably(call.principal.login, "return_visit.attempt", visit.customer_id,
                                              "visit " + std::to_string(id) + " attempt " + std::to_string(visit.attempts) +
                                                  " " + visit.outcome + (visit.closed ? " closed" : ""),
                                              call.request.remote_address);
    if (!audited.ok()) ThrowStatus(audited);
    JsonWriter json;
    WriteVisit(json, visit, ShanghaiDate(now));
    return JsonResponse(json.Take());
  }

  struct EventStores {
    std::unique_ptr<TicketStore> tickets;
    std::unique_ptr<CalendarStore> calendars;
    std::unique_ptr<ReturnVisitStore> visits;
  } event_stores_;
  VisitPlanningOptions planning_;
  ModuleEnvironment environment_;
  PerThread<ReturnVisitStore> store_{[this] { return OpenReturnVisitStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeReturnVisitModule() { return std::make_unique<ReturnVisitModule>(); }

}  // namespace fincrm
