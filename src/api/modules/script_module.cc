#include "api/modules/script_module.h"

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "core/ticket.h"
#include "service/callcenter/script_filler.h"
#include "storage/script_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxTitle = 200, kMaxBody = 20000, kMaxShortField = 64;

class ScriptModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "scripts"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (ScriptModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"GET", "/api/v1/scripts", P::kReadKnowledge, bind(&ScriptModule::List)},
        {"POST", "/api/v1/scripts", P::kManageKnowledge, bind(&ScriptModule::Create)},
        {"GET", "/api/v1/scripts/suggest", P::kReadCustomers, bind(&ScriptModule::Suggest)},
        {"GET", "/api/v1/scripts/{script_id}", P::kReadKnowledge, bind(&ScriptModule::Get)},
        {"PATCH", "/api/v1/scripts/{script_id}", P::kManageKnowledge, bind(&ScriptModule::Revise)},
    };
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    return OpenScriptStore(environment_.db_path).status();
  }

 private:
  static void WriteScript(JsonWriter& json, const ServiceScript& s) {
    json.BeginObject().Field("script_id", s.script_id).Field("version", s.version).Field("title", s.title);
    json.Field("call_type", s.call_type).Field("ticket_type", s.ticket_type).Field("tier", s.tier);
    json.Field("body", s.body).Field("active", s.active).Field("updated_by", s.updated_by);
    WriteTime(json, "updated_at", s.updated_at);
    json.EndObject();
  }

  // Reads the fields a create or revise may set onto `script`; `creating` requires title and body.
  void ReadFields(ModuleCall& call, ServiceScript& script, bool creating) {
    std::vector<JsonField> fields = JsonBody(call.request);
    if (fields.empty()) throw ApiError{422, "invalid", "nothing to change", ""};
    bool has_title = !creating, has_body = !creating;
    for (const JsonField& f : fields) {
      if (f.name == "title") script.title = Text(f, kMaxTitle), has_title = true;
      else if (f.name == "body") script.body = Text(f, kMaxBody), has_body = true;
      else if (f.name == "call_type") {
        script.call_type = Text(f, kMaxShortField);
        if (!script.call_type.empty() && script.call_type != "in" && script.call_type != "out" &&
            script.call_type != "return_visit") {
          throw ApiError{422, "invalid", "expected in, out, return_visit or empty", f.name};
        }
      } else if (f.name == "ticket_type") {
        script.ticket_type = Text(f, kMaxShortField);
        if (!script.ticket_type.empty()) script.ticket_type = std::string(EnumCode(Enum<TicketType>(f)));
      } else if (f.name == "tier") {
        script.tier = Text(f, 8);
        if (!script.tier.empty() && script.tier != "A" && script.tier != "B" && script.tier != "C" && script.tier != "D") {
          throw ApiError{422, "invalid", "expected A, B, C, D or empty", f.name};
        }
      } else if (f.name == "active") {
        if (f.kind != JsonField::kBool) throw ApiError{422, "invalid", "expected true or false", f.name};
        script.active = f.text == "true";
      } else {
        throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    if (!has_title || script.title.empty()) throw ApiError{422, "invalid", "is required", "title"};
    if (!has_body || script.body.empty()) throw ApiError{422, "invalid", "is required", "body"};
    std::vector<std::string> unknown = UnknownPlaceholders(script.body);
    if (!unknown.empty()) {
      std::string known;
      for (std::string_view name : ScriptPlaceholders()) known += (known.empty() ? "" : ", ") + std::string(name);
      throw ApiError{422, "invalid",
                     unknown.front() == "{{" ? "a '{{' is not closed by '}}'"
                                             : "unknown placeholder {{" + unknown.front() + "}} (known: " + known + ")",
                     "body"};
    }
    script.updated_by = call.principal.login;
    script.updated_at = environment_.now();
  }

  HttpResponse Create(ModuleCall& call) {
    ServiceScript script;
    ReadFields(call, script, true);
    auto id = store_.Get().Create(script);
    Check(id.status());
    script.script_id = *id;
    script.version = 1;
    Check(call.audit.RecordDurably(call.principal.login, "script.create", "",
                                   "script " + std::to_string(*id) + " v1 " + script.title, call.request.remote_address));
    JsonWriter json;
    WriteScript(json, script);
    return JsonResponse(json.Take(), 201);
  }

  ServiceScript Current(int64_t id) {
    auto script = store_.Get().Get(id);
    if (!script.ok()) {
      if (script.status().code() == StatusCode::kNotFound) throw ApiError{404, "not_found", script.status().message(), "script_id"};
      ThrowStatus(script.status());
    }
    return std::move(*script);
  }

  HttpResponse Revise(ModuleCall& call) {
    ServiceScript script = Current(PathId(call.request, "script_id", "script"));
    ReadFields(call, script, false);
    auto revised = store_.Get().Revise(script);
    Check(revised.status());
    Check(call.audit.RecordDurably(call.principal.login, "script.revise", "",
                                   "script " + std::to_string(revised->script_id) + " v" +
                                       std::to_string(revised->version),
                                   call.request.remote_address));
    JsonWriter json;
    WriteScript(json, *revised);
    return JsonResponse(json.Take());
  }

  HttpResponse Get(ModuleCall& call) {
    int64_t id = PathId(call.request, "script_id", "script");
    ServiceScript script;
    if (call.request.HasQuery("version")) {
      auto version = store_.Get().GetVersion(id, QueryInt(call.request, "version", 1, 1, INT64_MAX));
      if (!version.ok()) {
        if (version.status().code() == StatusCode::kNotFound) throw ApiError{404, "not_found", version.status().message(), "version"};
        ThrowStatus(version.status());
      }
      script = std::move(*version);
    } else {
      script = Current(id);
    }
    JsonWriter json;
    WriteScript(json, script);
    return JsonResponse(json.Take());
  }

  HttpResponse List(ModuleCall&) {
    auto scripts = store_.Get().List();
    Check(scripts.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const ServiceScript& s : *scripts) WriteScript(json, s);
    json.EndArray().Key("placeholders").BeginArray();
    for (std::string_view name : ScriptPlaceholders()) json.String(name);
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Suggest(ModuleCall& call) {
    const HttpRequest& r = call.request;
    std::string customer_id(r.Query("customer_id"));
    if (customer_id.empty()) throw ApiError{400, "bad_parameter", "is required", "customer_id"};
    auto customer = call.store.GetCustomer(customer_id);
    if (!customer.ok() || !InScope(call.principal, *customer)) {
      if (!customer.ok() && customer.status().code() != StatusCode::kNotFound) ThrowStatus(customer.status());
      throw ApiError{404, "not_found", "no customer '" + customer_id + "'", "customer_id"};
    }
    std::string ticket_type(r.Query("ticket_type"));
    if (!ticket_type.empty()) ticket_type = std::string(EnumCode(QueryEnum<TicketType>(r, "ticket_type")));
    auto score = call.store.GetCustomerScore(customer_id);
    std::string tier = score.ok() && *score ? (*score)->tier : "";
    auto scripts = store_.Get().List();
    Check(scripts.status());
    const ServiceScript* script = ChooseScript(*scripts, r.Query("call_type"), ticket_type, tier);
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer_id).Field("tier", tier).Key("script");
    if (script) {
      std::string text = FillScript(script->body, ScriptValuesFor(*customer, tier, call.principal.login,
                                                                  ShanghaiDate(environment_.now())));
      json.BeginObject().Field("script_id", script->script_id).Field("version", script->version);
      json.Field("title", script->title).Field("text", text).EndObject();
    } else {
      json.Null();
    }
    json.EndObject();
    return JsonResponse(json.Take());
  }

  ModuleEnvironment environment_;
  PerThread<ScriptStore> store_{[this] { return OpenScriptStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeScriptModule() { return std::make_unique<ScriptModule>(); }

}  // namespace fincrm
