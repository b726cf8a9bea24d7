#include "api/modules/ticket_module.h"

#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/api_server.h"
#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/modules/knowledge_module.h"
#include "api/modules/call_center_module.h"
#include "api/modules/return_visit_module.h"
#include "api/modules/script_module.h"
#include "api/modules/suitability_module.h"
#include "api/modules/holding_module.h"
#include "api/modules/nba_module.h"
#include "api/modules/portal_module.h"
#include "api/modules/campaign_module.h"
#include "api/modules/research_module.h"
#include "api/request_json.h"
#include "api/route_support.h"
#include "core/group_commit.h"
#include "core/json_writer.h"
#include "service/tickets/sla_clock.h"
#include "storage/calendar_store.h"
#include "storage/call_store.h"
#include "storage/script_store.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxSubject = 200, kMaxDescription = 20000, kMaxShortField = 64;

// A ticket on its way to the group commit, with where the request came from (for its
// audit entry).
struct NewTicket {
  Ticket ticket;
  std::string source;
};

class TicketModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "tickets"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (TicketModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"POST", "/api/v1/tickets", P::kWriteTickets, bind(&TicketModule::Create)},
        {"GET", "/api/v1/tickets", P::kReadTickets, bind(&TicketModule::List)},
        {"GET", "/api/v1/tickets/{ticket_id}", P::kReadTickets, bind(&TicketModule::Get)},
        {"PATCH", "/api/v1/tickets/{ticket_id}", P::kWriteTickets, bind(&TicketModule::Change)},
        {"GET", "/api/v1/sla-policies", P::kReadTickets, bind(&TicketModule::Policies)},
        {"GET", "/api/v1/calendar", P::kReadOrganisation, bind(&TicketModule::Calendar)},
        // The investor portal: a customer's own service requests, which are tickets.
        {"POST", "/api/v1/portal/service-requests", P::kPortal, bind(&TicketModule::PortalRequest)},
        {"GET", "/api/v1/portal/service-requests", P::kPortal, bind(&TicketModule::PortalRequests)},
    };
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    // Opened once here so that the migrations run before the first request.
    auto tickets = OpenTicketStore(environment_.db_path);
    if (!tickets.ok()) return tickets.status();
    auto calendars = OpenCalendarStore(environment_.db_path);
    if (!calendars.ok()) return calendars.status();
    creator_ = std::make_unique<GroupCommit<NewTicket, Result<int64_t>>>("fincrm-tickets", CreateBatch(environment_.db_path));
    return Status::Ok();
  }

  void Stop() override {
    if (creator_) creator_->Stop();
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override { return {SlaEscalationJob(options)}; }

 private:
  struct ThreadStores {
    std::unique_ptr<TicketStore> tickets;
    std::unique_ptr<CalendarStore> calendars;
  };

  // This thread's connections (stores are one thread's at a time).
  ThreadStores& Stores() {
    std::lock_guard lock(stores_mutex_);
    ThreadStores& stores = stores_[std::this_thread::get_id()];
    if (!stores.tickets) {
      auto tickets = OpenTicketStore(environment_.db_path);
      if (!tickets.ok()) ThrowStatus(tickets.status());
      auto calendars = OpenCalendarStore(environment_.db_path);
      if (!calendars.ok()) ThrowStatus(calendars.status());
      stores.tickets = std::move(*tickets);
      stores.calendars = std::move(*calendars);
    }
    return stores;
  }

  // The calendar in force, read again at most every 30 s (an import takes effect
  // without a restart).
  std::shared_ptr<const StoredCalendar> Calendar(ThreadStores& stores) {
    auto wall = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(calendar_mutex_);
      if (calendar_ && wall - calendar_read_ < std::chrono::seconds(30)) return calendar_;
    }
    auto current = stores.calendars->Current();
    if (!current.ok()) ThrowStatus(current.status());
    auto calendar = std::make_shared<StoredCalendar>();
    if (*current) *calendar = std::move(**current);
    std::lock_guard lock(calendar_mutex_);
    calendar_ = calendar;
    calendar_read_ = wall;
    return calendar_;
  }

  // The group commit of new tickets: the writer thread's own connection stores each
  // batch, with each ticket's audit entry (to the audit outbox), in one transaction;
  // when a batch fails, its tickets are tried one by one so that one bad ticket fails
  // alone. One commit per batch: the request no longer waits for a second one (the
  // audit trail's), which had halved the tickets a second 64 connections could make.
  static GroupCommit<NewTicket, Result<int64_t>>::CommitBatch CreateBatch(std::string db_path) {
    return [db_path, store = std::shared_ptr<TicketStore>()](std::vector<NewTicket>& batch) mutable {
      std::vector<Result<int64_t>> outcomes;
      if (!store) {
        auto opened = OpenTicketStore(db_path);
        if (!opened.ok()) {
          outcomes.assign(batch.size(), opened.status());
          return outcomes;
        }
        store = std::move(*opened);
      }
      std::vector<Ticket> tickets;
      tickets.reserve(batch.size());
      for (const NewTicket& item : batch) tickets.push_back(item.ticket);
      auto audit_of = [&](size_t offset) {
        return [&, offset](const Ticket& t, int64_t id, size_t index) {
          return AuditEntry{0, t.created_at, t.created_by, "ticket.create", t.customer_id,
                            "ticket " + std::to_string(id) + " " + std::string(EnumCode(t.type)) + " " +
                                std::string(EnumCode(t.priority)) + " sla " + t.sla.policy,
                            batch[offset + index].source, {}, {}};
        };
      };
      auto ids = store->CreateAll(tickets, audit_of(0));
      if (ids.ok()) {
        outcomes.assign(ids->begin(), ids->end());
      } else if (batch.size() == 1) {
        outcomes.push_back(ids.status());
      } else {
        for (size_t i = 0; i < tickets.size(); ++i) outcomes.push_back(store->Create(tickets[i], audit_of(i)));
      }
      return outcomes;
    };
  }

  // The SLA policies in force, read again at most every 30 s (as the calendar).
  std::shared_ptr<const std::vector<SlaPolicy>> PoliciesInForce(ThreadStores& stores) {
    auto wall = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(policies_mutex_);
      if (policies_ && wall - policies_read_ < std::chrono::seconds(30)) return policies_;
    }
    auto loaded = stores.tickets->Policies();
    if (!loaded.ok()) ThrowStatus(loaded.status());
    auto policies = std::make_shared<const std::vector<SlaPolicy>>(std::move(*loaded));
    std::lock_guard lock(policies_mutex_);
    policies_ = policies;
    policies_read_ = wall;
    return policies_;
  }

  // The script version used: the current one when only the script is named; a version
  // that was never stored is refused.
  void RecordScript(Ticket& ticket) {
    if (!ticket.script_id) {
      if (ticket.script_version) throw ApiError{422, "invalid", "needs script_id", "script_version"};
      return;
    }
    ScriptStore& scripts = scripts_.Get();
    auto script = ticket.script_version ? scripts.GetVersion(ticket.script_id, ticket.script_version)
                                        : scripts.Get(ticket.script_id);
    if (!script.ok()) throw ApiError{422, "invalid", script.status().message(), "script_id"};
    ticket.script_version = script->version;
  }

  static int64_t TicketId(const HttpRequest& request) { return PathId(request, "ticket_id", "ticket"); }

  // The ticket if the caller may see it: out of scope answers as unknown.
  Ticket Visible(ModuleCall& call, TicketStore& tickets, int64_t id) {
    auto ticket = tickets.Get(id);
    if (!ticket.ok()) {
      if (ticket.status().code() == StatusCode::kNotFound) {
        throw ApiError{404, "not_found", "no ticket " + std::to_string(id), "ticket_id"};
      }
      ThrowStatus(ticket.status());
    }
    if (!InScope(call.principal, ticket->branch_id, ticket->broker_id)) {
      throw ApiError{404, "not_found", "no ticket " + std::to_string(id), "ticket_id"};
    }
    return std::move(*ticket);
  }

  SlaPolicy PolicyFor(ThreadStores& stores, const Ticket& ticket, std::string_view tier) {
    auto policies = PoliciesInForce(stores);
    const SlaPolicy* policy = MatchSlaPolicy(*policies, ticket, tier);
    if (!policy) throw ApiError{500, "internal", "no SLA policy matches (the last policy should match anything)", ""};
    return *policy;
  }

  std::string TierOf(Store& store, const std::string& customer_id) {
    auto score = store.GetCustomerScore(customer_id);
    return score.ok() && *score ? (*score)->tier : "";
  }


  // The ticket, its SLA as of `now`, and its history when given (the single-ticket read).
  void WriteTicket(JsonWriter& json, const Ticket& t, const BusinessCalendar& calendar, Timestamp now,
                   const std::vector<TicketChange>* history = nullptr) {
    SlaStatus status = SlaStatusAt(t, calendar, now);
    json.BeginObject()
        .Field("ticket_id", t.ticket_id)
        .Field("customer_id", t.customer_id)
        .Field("branch_id", t.branch_id)
        .Field("broker_id", t.broker_id)
        .Field("type", EnumCode(t.type))
        .Field("priority", EnumCode(t.priority))
        .Field("state", EnumCode(t.state))
        .Field("channel", t.channel)
        .Field("subject", t.subject)
        .Field("description", t.description)
        .Field("owner", t.owner)
        .Field("team", t.team)
        .Field("complaint_category", t.complaint_category)
        .Field("call_id", t.call_id)
        .Field("script_id", t.script_id)
        .Field("script_version", t.script_version)
        .Field("created_by", t.created_by);
    WriteTime(json, "created_at", t.created_at);
    WriteTime(json, "updated_at", t.updated_at);
    json.Key("sla").BeginObject().Field("policy", t.sla.policy).Field("status", EnumCode(status));
    WriteTime(json, "first_response_due", t.sla.first_response_due);
    WriteTime(json, "first_responded_at", t.sla.first_responded_at);
    WriteTime(json, "resolution_due", t.sla.resolution_due);
    WriteTime(json, "next_response_due", t.sla.next_response_due);
    WriteTime(json, "resolved_at", t.sla.resolved_at);
    int64_t elapsed = t.sla.elapsed_seconds;
    if (t.sla.clock_since.seconds) elapsed += calendar.BusinessTimeBetween(t.sla.clock_since, now);
    json.Field("business_seconds_elapsed", elapsed)
        .Field("resolution_target_seconds", t.sla.resolution_seconds)
        .Field("next_response_target_seconds", t.sla.next_response_seconds)
        .Field("paused", t.state == TicketState::kPendingCustomer)
        .Field("breached", status == SlaStatus::kBreached)
        .Field("escalation_level", t.sla.escalation_level)
        .EndObject();
    if (history) {
      json.Key("history").BeginArray();
      for (const TicketChange& c : *history) {
        json.BeginObject().Field("at", FormatTimestamp(c.at)).Field("actor", c.actor).Field("field", c.field);
        json.Field("from", c.from).Field("to", c.to).EndObject();
      }
      json.EndArray();
    }
    json.EndObject();
  }

  HttpResponse Create(ModuleCall& call) {
    std::vector<JsonField> fields = JsonBody(call.request);
    Ticket ticket;
    bool has_type = false, has_subject = false;
    for (const JsonField& f : fields) {
      if (f.name == "customer_id") ticket.customer_id = Text(f, kMaxShortField);
      else if (f.name == "type") ticket.type = Enum<TicketType>(f), has_type = true;
      else if (f.name == "priority") ticket.priority = Enum<TicketPriority>(f);
      else if (f.name == "subject") ticket.subject = Text(f, kMaxSubject), has_subject = true;
      else if (f.name == "description") ticket.description = Text(f, kMaxDescription);
      else if (f.name == "channel") ticket.channel = Text(f, kMaxShortField);
      else if (f.name == "owner") ticket.owner = Text(f, kMaxShortField);
      else if (f.name == "team") ticket.team = Text(f, kMaxShortField);
      else if (f.name == "complaint_category") ticket.complaint_category = Text(f, kMaxShortField);
      else if (f.name == "call_id") ticket.call_id = Text(f, 128);
      else if (f.name == "script_id") ticket.script_id = PositiveInt(f);
      else if (f.name == "script_version") ticket.script_version = PositiveInt(f);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    RecordScript(ticket);
    if (!ticket.call_id.empty()) {
      auto from = calls_.Get().Get(ticket.call_id);
      if (!from.ok() || (!from->customer_id.empty() && from->customer_id != ticket.customer_id)) {
        throw ApiError{422, "invalid", "no call '" + ticket.call_id + "' of this customer", "call_id"};
      }
      if (ticket.channel.empty()) ticket.channel = "phone";
    }
    if (ticket.customer_id.empty()) throw ApiError{422, "invalid", "is required", "customer_id"};
    if (!has_type) throw ApiError{422, "invalid", "is required", "type"};
    if (!has_subject || ticket.subject.empty()) throw ApiError{422, "invalid", "is required", "subject"};
    if (!ticket.complaint_category.empty() && ticket.type != TicketType::kComplaint) {
      throw ApiError{422, "invalid", "only complaints have a complaint category", "complaint_category"};
    }
    return Open(call, std::move(ticket));
  }

  // Opens a validated ticket for its customer (in the caller's scope): SLA from its
  // policy, committed with its audit entry, announced to the other modules.
  HttpResponse Open(ModuleCall& call, Ticket ticket) {
    auto customer = call.store.GetCustomer(ticket.customer_id);
    if (!customer.ok() || !InScope(call.principal, *customer)) {
      if (!customer.ok() && customer.status().code() != StatusCode::kNotFound) ThrowStatus(customer.status());
      throw ApiError{404, "not_found", "no customer '" + ticket.customer_id + "'", "customer_id"};
    }
    ticket.branch_id = customer->branch_id;
    ticket.broker_id = customer->broker_id;
    if (ticket.owner.empty() && call.principal.role == UserRole::kBroker) ticket.owner = call.principal.login;
    Timestamp now = environment_.now();
    ticket.created_by = call.principal.login;
    ticket.created_at = ticket.updated_at = now;
    ThreadStores& stores = Stores();
    auto calendar = Calendar(stores);
    StartSla(ticket, PolicyFor(stores, ticket, TierOf(call.store, ticket.customer_id)), calendar->calendar, now);
    auto id = creator_->Submit({ticket, call.request.remote_address});
    if (!id.ok()) ThrowStatus(id.status());
    ticket.ticket_id = *id;
    call.audit.OutboxWritten();  // the audit entry committed with the ticket
    environment_.publish({"ticket.created", ticket.customer_id, ticket.ticket_id, std::string(EnumCode(ticket.type)), now});
    JsonWriter json;
    WriteTicket(json, ticket, calendar->calendar, now);
    return JsonResponse(json.Take(), 201);
  }

  HttpResponse Get(ModuleCall& call) {
    ThreadStores& stores = Stores();
    Ticket ticket = Visible(call, *stores.tickets, TicketId(call.request));
    auto history = stores.tickets->History(ticket.ticket_id);
    if (!history.ok()) ThrowStatus(history.status());
    auto calendar = Calendar(stores);
    JsonWriter json;
    WriteTicket(json, ticket, calendar->calendar, environment_.now(), &*history);
    return JsonResponse(json.Take());
  }

  // {"type"?: service_request | inquiry | complaint | account_change, "subject", "description"?}
  HttpResponse PortalRequest(ModuleCall& call) {
    Ticket ticket;
    ticket.type = TicketType::kServiceRequest;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "type") ticket.type = Enum<TicketType>(f);
      else if (f.name == "subject") ticket.subject = Text(f, kMaxSubject);
      else if (f.name == "description") ticket.description = Text(f, kMaxDescription);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    if (ticket.type == TicketType::kReturnVisit) {
      throw ApiError{422, "invalid", "expected service_request, inquiry, complaint or account_change", "type"};
    }
    if (ticket.subject.empty()) throw ApiError{422, "invalid", "is required", "subject"};
    ticket.customer_id = call.principal.customer_id;
    ticket.channel = "portal";
    return Open(call, std::move(ticket));
  }

  // The customer's requests with their state and SLA, without the staff's working fields.
  HttpResponse PortalRequests(ModuleCall& call) {
    TicketQuery query;
    query.customer_id = call.principal.customer_id;
    query.after = QueryInt(call.request, "after", 0, 0, INT64_MAX);
    query.limit = static_cast<int>(QueryInt(call.request, "limit", 50, 1, 200));
    Timestamp now = environment_.now();
    query.now = now;
    ThreadStores& stores = Stores();
    auto tickets = stores.tickets->List(query);
    if (!tickets.ok()) ThrowStatus(tickets.status());
    auto calendar = Calendar(stores);
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Ticket& t : *tickets) {
      json.BeginObject()
          .Field("ticket_id", t.ticket_id)
          .Field("type", EnumCode(t.type))
          .Field("type_label", EnumLabelZh(t.type))
          .Field("state", EnumCode(t.state))
          .Field("state_label", EnumLabelZh(t.state))
          .Field("subject", t.subject)
          .Field("channel", t.channel);
      WriteTime(json, "created_at", t.created_at);
      WriteTime(json, "resolution_due", t.sla.resolution_due);
      WriteTime(json, "resolved_at", t.sla.resolved_at);
      json.Field("sla_status", EnumCode(SlaStatusAt(t, calendar->calendar, now))).EndObject();
    }
    json.EndArray().Key("next_after");
    if (static_cast<int>(tickets->size()) == query.limit) json.Int(tickets->back().ticket_id);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse List(ModuleCall& call) {
    const HttpRequest& r = call.request;
    TicketQuery query;
    if (r.HasQuery("state")) query.state = QueryEnum<TicketState>(r, "state");
    query.owner = r.Query("owner");
    query.customer_id = r.Query("customer_id");
    if (r.HasQuery("breached")) {
      std::string_view b = r.Query("breached");
      if (b != "true" && b != "false") throw ApiError{400, "bad_parameter", "expected true or false", "breached"};
      query.breached = b == "true";
    }
    query.after = QueryInt(r, "after", 0, 0, INT64_MAX);
    query.limit = static_cast<int>(QueryInt(r, "limit", 100, 1, 1000));
    DataScope scope = CustomerScopeOf(call.principal);
    query.branch_id = scope.branch_id;
    query.broker_id = scope.broker_id;
    Timestamp now = environment_.now();
    query.now = now;
    ThreadStores& stores = Stores();
    auto tickets = stores.tickets->List(query);
    if (!tickets.ok()) ThrowStatus(tickets.status());
    auto calendar = Calendar(stores);
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Ticket& t : *tickets) WriteTicket(json, t, calendar->calendar, now);
    json.EndArray().Key("next_after");
    if (static_cast<int>(tickets->size()) == query.limit) json.Int(tickets->back().ticket_id);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Change(ModuleCall& call) {
    std::vector<JsonField> fields = JsonBody(call.request);
    if (fields.empty()) throw ApiError{422, "invalid", "nothing to change", ""};
    ThreadStores& stores = Stores();
    Ticket ticket = Visible(call, *stores.tickets, TicketId(call.request));
    Timestamp expected = ticket.updated_at;
    Timestamp now = environment_.now();
    // Two changes within the same second would look unchanged to the optimistic check.
    if (now <= ticket.updated_at) now = Timestamp{ticket.updated_at.seconds + 1};
    auto calendar = Calendar(stores);
    std::vector<TicketChange> changes;
    auto record = [&](std::string field, std::string from, std::string to) {
      if (from != to) changes.push_back({ticket.ticket_id, now, call.principal.login, std::move(field), std::move(from), std::move(to)});
    };
    std::optional<TicketState> to_state;
    std::optional<TicketPriority> to_priority;
    bool responded = false;
    for (const JsonField& f : fields) {
      if (f.name == "state") to_state = Enum<TicketState>(f);
      else if (f.name == "responded") {
        if (f.kind != JsonField::kBool || f.text != "1") throw ApiError{422, "invalid", "must be true", f.name};
        responded = true;
      }
      else if (f.name == "priority") to_priority = Enum<TicketPriority>(f);
      else if (f.name == "owner") record("owner", ticket.owner, ticket.owner = Text(f, kMaxShortField)), void();
      else if (f.name == "team") record("team", ticket.team, ticket.team = Text(f, kMaxShortField)), void();
      else if (f.name == "complaint_category") {
        if (ticket.type != TicketType::kComplaint) {
          throw ApiError{422, "invalid", "only complaints have a complaint category", "complaint_category"};
        }
        std::string before = ticket.complaint_category;
        ticket.complaint_category = Text(f, kMaxShortField);
        record("complaint_category", before, ticket.complaint_category);
      } else {
        throw ApiError{422, "invalid", "cannot be changed (or unknown)", f.name};
      }
    }
    if (to_priority && *to_priority != ticket.priority) {
      record("priority", std::string(EnumCode(ticket.priority)), std::string(EnumCode(*to_priority)));
      ticket.priority = *to_priority;
      RetargetSla(ticket, PolicyFor(stores, ticket, TierOf(call.store, ticket.customer_id)), calendar->calendar, now);
    }
    bool resolving = to_state == TicketState::kResolved && ticket.state != TicketState::kResolved;
    if (to_state && *to_state != ticket.state) {
      if (!TicketTransitionAllowed(ticket.state, *to_state)) {
        throw ApiError{409, "conflict",
                       "a ticket cannot go from " + std::string(EnumCode(ticket.state)) + " to " +
                           std::string(EnumCode(*to_state)),
                       "state"};
      }
      record("state", std::string(EnumCode(ticket.state)), std::string(EnumCode(*to_state)));
      MoveSla(ticket, *to_state, calendar->calendar, now);
    }
    if (responded) {
      // Recorded whether or not a customer's answer awaited it: a reply is part of the file.
      bool awaited = RecordResponse(ticket, now);
      changes.push_back({ticket.ticket_id, now, call.principal.login, "responded", awaited ? "awaited" : "", FormatTimestamp(now)});
    }
    if (!changes.empty()) {
      ticket.updated_at = now;
      Status updated = stores.tickets->Update(ticket, expected, changes);
      if (!updated.ok()) ThrowStatus(updated);
      if (resolving) {
        environment_.publish({"ticket.resolved", ticket.customer_id, ticket.ticket_id, std::string(EnumCode(ticket.type)), now});
      }
      std::string detail = "ticket " + std::to_string(ticket.ticket_id);
      for (const TicketChange& c : changes) detail += " " + c.field + " " + c.from + "->" + c.to;
      call.audit.Record(call.principal.login, "ticket.update", ticket.customer_id, detail, call.request.remote_address);
    }
    JsonWriter json;
    WriteTicket(json, ticket, calendar->calendar, now);
    return JsonResponse(json.Take());
  }

  HttpResponse Policies(ModuleCall&) {
    auto policies = Stores().tickets->Policies();
    if (!policies.ok()) ThrowStatus(policies.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const SlaPolicy& p : *policies) {
      json.BeginObject().Field("position", p.position).Field("name", p.name);
      json.Key("type");
      if (p.type) json.String(EnumCode(*p.type));
      else json.Null();
      json.Key("priority");
      if (p.priority) json.String(EnumCode(*p.priority));
      else json.Null();
      json.Field("tier", p.tier).Field("channel", p.channel);
      json.Field("first_response_minutes", p.first_response_minutes)
          .Field("next_response_minutes", p.next_response_minutes)
          .Field("resolution_minutes", p.resolution_minutes)
          .Field("warn_percent", p.warn_percent)
          .EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Calendar(ModuleCall& call) {
    ThreadStores& stores = Stores();
    auto calendar = Calendar(stores);
    int year = static_cast<int>(QueryInt(call.request, "year", 0, 1990, 2100));
    if (year == 0) {
      unsigned month, day;
      CivilFromDays(ShanghaiDate(environment_.now()).days, year, month, day);
    }
    JsonWriter json;
    json.BeginObject().Field("version", calendar->version.version).Field("year", year);
    json.Key("working_periods").BeginArray();
    for (const WorkingPeriod& p : calendar->calendar.periods()) json.String(FormatWorkingPeriod(p));
    json.EndArray().Key("days").BeginArray();
    int trading = 0, working = 0;
    for (Date d{DaysFromCivil(year, 1, 1)}; d.days < DaysFromCivil(year + 1, 1, 1); ++d.days) {
      trading += calendar->calendar.IsTradingDay(d);
      working += calendar->calendar.IsWorkingDay(d);
    }
    for (const CalendarDay& day : calendar->calendar.days()) {
      if (day.date.days < DaysFromCivil(year, 1, 1) || day.date.days >= DaysFromCivil(year + 1, 1, 1)) continue;
      json.BeginObject().Field("date", FormatDate(day.date)).Field("kind", EnumCode(day.kind)).Field("name", day.name);
      json.EndObject();
    }
    json.EndArray().Field("working_days", working).Field("trading_days", trading).EndObject();
    return JsonResponse(json.Take());
  }

  ModuleEnvironment environment_;
  PerThread<CallStore> calls_{[this] { return OpenCallStore(environment_.db_path); }};
  PerThread<ScriptStore> scripts_{[this] { return OpenScriptStore(environment_.db_path); }};
  std::mutex stores_mutex_;
  std::unordered_map<std::thread::id, ThreadStores> stores_;
  std::mutex calendar_mutex_;
  std::shared_ptr<const StoredCalendar> calendar_;
  std::chrono::steady_clock::time_point calendar_read_;
  std::mutex policies_mutex_;
  std::shared_ptr<const std::vector<SlaPolicy>> policies_;
  std::chrono::steady_clock::time_point policies_read_;
  std::unique_ptr<GroupCommit<NewTicket, Result<int64_t>>> creator_;
};

}  // namespace

std::unique_ptr<ServiceModule> MakeTicketModule() { return std::make_unique<TicketModule>(); }

std::vector<std::unique_ptr<ServiceModule>> DefaultServiceModules() {
  std::vector<std::unique_ptr<ServiceModule>> modules;
  modules.push_back(MakeTicketModule());
  modules.push_back(MakeReturnVisitModule());
  modules.push_back(MakeKnowledgeModule());
  modules.push_back(MakeCallCenterModule());
  modules.push_back(MakeScriptModule());
  modules.push_back(MakeSuitabilityModule());
  modules.push_back(MakeHoldingModule());
  modules.push_back(MakeResearchModule());
  modules.push_back(MakeNbaModule());
  modules.push_back(MakePortalModule());
  modules.push_back(MakeCampaignModule());
  return modules;
}

}  // namespace fincrm
