#include "api/modules/nba_module.h"

#include <algorithm>
#include <set>

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "service/nba/next_best_actions.h"
#include "storage/nba_store.h"
#include "storage/research_store.h"
#include "storage/return_visit_store.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

using namespace module_support;

void WriteAction(JsonWriter& json, const NextBestAction& a) {
  json.BeginObject()
      .Field("action", a.action)
      .Field("title", a.title)
      .Field("reason", a.reason)
      .Field("reason_en", a.reason_en)
      .Field("eligible", a.eligible)
      .Field("held_out", a.held_out)
      .Field("service", a.service)
      .Field("priority", a.priority);
  json.Key("breakdown")
      .BeginObject()
      .Field("propensity", a.propensity)
      .Field("learned", a.learned)
      .Field("value_yuan", a.value_yuan)
      .Field("weight", a.weight)
      .EndObject();
  json.Key("eligibility").BeginArray();
  for (const NbaRule& r : a.eligibility) {
    json.BeginObject().Field("rule", r.rule).Field("passed", r.passed).Field("detail", r.detail).EndObject();
  }
  json.EndArray().Key("suitability");
  if (a.suitability) {
    json.BeginObject()
        .Field("allowed", a.suitability->allowed)
        .Field("rule", a.suitability->rule)
        .Field("message", a.suitability->message)
        .Field("message_zh", a.suitability->message_zh)
        .EndObject();
  } else {
    json.Null();
  }
  json.EndObject();
}

class NbaModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "next_best_actions"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    return {
        {"GET", "/api/v1/customers/{customer_id}/next-best-actions", P::kReadCustomers,
         [this](ModuleCall& call) { return List(call); }},
        {"GET", "/api/v1/next-best-actions", P::kReadCustomers, [this](ModuleCall& call) { return Worklist(call); }},
        {"POST", "/api/v1/customers/{customer_id}/next-best-actions/{action}/accept", P::kWriteCustomers,
         [this](ModuleCall& call) { return Decide(call, true); }},
        {"POST", "/api/v1/customers/{customer_id}/next-best-actions/{action}/dismiss", P::kWriteCustomers,
         [this](ModuleCall& call) { return Decide(call, false); }},
    };
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    suitability_ = options.suitability;
    hold_out_percent_ = options.nba_hold_out_percent;
    return {};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto outcomes = OpenNbaStore(environment_.db_path);  // migrations before the first request
    return outcomes.ok() ? Status::Ok() : outcomes.status();
  }

 private:
  NbaFacts Gather(ModuleCall& call, Customer customer, Timestamp now) {
    NbaFacts f;
    f.today = ShanghaiDate(now);
    auto score = call.store.GetCustomerScore(customer.customer_id);
    if (!score.ok()) ThrowStatus(score.status());
    f.score = std::move(*score);
    // The live facts when loaded (today's trades count); the nightly scores otherwise.
    bool live = environment_.read_live_facts && environment_.read_live_facts([&](const FactTables& facts, const CubeContext&) {
      if (auto index = facts.CustomerIndex(customer.customer_id)) {
        f.last_trade_day = facts.Totals(*index).last_trade_day;
        f.latest_assets_fen = facts.Totals(*index).latest_assets_fen;
      }
    }).ok();
    if (!live && f.score) {
      f.last_trade_day = f.score->as_of.days - static_cast<int32_t>(f.score->recency_days);
      f.latest_assets_fen = f.score->latest_assets.fen;
    }
    ReturnVisitQuery visits;
    visits.customer_id = customer.customer_id;
    visits.today = f.today;
    visits.limit = 50;
    auto open = visits_.Get().List(visits);
    if (!open.ok()) ThrowStatus(open.status());
    for (ReturnVisit& v : *open) {
      if (!v.closed) f.open_visits.push_back(std::move(v));
    }
    auto feed = reports_.Get().Feed(customer.customer_id, now, 20);
    if (!feed.ok()) ThrowStatus(feed.status());
    for (FeedItem& item : *feed) {
      if (!item.delivery.read_at.seconds) f.unread_research.push_back(std::move(item.report));
    }
    for (const Interaction& i : environment_.recent_interactions(call.store, customer.customer_id, 200)) {
      bool promotional = i.type == InteractionType::kMarketing || i.type == InteractionType::kAdvisory;
      if (i.direction == Direction::kOutbound && promotional && i.occurred_at.seconds >= now.seconds - 30 * 86400) {
        ++f.contacts_30d;
      }
    }
    // Margin financing is an R4 business: asked of the one gate (a block is logged).
    SuitabilityGate gate(call.store, suitability_records_.Get(), suitability_);
    SuitabilityRequest request{customer.customer_id, "product", "margin_financing", ProductRisk::kR4,
                               SuitabilityPurpose::kPromotion, SuitabilityChannel::kNextBestAction, call.principal.login};
    auto checked = gate.Check(request, now);
    if (!checked.ok()) ThrowStatus(checked.status());
    f.margin_suitability = checked->decision;
    auto acceptance = outcomes_.Get().Acceptance();
    if (!acceptance.ok()) ThrowStatus(acceptance.status());
    f.acceptance = std::move(*acceptance);
    f.customer = std::move(customer);
    return f;
  }

  HttpResponse List(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    NbaOptions options;
    options.hold_out_percent = hold_out_percent_;
    options.limit = static_cast<int>(QueryInt(call.request, "limit", 3, 1, 25));
    Timestamp now = environment_.now();
    NbaResult result = RankNextBestActions(Gather(call, customer, now), options);
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer.customer_id);
    json.Key("contact_budget")
        .BeginObject()
        .Field("contacts_30d", result.contacts_30d)
        .Field("limit", int64_t{result.contact_limit})
        .EndObject();
    for (auto [key, list] : {std::pair{"actions", &result.actions}, {"held_out", &result.held_out},
                             {"ineligible", &result.ineligible}}) {
      json.Key(key).BeginArray();
      for (const NextBestAction& a : *list) WriteAction(json, a);
      json.EndArray();
    }
    json.EndObject();
    return JsonResponse(json.Take());
  }

  // The broker's worklist of actions (a branch manager's, the head office's): the
  // customers in scope most at risk and those with a return visit due, each ranked as
  // above, their actions together by priority.
  HttpResponse Worklist(ModuleCall& call) {
    constexpr int kCandidates = 30;
    int limit = static_cast<int>(QueryInt(call.request, "limit", 20, 1, 100));
    Timestamp now = environment_.now();
    std::vector<Customer> candidates;
    std::set<std::string> seen;
    CustomerQuery at_risk;
    at_risk.by_churn_risk = true;
    at_risk.limit = kCandidates;
    RestrictToScope(call.principal, at_risk);
    auto risky = call.store.ListCustomers(at_risk);
    if (!risky.ok()) ThrowStatus(risky.status());
    for (CustomerListItem& item : *risky) {
      if (seen.insert(item.customer.customer_id).second) candidates.push_back(std::move(item.customer));
    }
    DataScope scope = CustomerScopeOf(call.principal);
    for (VisitStatus status : {VisitStatus::kOverdue, VisitStatus::kDue}) {
      ReturnVisitQuery visits;
      visits.status = status;
      visits.today = ShanghaiDate(now);
      visits.branch_id = scope.branch_id;
      visits.broker_id = scope.broker_id;
      visits.limit = kCandidates;
      auto due = visits_.Get().List(visits);
      if (!due.ok()) ThrowStatus(due.status());
      for (const ReturnVisit& v : *due) {
        if (!seen.insert(v.customer_id).second) continue;
        auto customer = call.store.GetCustomer(v.customer_id);
        if (customer.ok() && InScope(call.principal, *customer)) candidates.push_back(std::move(*customer));
      }
    }
    struct Entry {
      std::string customer_id, name;
      NextBestAction action;
    };
    std::vector<Entry> entries;
    NbaOptions options;
    options.hold_out_percent = hold_out_percent_;
    for (Customer& customer : candidates) {
      std::string id = customer.customer_id, name = customer.name;
      NbaResult ranked = RankNextBestActions(Gather(call, std::move(customer), now), options);
      for (NextBestAction& a : ranked.actions) entries.push_back({id, name, std::move(a)});
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& x, const Entry& y) { return x.action.priority > y.action.priority; });
    if (static_cast<int>(entries.size()) > limit) entries.resize(limit);
    JsonWriter json;
    json.BeginObject().Field("candidates", static_cast<int64_t>(candidates.size())).Key("items").BeginArray();
    for (const Entry& e : entries) {
      json.BeginObject().Field("customer_id", e.customer_id).Field("name", e.name).Key("action");
      WriteAction(json, e.action);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Decide(ModuleCall& call, bool accepted) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    std::string action(call.request.Param("action"));
    const std::vector<std::string>& codes = NbaActionCodes();
    if (std::find(codes.begin(), codes.end(), action) == codes.end()) {
      throw ApiError{404, "not_found", "no next-best action '" + action + "'", "action"};
    }
    NbaOutcome outcome;
    if (!call.request.body.empty()) {
      for (const JsonField& f : JsonBody(call.request)) {
        if (f.name == "note") outcome.note = Text(f, 2000);
        else throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    outcome.customer_id = customer.customer_id;
    outcome.action = action;
    outcome.accepted = accepted;
    outcome.decided_by = call.principal.login;
    outcome.decided_at = environment_.now();
    auto id = outcomes_.Get().Record(outcome);
    if (!id.ok()) ThrowStatus(id.status());
    Check(call.audit.RecordDurably(call.principal.login, accepted ? "nba.accept" : "nba.dismiss", customer.customer_id,
                                   action + (outcome.note.empty() ? "" : ": " + outcome.note), call.request.remote_address));
    JsonWriter json;
    json.BeginObject()
        .Field("outcome_id", *id)
        .Field("customer_id", outcome.customer_id)
        .Field("action", action)
        .Field("accepted", accepted)
        .Field("note", outcome.note)
        .Field("decided_by", outcome.decided_by);
    WriteTime(json, "decided_at", outcome.decided_at);
    json.EndObject();
    HttpResponse response = JsonResponse(json.Take());
    response.status = 201;
    return response;
  }

  SuitabilityOptions suitability_;
  int hold_out_percent_ = 10;
  ModuleEnvironment environment_;
  PerThread<NbaStore> outcomes_{[this] { return OpenNbaStore(environment_.db_path); }};
  PerThread<ReturnVisitStore> visits_{[this] { return OpenReturnVisitStore(environment_.db_path); }};
  PerThread<ResearchStore> reports_{[this] { return OpenResearchStore(environment_.db_path); }};
  PerThread<SuitabilityStore> suitability_records_{[this] { return OpenSuitabilityStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeNbaModule() { return std::make_unique<NbaModule>(); }

}  // namespace fincrm
