#include "api/modules/portal_module.h"

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/password_hasher.h"
#include "api/request_json.h"
#include "api/sessions.h"
#include "core/validation.h"
#include "service/suitability/suitability_gate.h"
#include "storage/holding_store.h"
#include "storage/portal_store.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr int64_t kActivationSeconds = 24 * 3600;

std::string OneTimeCode() {
  std::string bytes = RandomToken(8);  // 16 hex digits
  std::string code;
  for (size_t i = 0; i < 8; ++i) {
    int value = std::stoi(bytes.substr(i * 2, 2), nullptr, 16);
    code += static_cast<char>('0' + value % 10);
  }
  return code;
}

class PortalModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "portal"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (PortalModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"POST", "/api/v1/customers/{customer_id}/portal-activation", P::kWriteCustomers, bind(&PortalModule::Issue)},
        {"POST", "/api/v1/portal/activate", P::kPublic, bind(&PortalModule::Activate)},
        {"GET", "/api/v1/portal/me", P::kPortal, bind(&PortalModule::Me)},
        {"GET", "/api/v1/portal/messages", P::kPortal, bind(&PortalModule::Messages)},
    };
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    suitability_ = options.suitability;
    return {};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto portal = OpenPortalStore(environment_.db_path);  // migrations before the first request
    return portal.ok() ? Status::Ok() : portal.status();
  }

 private:
  HttpResponse Issue(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    if (customer.status == CustomerStatus::kClosed) {
      throw ApiError{409, "conflict", "customer " + customer.customer_id + " is closed", "customer_id"};
    }
    Timestamp now = environment_.now();
    std::string code = OneTimeCode();
    PortalActivation activation{customer.customer_id, Sha256Hex(customer.customer_id + ":" + code), now,
                                Timestamp{now.seconds + kActivationSeconds}, call.principal.login};
    Check(portal_.Get().Issue(activation));
    Check(call.audit.RecordDurably(call.principal.login, "portal.activation_issued", customer.customer_id,
                                   "valid until " + FormatTimestamp(activation.expires_at), call.request.remote_address));
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer.customer_id).Field("code", code);
    WriteTime(json, "expires_at", activation.expires_at);
    json.EndObject();
    HttpResponse response = JsonResponse(json.Take());
    response.status = 201;
    return response;
  }

  // {"customer_id", "code", "password"}: a wrong or used code and an unknown customer get
  // the same answer; a known customer's login is created or its password replaced.
  HttpResponse Activate(ModuleCall& call) {
    std::string customer_id, code, password;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "customer_id") customer_id = Text(f, 64);
      else if (f.name == "code") code = Text(f, 64);
      else if (f.name == "password") password = Text(f, 1024);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    for (auto [value, field] : {std::pair{&customer_id, "customer_id"}, {&code, "code"}, {&password, "password"}}) {
      if (value->empty()) throw ApiError{422, "invalid", "is required", field};
    }
    if (!ValidateIdentifier(customer_id, "customer_id").ok()) throw ApiError{422, "invalid", "not a customer number", "customer_id"};
    auto hash = HashPassword(password);  // before the code is used up: a weak password costs no attempt
    if (!hash.ok()) throw ApiError{422, "invalid", hash.status().message(), "password"};
    Timestamp now = environment_.now();
    Status redeemed = portal_.Get().Redeem(customer_id, Sha256Hex(customer_id + ":" + code), now);
    if (!redeemed.ok()) {
      call.audit.Record("portal:" + customer_id, "portal.activation_failed", "", "", call.request.remote_address);
      if (redeemed.field() == "code") throw ApiError{401, "invalid_code", redeemed.message(), "code"};
      ThrowStatus(redeemed);
    }
    std::string login = std::string(kInvestorLoginPrefix) + customer_id;
    auto existing = call.store.FindUser(login);
    if (!existing.ok()) ThrowStatus(existing.status());
    StaffUser user;
    if (*existing) {
      user = **existing;
      user.password_hash = *hash;
      user.failed_logins = 0;
      user.locked_until = Timestamp{0};
      Check(call.store.UpdateUser(user));
      environment_.end_sessions(login);  // a new password signs the old sessions out
    } else {
      user.login = login;
      user.role = UserRole::kInvestor;
      user.password_hash = *hash;
      user.created_at = now;
      Status valid = Validate(user);
      if (!valid.ok()) throw ApiError{422, "invalid", valid.message(), "customer_id"};
      Check(call.store.AddUser(user));
    }
    Check(call.audit.RecordDurably(login, "portal.activated", customer_id, *existing ? "password reset" : "login created",
                                   call.request.remote_address));
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer_id).Field("activated", true).EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Me(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, call.principal.customer_id);
    Timestamp now = environment_.now();
    SuitabilityGate gate(call.store, suitability_records_.Get(), suitability_);
    auto standing = gate.Standing(customer, ShanghaiDate(now));
    if (!standing.ok()) ThrowStatus(standing.status());
    auto score = call.store.GetCustomerScore(customer.customer_id);
    if (!score.ok()) ThrowStatus(score.status());
    auto positions = holdings_.Get().Positions(customer.customer_id);
    if (!positions.ok()) ThrowStatus(positions.status());
    JsonWriter json;
    json.BeginObject()
        .Field("customer_id", customer.customer_id)
        .Field("name", customer.name)
        .Field("mobile", MaskMobile(customer.mobile))
        .Field("branch_id", customer.branch_id)
        .Field("open_date", FormatDate(customer.open_date))
        .Key("service_class");
    if (*score && !(*score)->tier.empty()) json.String((*score)->tier);
    else json.Null();
    json.Key("suitability").BeginObject().Key("category");
    if (standing->category) json.String(EnumCode(*standing->category));
    else json.Null();
    json.Key("category_label");
    if (standing->category) json.String(standing->lowest_category ? "最低风险承受能力类别" : EnumLabelZh(*standing->category));
    else json.Null();
    json.Key("valid_until");
    if (standing->category) json.String(FormatDate(standing->valid_until));
    else json.Null();
    json.Field("expired", standing->expired).Field("professional", standing->professional).EndObject();
    json.Key("holdings").BeginArray();
    for (const Position& p : *positions) {
      json.BeginObject().Field("market", EnumCode(p.market)).Field("symbol", p.symbol).Field("quantity", p.quantity).EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Messages(ModuleCall& call) {
    int limit = static_cast<int>(QueryInt(call.request, "limit", 50, 1, 200));
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Interaction& i : environment_.recent_interactions(call.store, call.principal.customer_id, 500)) {
      if (i.direction != Direction::kOutbound || limit-- <= 0) continue;
      json.BeginObject()
          .Field("message_id", i.interaction_id)
          .Field("channel", EnumCode(i.channel))
          .Field("subject", i.subject)
          .Field("type", EnumLabelZh(i.type));
      WriteTime(json, "sent_at", i.occurred_at);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  SuitabilityOptions suitability_;
  ModuleEnvironment environment_;
  PerThread<PortalStore> portal_{[this] { return OpenPortalStore(environment_.db_path); }};
  PerThread<HoldingStore> holdings_{[this] { return OpenHoldingStore(environment_.db_path); }};
  PerThread<SuitabilityStore> suitability_records_{[this] { return OpenSuitabilityStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakePortalModule() { return std::make_unique<PortalModule>(); }

}  // namespace fincrm
