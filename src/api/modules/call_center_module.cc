#include "api/modules/call_center_module.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "api/audit_recorder.h"
#include "api/cti_event_parser.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "core/phone_number.h"
#include "service/callcenter/call_flow.h"
#include "service/callcenter/script_filler.h"
#include "storage/call_store.h"
#include "storage/caller_lookup.h"
#include "storage/return_visit_store.h"
#include "storage/script_store.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxNotes = 10000, kMaxShortField = 64, kMaxLabel = 100;
constexpr int kMaxMatches = 10;

// The agents' open event streams. A screen pop goes to each stream whose principal may
// see the caller; a call's own events to the agent handling it.
class StreamHub {
 public:
  void Add(const Principal& principal, std::shared_ptr<ResponseStream> stream) {
    std::lock_guard lock(mutex_);
    Prune();
    streams_.push_back({principal, std::move(stream)});
  }

  // `render` gives each principal's event text ("" for none).
  void Send(const std::function<std::string(const Principal&)>& render) {
    std::vector<Subscriber> targets;
    {
      std::lock_guard lock(mutex_);
      Prune();
      targets = streams_;
    }
    for (Subscriber& s : targets) {
      std::string text = render(s.principal);
      if (!text.empty()) s.stream->Push(text);
    }
  }

  bool Connected(std::string_view login) {
    std::lock_guard lock(mutex_);
    Prune();
    return std::any_of(streams_.begin(), streams_.end(), [&](const Subscriber& s) { return s.principal.login == login; });
  }

 private:
  struct Subscriber {
    Principal principal;
    std::shared_ptr<ResponseStream> stream;
  };
  void Prune() {
    std::erase_if(streams_, [](const Subscriber& s) { return !s.stream->open(); });
  }
  std::mutex mutex_;
  std::vector<Subscriber> streams_;
};

// One "event: name" block of an event stream; data on one line (JSON has no raw newlines).
std::string StreamEvent(std::string_view name, std::string_view id, std::string_view json) {
  std::string out = "event: " + std::string(name) + "\n";
  if (!id.empty()) out += "id: " + std::string(id) + "\n";
  out += "data: " + std::string(json) + "\n\n";
  return out;
}

Timestamp TimeField(const JsonField& f) {
  auto at = ParseTimestamp(f.text);
  if (f.kind != JsonField::kString || !at.ok()) {
    throw ApiError{422, "invalid", "expected an ISO-8601 time such as 2026-12-02T15:00:00+08:00", f.name};
  }
  return *at;
}

// What an agent needs about one caller (as CallerLookup read it, with the suggested
// script filled in), read once and rendered per viewer.
struct CallerSummary : CallerRecord {
  std::optional<ServiceScript> script;
  std::string script_text;
};

class CallCenterModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "callcenter"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (CallCenterModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"POST", "/api/v1/cti", P::kCallEvents, bind(&CallCenterModule::Cti)},
        {"GET", "/api/v1/cti/agents/{login}", P::kCallEvents, bind(&CallCenterModule::AgentReadiness)},
        {"GET", "/api/v1/callcenter/lookup", P::kWorkCalls, bind(&CallCenterModule::Lookup), /*quick=*/true},
        {"GET", "/api/v1/callcenter/stream", P::kWorkCalls, bind(&CallCenterModule::Stream)},
        {"GET", "/api/v1/callcenter/me", P::kWorkCalls, bind(&CallCenterModule::Me)},
        {"GET", "/api/v1/callcenter/wrap-up-codes", P::kWorkCalls, bind(&CallCenterModule::Codes)},
        {"PUT", "/api/v1/callcenter/wrap-up-codes", P::kManageKnowledge, bind(&CallCenterModule::ReplaceCodes)},
        {"GET", "/api/v1/calls", P::kReadCalls, bind(&CallCenterModule::ListCalls)},
        {"GET", "/api/v1/calls/{call_id}", P::kReadCalls, bind(&CallCenterModule::GetCall)},
        {"POST", "/api/v1/calls/{call_id}/wrap-up", P::kWorkCalls, bind(&CallCenterModule::WrapUp)},
        {"POST", "/api/v1/callbacks", P::kWorkCalls, bind(&CallCenterModule::AddCallback)},
        {"GET", "/api/v1/callbacks", P::kReadCalls, bind(&CallCenterModule::ListCallbacks)},
        {"PATCH", "/api/v1/callbacks/{callback_id}", P::kWorkCalls, bind(&CallCenterModule::ChangeCallback)},
        {"GET", "/api/v1/worklist", P::kWorkCalls, bind(&CallCenterModule::Worklist)},
    };
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    // Opened once here so that the migrations run before the first request.
    for (auto opened : {OpenCallStore(environment_.db_path).status(), OpenScriptStore(environment_.db_path).status(),
                        OpenTicketStore(environment_.db_path).status(),
                        OpenReturnVisitStore(environment_.db_path).status()}) {
      if (!opened.ok()) return opened;
    }
    return Status::Ok();
  }

 private:
  // ---- the PBX ----

  HttpResponse Cti(ModuleCall& call) {
    auto parsed = ParseCtiEvent(call.request.body);
    if (!parsed.ok()) throw ApiError{422, "invalid", parsed.status().message(), parsed.status().field()};
    const CtiEvent& event = *parsed;
    CallStore& calls = calls_.Get();
    Timestamp now = environment_.now();
    auto applied_before = calls.EventApplied(event.call_id, event.kind);
    Check(applied_before.status());
    std::optional<CallRecord> existing;
    auto found = calls.Get(event.call_id);
    if (found.ok()) existing = std::move(*found);
    else if (found.status().code() != StatusCode::kNotFound) ThrowStatus(found.status());
    if (*applied_before) return CtiAnswer(*existing, false);  // a repeat changes nothing
    auto next = ApplyCtiEvent(existing, event, now);
    if (!next.ok()) {
      const Status& s = next.status();
      int status = s.code() == StatusCode::kNotFound ? 404 : s.code() == StatusCode::kFailedPrecondition ? 409 : 422;
      throw ApiError{status, status == 404 ? "not_found" : status == 409 ? "conflict" : "invalid", s.message(), s.field()};
    }
    CallRecord& record = *next;
    std::vector<CallerSummary> callers;
    if (event.kind == CtiEventKind::kNewCall && !record.customer_phone.empty()) {
      callers = Callers(record.customer_phone, record.direction == CallDirection::kIn ? "in" : "out");
      if (callers.size() == 1) {
        record.customer_id = callers[0].customer.customer_id;
        record.branch_id = callers[0].customer.branch_id;
        record.broker_id = callers[0].customer.broker_id;
        if (callers[0].script) {
          record.script_id = callers[0].script->script_id;
          record.script_version = callers[0].script->version;
        }
      }
    }
    auto stored = calls.ApplyEvent(record, event.kind, now);
    Check(stored.status());
    if (!*stored) {  // the same event raced in from a PBX retry and won
      auto current = calls.Get(event.call_id);
      Check(current.status());
      return CtiAnswer(*current, false);
    }
    call.audit.Record(call.principal.login, "cti." + std::string(EnumCode(event.kind)), record.customer_id,
                      "call " + record.call_id + (record.agent.empty() ? "" : " agent " + record.agent),
                      call.request.remote_address);
    if (event.kind == CtiEventKind::kNewCall) {
      PushScreenPop(record, callers);
    } else if (!record.agent.empty()) {
      JsonWriter json;
      WriteCall(json, record);
      std::string text = StreamEvent("call", record.call_id, json.str());
      hub_.Send([&](const Principal& p) { return p.login == record.agent ? text : std::string(); });
    }
    return CtiAnswer(record, true);
  }

  HttpResponse CtiAnswer(const CallRecord& record, bool applied) {
    JsonWriter json;
    json.BeginObject().Field("applied", applied).Key("call");
    WriteCall(json, record);
    if (!record.agent.empty()) json.Field("agent_ready", AwaitingWrapUp(record.agent).empty());
    json.EndObject();
    return JsonResponse(json.Take(), applied && record.state == CallState::kRinging ? 201 : 200);
  }

  std::vector<CallRecord> AwaitingWrapUp(const std::string& agent) {
    auto waiting = calls_.Get().AwaitingWrapUp(agent);
    Check(waiting.status());
    return std::move(*waiting);
  }

  void WriteReadiness(JsonWriter& json, const std::string& login) {
    std::vector<CallRecord> waiting = AwaitingWrapUp(login);
    json.BeginObject().Field("login", login).Field("ready", waiting.empty());
    json.Key("awaiting_wrap_up").BeginArray();
    for (const CallRecord& c : waiting) json.String(c.call_id);
    json.EndArray().Field("console_connected", hub_.Connected(login)).EndObject();
  }

  HttpResponse AgentReadiness(ModuleCall& call) {
    JsonWriter json;
    WriteReadiness(json, std::string(call.request.Param("login")));
    return JsonResponse(json.Take());
  }

  HttpResponse Me(ModuleCall& call) {
    JsonWriter json;
    WriteReadiness(json, call.principal.login);
    return JsonResponse(json.Take());
  }

  // ---- the screen pop ----

  // The scripts in force, read again at most every 10 s.
  std::shared_ptr<const std::vector<ServiceScript>> Scripts() {
    auto wall = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(scripts_mutex_);
      if (scripts_ && wall - scripts_read_ < std::chrono::seconds(10)) return scripts_;
    }
    auto listed = scripts_store_.Get().List();
    Check(listed.status());
    auto scripts = std::make_shared<const std::vector<ServiceScript>>(std::move(*listed));
    std::lock_guard lock(scripts_mutex_);
    scripts_ = scripts;
    scripts_read_ = wall;
    return scripts_;
  }

  // Every customer whose mobile is `phone`, with what the agent needs (unscoped: each
  // viewer's scope is applied when rendering).
  std::vector<CallerSummary> Callers(const std::string& phone, std::string_view call_type) {
    CallerLookupLimits limits;
    limits.customers = kMaxMatches;
    auto records = lookups_.Get().ByMobile(phone, limits);
    Check(records.status());
    std::vector<CallerSummary> callers;
    callers.reserve(records->size());
    Date today = ShanghaiDate(environment_.now());
    auto scripts = Scripts();
    for (CallerRecord& record : *records) {
      CallerSummary& s = callers.emplace_back();
      static_cast<CallerRecord&>(s) = std::move(record);
      std::string tier = s.score ? s.score->tier : "";
      if (const ServiceScript* script = ChooseScript(*scripts, call_type, "", tier)) {
        s.script = *script;
        s.script_text = FillScript(script->body, ScriptValuesFor(s.customer, tier, "", today));
      }
    }
    return callers;
  }

  // The callers `viewer` may see, as JSON ("matches" and "new_contact").
  void WriteCallers(JsonWriter& json, const std::vector<CallerSummary>& callers, const std::string& phone,
                    const Principal& viewer) {
    FieldVisibility visible = VisibilityFor(viewer.role);
    Timestamp now = environment_.now();
    Date today = ShanghaiDate(now);
    json.Key("matches").BeginArray();
    int shown = 0;
    for (const CallerSummary& s : callers) {
      const Customer& c = s.customer;
      if (!InScope(viewer, c)) continue;
      ++shown;
      json.BeginObject().Field("customer_id", c.customer_id).Field("name", c.name);
      json.Field("mobile", visible.mobile ? c.mobile : MaskMobile(c.mobile));
      json.Field("branch_id", c.branch_id).Field("broker_id", c.broker_id).Field("status", EnumCode(c.status));
      json.Key("risk_level");
      if (c.risk_level) json.String(EnumCode(*c.risk_level));
      else json.Null();
      json.Field("tier", s.score ? s.score->tier : "");
      json.Key("churn_risk");
      if (s.score && s.score->churn_risk >= 0) json.Double(s.score->churn_risk);
      else json.Null();
      json.Key("churn_reasons").BeginArray();
      if (s.score) {
        std::string_view reasons = s.score->churn_reasons;
        while (!reasons.empty()) {
          size_t end = reasons.find("; ");
          json.String(reasons.substr(0, end));
          if (end == std::string_view::npos) break;
          reasons.remove_prefix(end + 2);
        }
      }
      json.EndArray().Key("open_tickets").BeginArray();
      for (const Ticket& t : s.open_tickets) {
        json.BeginObject().Field("ticket_id", t.ticket_id).Field("type", EnumCode(t.type));
        json.Field("priority", EnumCode(t.priority)).Field("state", EnumCode(t.state)).Field("subject", t.subject);
        WriteTime(json, "resolution_due", t.sla.resolution_due);
        json.EndObject();
      }
      json.EndArray().Key("due_return_visits").BeginArray();
      for (const ReturnVisit& v : s.open_visits) {
        json.BeginObject().Field("visit_id", v.visit_id).Field("reason", EnumCode(v.reason));
        json.Field("due_on", FormatDate(v.due_on)).Field("status", EnumCode(VisitStatusOn(v, today))).EndObject();
      }
      json.EndArray().Key("open_callbacks").BeginArray();
      for (const Callback& cb : s.open_callbacks) {
        json.BeginObject().Field("callback_id", cb.callback_id).Field("owner", cb.owner).Field("note", cb.note);
        WriteTime(json, "due_at", cb.due_at);
        json.Field("overdue", cb.due_at < now).EndObject();
      }
      json.EndArray().Key("script");
      if (s.script) {
        json.BeginObject().Field("script_id", s.script->script_id).Field("version", s.script->version);
        json.Field("title", s.script->title).Field("text", s.script_text).EndObject();
      } else {
        json.Null();
      }
      json.EndObject();
    }
    json.EndArray().Key("new_contact");
    if (shown == 0) json.BeginObject().Field("phone", phone).Field("create", "POST /api/v1/customers").EndObject();
    else json.Null();
  }

  void PushScreenPop(const CallRecord& record, const std::vector<CallerSummary>& callers) {
    hub_.Send([&](const Principal& viewer) {
      // An unknown caller pops up only for those who see every customer (agents).
      bool sees_all = !CustomerScopeOf(viewer).nobody && CustomerScopeOf(viewer).branch_id.empty() &&
                      CustomerScopeOf(viewer).broker_id.empty();
      bool any = sees_all;
      for (const CallerSummary& s : callers) any |= InScope(viewer, s.customer);
      if (!any) return std::string();
      JsonWriter json;
      json.BeginObject().Field("call_id", record.call_id).Field("direction", EnumCode(record.direction));
      json.Field("from", record.from).Field("to", record.to).Field("queue", record.queue);
      json.Field("phone", record.customer_phone);
      WriteTime(json, "started_at", record.started_at);
      WriteCallers(json, callers, record.customer_phone, viewer);
      json.EndObject();
      return StreamEvent("screen_pop", record.call_id, json.str());
    });
  }

  HttpResponse Lookup(ModuleCall& call) {
    if (!call.request.HasQuery("phone")) throw ApiError{400, "bad_parameter", "is required", "phone"};
    auto phone = NormalisePhoneNumber(call.request.Query("phone"));
    if (!phone.ok()) throw ApiError{422, "invalid", phone.status().message(), "phone"};
    std::vector<CallerSummary> callers = Callers(phone->digits, "in");
    JsonWriter json;
    json.BeginObject().Field("phone", phone->digits);
    json.Field("kind", phone->kind == PhoneKind::kMobile     ? "mobile"
                       : phone->kind == PhoneKind::kLandline ? "landline"
                                                             : "international");
    WriteCallers(json, callers, phone->digits, call.principal);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Stream(ModuleCall& call) {
    auto stream = std::make_shared<ResponseStream>();
    hub_.Add(call.principal, stream);
    HttpResponse response;
    response.content_type = "text/event-stream; charset=utf-8";
    JsonWriter json;
    WriteReadiness(json, call.principal.login);
    response.body = "retry: 3000\n\n" + StreamEvent("ready", "", json.str());
    response.stream = std::move(stream);
    return response;
  }

  // ---- calls ----

  static void WriteCall(JsonWriter& json, const CallRecord& c) {
    json.BeginObject()
        .Field("call_id", c.call_id)
        .Field("direction", EnumCode(c.direction))
        .Field("from", c.from)
        .Field("to", c.to)
        .Field("phone", c.customer_phone)
        .Field("customer_id", c.customer_id)
        .Field("branch_id", c.branch_id)
        .Field("broker_id", c.broker_id)
        .Field("queue", c.queue)
        .Field("agent", c.agent)
        .Field("state", EnumCode(c.state));
    WriteTime(json, "started_at", c.started_at);
    WriteTime(json, "answered_at", c.answered_at);
    WriteTime(json, "ended_at", c.ended_at);
    json.Field("talk_seconds", c.answered_at.seconds && c.ended_at.seconds ? c.ended_at.seconds - c.answered_at.seconds
                                                                           : int64_t{0});
    json.Field("hangup_cause", c.hangup_cause).Field("wrap_up_code", c.wrap_up_code).Field("notes", c.notes);
    json.Field("follow_up", c.follow_up).Field("script_id", c.script_id).Field("script_version", c.script_version);
    json.Field("ticket_id", c.ticket_id);
    WriteTime(json, "wrapped_up_at", c.wrapped_up_at);
    json.EndObject();
  }

  // Calls of no known customer are the call center's: agents see them, brokers and
  // branch managers do not.
  CallRecord VisibleCall(ModuleCall& call, const std::string& call_id) {
    auto found = calls_.Get().Get(call_id);
    if (!found.ok()) {
      if (found.status().code() == StatusCode::kNotFound) throw ApiError{404, "not_found", "no call '" + call_id + "'", "call_id"};
      ThrowStatus(found.status());
    }
    if (!InScope(call.principal, found->branch_id, found->broker_id)) {
      throw ApiError{404, "not_found", "no call '" + call_id + "'", "call_id"};
    }
    return std::move(*found);
  }

  HttpResponse GetCall(ModuleCall& call) {
    JsonWriter json;
    WriteCall(json, VisibleCall(call, std::string(call.request.Param("call_id"))));
    return JsonResponse(json.Take());
  }

  HttpResponse ListCalls(ModuleCall& call) {
    const HttpRequest& r = call.request;
    CallQuery query;
    query.customer_id = r.Query("customer_id");
    query.agent = r.Query("agent");
    if (r.HasQuery("state")) query.state = QueryEnum<CallState>(r, "state");
    if (r.HasQuery("before")) {
      auto before = ParseTimestamp(r.Query("before"));
      if (!before.ok()) throw ApiError{400, "bad_parameter", "expected an ISO-8601 time", "before"};
      query.before = *before;
    }
    query.limit = static_cast<int>(QueryInt(r, "limit", 100, 1, 1000));
    DataScope scope = CustomerScopeOf(call.principal);
    query.branch_id = scope.branch_id;
    query.broker_id = scope.broker_id;
    auto calls = calls_.Get().List(query);
    Check(calls.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const CallRecord& c : *calls) WriteCall(json, c);
    json.EndArray().Key("next_before");
    if (static_cast<int>(calls->size()) == query.limit) json.String(FormatTimestamp(calls->back().started_at));
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  std::vector<WrapUpCode> CodeTree() {
    auto codes = calls_.Get().WrapUpCodes();
    Check(codes.status());
    return std::move(*codes);
  }

  static InteractionType InteractionTypeOf(std::string_view code) {
    std::string_view top = code.substr(0, code.find('.'));
    if (top == "complaint") return InteractionType::kComplaint;
    if (top == "return_visit") return InteractionType::kReturnVisit;
    if (top == "marketing") return InteractionType::kMarketing;
    return InteractionType::kInquiry;
  }

  // Files the wrap-up: the code from the tree, notes, what follows, the script used, and
  // a callback if one was promised. The call lands on the customer's timeline first
  // (idempotent by the call's id), then the wrap-up and callback in one transaction.
  HttpResponse WrapUp(ModuleCall& call) {
    std::string call_id(call.request.Param("call_id"));
    CallRecord record = VisibleCall(call, call_id);
    std::vector<JsonField> fields = JsonBody(call.request);
    std::optional<Timestamp> callback_due;
    std::string callback_note, callback_owner = call.principal.login;
    bool has_code = false;
    for (const JsonField& f : fields) {
      if (f.name == "wrap_up_code") record.wrap_up_code = Text(f, kMaxShortField), has_code = true;
      else if (f.name == "notes") record.notes = Text(f, kMaxNotes);
      else if (f.name == "follow_up") record.follow_up = Text(f, kMaxLabel);
      else if (f.name == "customer_id") record.customer_id = Text(f, kMaxShortField);
      else if (f.name == "script_id") record.script_id = PositiveInt(f);
      else if (f.name == "script_version") record.script_version = PositiveInt(f);
      else if (f.name == "ticket_id") record.ticket_id = PositiveInt(f);
      else if (f.name == "callback_due_at") callback_due = TimeField(f);
      else if (f.name == "callback_note") callback_note = Text(f, kMaxLabel);
      else if (f.name == "callback_owner") callback_owner = Text(f, kMaxShortField);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    if (!has_code) throw ApiError{422, "invalid", "is required", "wrap_up_code"};
    if (record.state == CallState::kWrappedUp) {
      throw ApiError{409, "conflict", "call '" + call_id + "' is wrapped up already", "call_id"};
    }
    if (record.state != CallState::kEnded) {
      throw ApiError{409, "conflict", "call '" + call_id + "' is " + std::string(EnumCode(record.state)) +
                                          ": it is wrapped up after the hangup", "call_id"};
    }
    if (!record.agent.empty() && record.agent != call.principal.login && call.principal.role != UserRole::kAdmin &&
        call.principal.role != UserRole::kBranchManager) {
      throw ApiError{409, "conflict", "call '" + call_id + "' was answered by " + record.agent + ", who wraps it up",
                     "call_id"};
    }
    const WrapUpCode* code = nullptr;
    std::vector<WrapUpCode> tree = CodeTree();
    for (const WrapUpCode& c : tree) {
      if (c.code == record.wrap_up_code && c.active) code = &c;
    }
    if (!code) throw ApiError{422, "invalid", "not an active code of the wrap-up tree (GET /api/v1/callcenter/wrap-up-codes)", "wrap_up_code"};
    if (record.script_id && !record.script_version) {
      auto script = scripts_store_.Get().Get(record.script_id);
      if (!script.ok()) throw ApiError{422, "invalid", "no script " + std::to_string(record.script_id), "script_id"};
      record.script_version = script->version;
    } else if (record.script_id) {
      auto script = scripts_store_.Get().GetVersion(record.script_id, record.script_version);
      if (!script.ok()) throw ApiError{422, "invalid", script.status().message(), "script_version"};
    }
    std::optional<Customer> customer;
    if (!record.customer_id.empty()) {
      customer = VisibleCustomer(call, record.customer_id, "customer_id");
      record.branch_id = customer->branch_id;
      record.broker_id = customer->broker_id;
    }
    if (record.ticket_id) {
      auto ticket = tickets_.Get().Get(record.ticket_id);
      if (!ticket.ok() || ticket->customer_id != record.customer_id) {
        throw ApiError{422, "invalid", "no ticket " + std::to_string(record.ticket_id) + " of this call's customer",
                       "ticket_id"};
      }
    }
    Timestamp now = environment_.now();
    std::optional<Callback> callback;
    if (callback_due) {
      if (*callback_due < now) throw ApiError{422, "invalid", "is in the past", "callback_due_at"};
      callback.emplace();
      callback->customer_id = record.customer_id;
      callback->phone = record.customer_phone;
      callback->branch_id = record.branch_id;
      callback->broker_id = record.broker_id;
      callback->owner = callback_owner;
      callback->due_at = *callback_due;
      callback->note = callback_note;
      callback->call_id = record.call_id;
      callback->created_by = call.principal.login;
      callback->created_at = now;
      if (record.follow_up.empty()) record.follow_up = "callback";
    }
    if (customer) {
      Interaction contact;
      contact.interaction_id = "call-" + record.call_id;
      contact.customer_id = record.customer_id;
      contact.occurred_at = record.started_at;
      contact.channel = InteractionChannel::kCallCenter;
      contact.direction = record.direction == CallDirection::kIn ? Direction::kInbound : Direction::kOutbound;
      contact.type = InteractionTypeOf(record.wrap_up_code);
      contact.staff_id = call.principal.staff_id;
      contact.subject = code->label;
      contact.notes = record.notes;
      contact.outcome = record.wrap_up_code;
      contact.duration_seconds = record.answered_at.seconds ? record.ended_at.seconds - record.answered_at.seconds : 0;
      if (!environment_.record_interaction) throw ApiError{500, "internal", "the server records no interactions", ""};
      Status recorded = environment_.record_interaction(contact);
      if (!recorded.ok()) {
        if (recorded.code() == StatusCode::kInvalidArgument) throw ApiError{422, "invalid", recorded.message(), recorded.field()};
        ThrowStatus(recorded);
      }
    }
    record.state = CallState::kWrappedUp;
    record.wrapped_up_at = now;
    auto callback_id = calls_.Get().WrapUp(record, callback ? &*callback : nullptr);
    if (!callback_id.ok()) {
      if (callback_id.status().code() == StatusCode::kFailedPrecondition) {
        throw ApiError{409, "conflict", callback_id.status().message(), "call_id"};
      }
      ThrowStatus(callback_id.status());
    }
    call.audit.Record(call.principal.login, "call.wrap_up", record.customer_id,
                      "call " + record.call_id + " " + record.wrap_up_code +
                          (*callback_id ? " callback " + std::to_string(*callback_id) : ""),
                      call.request.remote_address);
    JsonWriter json;
    json.BeginObject().Key("call");
    WriteCall(json, record);
    json.Key("callback_id");
    if (*callback_id) json.Int(*callback_id);
    else json.Null();
    json.Field("agent_ready", record.agent.empty() || AwaitingWrapUp(record.agent).empty()).EndObject();
    return JsonResponse(json.Take());
  }

  // ---- the wrap-up code tree ----

  HttpResponse Codes(ModuleCall&) {
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const WrapUpCode& c : CodeTree()) {
      json.BeginObject().Field("code", c.code).Field("parent", c.parent).Field("label", c.label);
      json.Field("active", c.active).EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  // {"codes": [{"code", "parent"?, "label", "active"?}, ...]}: the whole tree, parents first.
  HttpResponse ReplaceCodes(ModuleCall& call) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(call.request.body).get(root)) throw ApiError{400, "malformed", "the body is not JSON", ""};
    simdjson::dom::array items;
    if (root["codes"].get_array().get(items)) throw ApiError{422, "invalid", "expected an array of codes", "codes"};
    std::vector<WrapUpCode> codes;
    std::map<std::string, bool, std::less<>> seen;
    size_t index = 0;
    for (simdjson::dom::element item : items) {
      std::string where = "codes[" + std::to_string(index++) + "]";
      simdjson::dom::object object;
      if (item.get_object().get(object)) throw ApiError{422, "invalid", "expected an object", where};
      WrapUpCode& code = codes.emplace_back();
      for (auto [key, value] : object) {
        std::string field = where + "." + std::string(key);
        std::string_view text;
        if (key == "active") {
          if (value.get_bool().get(code.active)) throw ApiError{422, "invalid", "expected true or false", field};
          continue;
        }
        if (key != "code" && key != "parent" && key != "label") throw ApiError{422, "invalid", "unknown field", field};
        if (value.is_null() && key == "parent") continue;
        if (value.get_string().get(text)) throw ApiError{422, "invalid", "expected a string", field};
        (key == "code" ? code.code : key == "parent" ? code.parent : code.label) = std::string(text);
      }
      if (code.code.empty() || code.code.size() > kMaxShortField ||
          !std::all_of(code.code.begin(), code.code.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
          })) {
        throw ApiError{422, "invalid", "a code is 1–64 of a-z, 0-9, '_' and '.'", where + ".code"};
      }
      if (code.label.empty() || code.label.size() > kMaxLabel) {
        throw ApiError{422, "invalid", "a label is 1–100 bytes", where + ".label"};
      }
      if (seen.count(code.code)) throw ApiError{422, "invalid", "'" + code.code + "' appears twice", where + ".code"};
      if (!code.parent.empty() && !seen.count(code.parent)) {
        throw ApiError{422, "invalid", "parent '" + code.parent + "' is not listed before it", where + ".parent"};
      }
      seen[code.code] = true;
    }
    if (codes.empty()) throw ApiError{422, "invalid", "the tree needs at least one code", "codes"};
    Check(calls_.Get().ReplaceWrapUpCodes(codes));
    Check(call.audit.RecordDurably(call.principal.login, "callcenter.wrap_up_codes", "",
                                   std::to_string(codes.size()) + " codes", call.request.remote_address));
    return Codes(call);
  }

  // ---- callbacks and the worklist ----

  static void WriteCallback(JsonWriter& json, const Callback& c, Timestamp now) {
    json.BeginObject().Field("callback_id", c.callback_id).Field("customer_id", c.customer_id);
    json.Field("phone", c.phone).Field("branch_id", c.branch_id).Field("broker_id", c.broker_id);
    json.Field("owner", c.owner);
    WriteTime(json, "due_at", c.due_at);
    json.Field("overdue", c.state == CallbackState::kOpen && c.due_at < now);
    json.Field("note", c.note).Field("call_id", c.call_id).Field("state", EnumCode(c.state));
    json.Field("created_by", c.created_by);
    WriteTime(json, "created_at", c.created_at);
    WriteTime(json, "done_at", c.done_at);
    json.EndObject();
  }

  HttpResponse AddCallback(ModuleCall& call) {
    Callback callback;
    callback.owner = call.principal.login;
    bool has_due = false;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "customer_id") callback.customer_id = Text(f, kMaxShortField);
      else if (f.name == "phone") {
        auto phone = NormalisePhoneNumber(Text(f, kMaxShortField));
        if (!phone.ok()) throw ApiError{422, "invalid", phone.status().message(), "phone"};
        callback.phone = phone->digits;
      } else if (f.name == "due_at") callback.due_at = TimeField(f), has_due = true;
      else if (f.name == "owner") callback.owner = Text(f, kMaxShortField);
      else if (f.name == "note") callback.note = Text(f, kMaxLabel);
      else if (f.name == "call_id") callback.call_id = Text(f, 128);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    if (!has_due) throw ApiError{422, "invalid", "is required", "due_at"};
    if (callback.customer_id.empty() && callback.phone.empty()) {
      throw ApiError{422, "invalid", "a callback needs the customer or a phone number", "customer_id"};
    }
    if (callback.owner.empty()) throw ApiError{422, "invalid", "is required", "owner"};
    if (!callback.customer_id.empty()) {
      Customer customer = VisibleCustomer(call, callback.customer_id, "customer_id");
      callback.branch_id = customer.branch_id;
      callback.broker_id = customer.broker_id;
      if (callback.phone.empty()) callback.phone = customer.mobile;
    }
    if (!callback.call_id.empty()) (void)VisibleCall(call, callback.call_id);
    Timestamp now = environment_.now();
    callback.created_by = call.principal.login;
    callback.created_at = now;
    auto id = calls_.Get().AddCallback(callback);
    Check(id.status());
    callback.callback_id = *id;
    call.audit.Record(call.principal.login, "callback.create", callback.customer_id,
                      "callback " + std::to_string(*id) + " for " + callback.owner, call.request.remote_address);
    JsonWriter json;
    WriteCallback(json, callback, now);
    return JsonResponse(json.Take(), 201);
  }

  HttpResponse ListCallbacks(ModuleCall& call) {
    const HttpRequest& r = call.request;
    CallbackQuery query;
    query.owner = r.Query("owner");
    query.customer_id = r.Query("customer_id");
    if (r.HasQuery("state")) query.state = QueryEnum<CallbackState>(r, "state");
    if (r.HasQuery("due_before")) {
      auto before = ParseTimestamp(r.Query("due_before"));
      if (!before.ok()) throw ApiError{400, "bad_parameter", "expected an ISO-8601 time", "due_before"};
      query.due_before = *before;
    }
    query.limit = static_cast<int>(QueryInt(r, "limit", 100, 1, 1000));
    DataScope scope = CustomerScopeOf(call.principal);
    query.branch_id = scope.branch_id;
    query.broker_id = scope.broker_id;
    auto rows = calls_.Get().ListCallbacks(query);
    Check(rows.status());
    Timestamp now = environment_.now();
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Callback& c : *rows) WriteCallback(json, c, now);
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse ChangeCallback(ModuleCall& call) {
    int64_t id = PathId(call.request, "callback_id", "callback");
    auto found = calls_.Get().GetCallback(id);
    if (!found.ok() || !InScope(call.principal, found->branch_id, found->broker_id)) {
      if (!found.ok() && found.status().code() != StatusCode::kNotFound) ThrowStatus(found.status());
      throw ApiError{404, "not_found", "no callback " + std::to_string(id), "callback_id"};
    }
    Callback callback = std::move(*found);
    std::vector<JsonField> fields = JsonBody(call.request);
    if (fields.empty()) throw ApiError{422, "invalid", "nothing to change", ""};
    if (callback.state != CallbackState::kOpen) {
      throw ApiError{409, "conflict", "callback " + std::to_string(id) + " is " + std::string(EnumCode(callback.state)), "state"};
    }
    Timestamp now = environment_.now();
    for (const JsonField& f : fields) {
      if (f.name == "state") {
        callback.state = Enum<CallbackState>(f);
        if (callback.state != CallbackState::kOpen) callback.done_at = now;
      } else if (f.name == "due_at") callback.due_at = TimeField(f);
      else if (f.name == "owner") callback.owner = Text(f, kMaxShortField);
      else if (f.name == "note") callback.note = Text(f, kMaxLabel);
      else throw ApiError{422, "invalid", "cannot be changed (or unknown)", f.name};
    }
    if (callback.owner.empty()) throw ApiError{422, "invalid", "is required", "owner"};
    Check(calls_.Get().UpdateCallback(callback));
    call.audit.Record(call.principal.login, "callback.update", callback.customer_id,
                      "callback " + std::to_string(id) + " " + std::string(EnumCode(callback.state)),
                      call.request.remote_address);
    JsonWriter json;
    WriteCallback(json, callback, now);
    return JsonResponse(json.Take());
  }

  // What the signed-in member of staff has to do, earliest due first: their open
  // callbacks, their unresolved tickets, and the open return visits in their scope.
  HttpResponse Worklist(ModuleCall& call) {
    struct Item {
      Timestamp due;
      std::string kind, id, customer_id, title, status;
    };
    std::vector<Item> items;
    Timestamp now = environment_.now();
    Date today = ShanghaiDate(now);
    int limit = static_cast<int>(QueryInt(call.request, "limit", 100, 1, 500));
    CallbackQuery callbacks;
    callbacks.owner = call.principal.login;
    callbacks.state = CallbackState::kOpen;
    callbacks.limit = limit;
    auto promised = calls_.Get().ListCallbacks(callbacks);
    Check(promised.status());
    for (const Callback& c : *promised) {
      items.push_back({c.due_at, "callback", std::to_string(c.callback_id), c.customer_id,
                       c.note.empty() ? "回电 " + c.phone : c.note, c.due_at < now ? "overdue" : "due"});
    }
    TicketQuery tickets;
    tickets.owner = call.principal.login;
    tickets.limit = 500;
    tickets.now = now;
    auto assigned = tickets_.Get().List(tickets);
    Check(assigned.status());
    for (const Ticket& t : *assigned) {
      if (t.state == TicketState::kResolved || t.state == TicketState::kClosed) continue;
      // A paused clock has no due time: such tickets come after those that are running.
      Timestamp due = t.sla.resolution_due.seconds ? t.sla.resolution_due : Timestamp{INT64_MAX / 2};
      items.push_back({due, "ticket", std::to_string(t.ticket_id), t.customer_id, t.subject,
                       std::string(EnumCode(t.state))});
    }
    DataScope scope = CustomerScopeOf(call.principal);
    if (!scope.nobody) {
      for (VisitStatus status : {VisitStatus::kOverdue, VisitStatus::kDue}) {
        ReturnVisitQuery visits;
        visits.status = status;
        visits.today = today;
        visits.branch_id = scope.branch_id;
        visits.broker_id = scope.broker_id;
        visits.limit = limit;
        auto open = visits_.Get().List(visits);
        Check(open.status());
        for (const ReturnVisit& v : *open) {
          items.push_back({ShanghaiTime(v.due_on, 17, 0, 0), "return_visit", std::to_string(v.visit_id), v.customer_id,
                           std::string(EnumLabelZh(v.reason)), std::string(EnumCode(status))});
        }
      }
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.due < b.due; });
    if (static_cast<int>(items.size()) > limit) items.resize(limit);
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Item& item : items) {
      json.BeginObject().Field("kind", item.kind).Field("id", item.id).Field("customer_id", item.customer_id);
      json.Field("title", item.title).Field("status", item.status);
      if (item.due.seconds >= INT64_MAX / 2) json.Key("due_at").Null();
      else WriteTime(json, "due_at", item.due);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  ModuleEnvironment environment_;
  PerThread<CallStore> calls_{[this] { return OpenCallStore(environment_.db_path); }};
  PerThread<ScriptStore> scripts_store_{[this] { return OpenScriptStore(environment_.db_path); }};
  PerThread<TicketStore> tickets_{[this] { return OpenTicketStore(environment_.db_path); }};
  PerThread<ReturnVisitStore> visits_{[this] { return OpenReturnVisitStore(environment_.db_path); }};
  // Reads the tables of the stores above, whose migrations opening them applies.
  PerThread<CallerLookup> lookups_{[this] {
    calls_.Get(), tickets_.Get(), visits_.Get();
    return OpenCallerLookup(environment_.db_path);
  }};
  StreamHub hub_;
  std::mutex scripts_mutex_;
  std::shared_ptr<const std::vector<ServiceScript>> scripts_;
  std::chrono::steady_clock::time_point scripts_read_;
};

}  // namespace

std::unique_ptr<ServiceModule> MakeCallCenterModule() { return std::make_unique<CallCenterModule>(); }

}  // namespace fincrm
