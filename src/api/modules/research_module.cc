#include "api/modules/research_module.h"

#include <simdjson.h>

#include <chrono>
#include <set>

#include "analytics/value_ladder.h"
#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "core/field_value.h"
#include "core/validation.h"
#include "service/research/research_matcher.h"
#include "service/research/research_workflow.h"
#include "storage/holding_store.h"
#include "storage/research_store.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr int kTradedWithinDays = 90;

std::string_view StringMember(simdjson::dom::element value, std::string_view field) {
  std::string_view text;
  if (value.get_string().get(text)) throw ApiError{422, "invalid", "expected a string", std::string(field)};
  return text;
}

void WriteReport(JsonWriter& json, const ResearchReport& r, bool with_body) {
  json.BeginObject()
      .Field("report_id", r.report_id)
      .Field("title", r.title)
      .Field("summary", r.summary);
  if (with_body) json.Field("body", r.body);
  const Industry* industry = FindIndustry(r.industry);
  json.Field("industry", r.industry).Field("industry_name", industry ? industry->name : "");
  json.Key("symbols").BeginArray();
  for (const std::string& s : r.symbols) json.String(s);
  json.EndArray().Key("rating");
  if (r.rating) json.String(EnumCode(*r.rating));
  else json.Null();
  json.Key("target_price");
  if (r.target_price) json.RawNumber(FormatFieldValue(*r.target_price));
  else json.Null();
  json.Field("risk_level", EnumCode(r.risk_level)).Key("min_tier");
  if (r.min_tier.empty()) json.Null();
  else json.String(r.min_tier);
  json.Field("state", EnumCode(r.state))
      .Field("author", r.author)
      .Field("analyst_registration", r.author_registration)
      .Field("reviewer", r.reviewer)
      .Field("reviewer_registration", r.reviewer_registration)
      .Field("review_note", r.review_note);
  WriteTime(json, "created_at", r.created_at);
  WriteTime(json, "submitted_at", r.submitted_at);
  WriteTime(json, "reviewed_at", r.reviewed_at);
  WriteTime(json, "published_at", r.published_at);
  WriteTime(json, "embargo_until", r.embargo_until);
  WriteTime(json, "withdrawn_at", r.withdrawn_at);
  json.Key("retain_until");
  if (r.retain_until.days) json.String(FormatDate(r.retain_until));
  else json.Null();
  json.EndObject();
}

// A failed workflow step: a rule about who may act is 403, the wrong state 409.
[[noreturn]] void ThrowStep(const Status& status) {
  if (status.code() == StatusCode::kFailedPrecondition && status.field() == "rule") {
    throw ApiError{403, "forbidden", status.message(), "rule"};
  }
  ThrowStatus(status);
}

class ResearchModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "research"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (ResearchModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"POST", "/api/v1/research", P::kWriteResearch, bind(&ResearchModule::Create)},
        {"GET", "/api/v1/research", P::kReadResearch, bind(&ResearchModule::List)},
        {"GET", "/api/v1/research/{report_id}", P::kReadResearch, bind(&ResearchModule::Show)},
        {"POST", "/api/v1/research/{report_id}/submit", P::kWriteResearch, bind(&ResearchModule::Submit)},
        {"POST", "/api/v1/research/{report_id}/approve", P::kReviewResearch, bind(&ResearchModule::Approve)},
        {"POST", "/api/v1/research/{report_id}/reject", P::kReviewResearch, bind(&ResearchModule::Reject)},
        {"POST", "/api/v1/research/{report_id}/publish", P::kPublishResearch, bind(&ResearchModule::Publish)},
        {"POST", "/api/v1/research/{report_id}/withdraw", P::kPublishResearch, bind(&ResearchModule::Withdraw)},
        {"GET", "/api/v1/research/{report_id}/recipients", P::kReadResearch, bind(&ResearchModule::Recipients)},
        {"GET", "/api/v1/securities", P::kReadResearch, bind(&ResearchModule::ListSecurities)},
        {"PUT", "/api/v1/securities", P::kManageSecurities, bind(&ResearchModule::PutSecurities)},
        // The investor portal: the reports delivered to the customer, each read recorded.
        {"GET", "/api/v1/portal/feed", P::kPortal, bind(&ResearchModule::PortalFeed)},
        {"GET", "/api/v1/portal/reports/{report_id}", P::kPortal, bind(&ResearchModule::PortalReport)},
    };
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    suitability_ = options.suitability;
    return {};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto reports = OpenResearchStore(environment_.db_path);  // migrations before the first request
    return reports.ok() ? Status::Ok() : reports.status();
  }

 private:
  // Research and compliance see every report in every state; everyone else released ones.
  static bool SeesUnreleased(const Principal& p) {
    return Allows(p, Permission::kWriteResearch) || Allows(p, Permission::kReviewResearch);
  }

  ResearchReport Find(ModuleCall& call) {
    int64_t id = PathId(call.request, "report_id", "research report");
    auto report = reports_.Get().Get(id);
    if (!report.ok()) {
      if (report.status().code() == StatusCode::kNotFound) {
        throw ApiError{404, "not_found", "no research report " + std::to_string(id), "report_id"};
      }
      ThrowStatus(report.status());
    }
    if (!SeesUnreleased(call.principal) &&
        (report->state != ResearchState::kPublished || report->embargo_until > environment_.now())) {
      throw ApiError{404, "not_found", "no research report " + std::to_string(id), "report_id"};
    }
    return std::move(*report);
  }

  HttpResponse Answer(const ResearchReport& report, int status = 200) {
    JsonWriter json;
    WriteReport(json, report, true);
    HttpResponse response = JsonResponse(json.Take());
    response.status = status;
    return response;
  }

  void Audit(ModuleCall& call, std::string action, const ResearchReport& report, std::string detail) {
    Check(call.audit.RecordDurably(call.principal.login, std::move(action), "",
                                   "report " + std::to_string(report.report_id) + " " + std::move(detail),
                                   call.request.remote_address));
  }

  // {"title", "summary", "body", "industry", "symbols": [...], "risk_level",
  //  "analyst_registration", "rating"?, "target_price"?, "min_tier"?}
  HttpResponse Create(ModuleCall& call) {
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(call.request.body).get(body)) throw ApiError{400, "malformed", "the body is not a JSON object", ""};
    ResearchReport report;
    bool risk_given = false;
    for (auto [key, value] : body) {
      std::string field(key);
      if (key == "symbols") {
        simdjson::dom::array symbols;
        if (value.get_array().get(symbols)) throw ApiError{422, "invalid", "expected an array of symbols", field};
        for (simdjson::dom::element symbol : symbols) report.symbols.emplace_back(StringMember(symbol, field));
      } else if (key == "title") report.title = StringMember(value, field);
      else if (key == "summary") report.summary = StringMember(value, field);
      else if (key == "body") report.body = StringMember(value, field);
      else if (key == "industry") {
        const Industry* industry = FindIndustry(StringMember(value, field));
        if (!industry) throw ApiError{422, "invalid", "not a Shenwan level-1 industry code or name", field};
        report.industry = std::string(industry->code);
      } else if (key == "analyst_registration") report.author_registration = StringMember(value, field);
      else if (key == "risk_level") {
        auto risk = ParseEnum<ProductRisk>(StringMember(value, field));
        if (!risk) throw ApiError{422, "invalid", "expected " + EnumChoices<ProductRisk>(), field};
        report.risk_level = *risk;
        risk_given = true;
      } else if (key == "rating") {
        auto rating = ParseEnum<ResearchRating>(StringMember(value, field));
        if (!rating) throw ApiError{422, "invalid", "expected " + EnumChoices<ResearchRating>(), field};
        report.rating = rating;
      } else if (key == "target_price") {
        double number = 0;
        std::string_view text;
        std::string printed;
        if (!value.get_double().get(number)) printed = simdjson::to_string(value);
        else if (!value.get_string().get(text)) printed = std::string(text);
        else throw ApiError{422, "invalid", "expected a price in yuan", field};
        PriceLi price;
        if (!ParseFieldValue(printed, price).ok()) throw ApiError{422, "invalid", "expected a price in yuan (3 decimals)", field};
        report.target_price = price;
      } else if (key == "min_tier") {
        auto tier = ParseEnum<ValueTier>(StringMember(value, field));
        if (!tier) throw ApiError{422, "invalid", "expected " + EnumChoices<ValueTier>(), field};
        report.min_tier = std::string(EnumCode(*tier));
      } else {
        throw ApiError{422, "invalid", "unknown field", field};
      }
    }
    if (!risk_given) throw ApiError{422, "invalid", "is required: " + EnumChoices<ProductRisk>(), "risk_level"};
    if (report.industry.empty()) throw ApiError{422, "invalid", "is required", "industry"};
    Status valid = ValidateResearchReport(report);
    if (!valid.ok()) throw ApiError{422, "invalid", valid.message(), valid.field()};
    // Every symbol must be in the security master.
    auto securities = reports_.Get().Securities();
    if (!securities.ok()) ThrowStatus(securities.status());
    std::set<std::string, std::less<>> known;
    for (const Security& s : *securities) known.insert(s.symbol);
    for (const std::string& symbol : report.symbols) {
      if (!known.count(symbol)) throw ApiError{422, "invalid", "unknown symbol '" + symbol + "' (not in the security master)", "symbols"};
    }
    report.author = call.principal.login;
    report.created_at = environment_.now();
    auto id = reports_.Get().Create(report);
    if (!id.ok()) ThrowStatus(id.status());
    report.report_id = *id;
    Audit(call, "research.create", report, std::string(EnumCode(report.risk_level)) + " " + report.title);
    return Answer(report, 201);
  }

  HttpResponse List(ModuleCall& call) {
    ResearchQuery query;
    if (call.request.HasQuery("state")) {
      auto state = ParseEnum<ResearchState>(call.request.Query("state"));
      if (!state) throw ApiError{400, "bad_parameter", "expected " + EnumChoices<ResearchState>(), "state"};
      query.state = *state;
    }
    if (!SeesUnreleased(call.principal)) query.released_by = environment_.now();
    query.before = QueryInt(call.request, "before", 0, 0, INT64_MAX);
    query.limit = static_cast<int>(QueryInt(call.request, "limit", 50, 1, 500));
    auto reports = reports_.Get().List(query);
    if (!reports.ok()) ThrowStatus(reports.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const ResearchReport& r : *reports) WriteReport(json, r, false);
    json.EndArray().Key("next_before");
    if (static_cast<int>(reports->size()) == query.limit) json.Int(reports->back().report_id);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Show(ModuleCall& call) { return Answer(Find(call)); }

  // The fields of a review or a release: registration and note, or the embargo.
  struct StepFields {
    std::string registration, note;
    Timestamp embargo;
  };
  StepFields ReadStep(ModuleCall& call, bool review, bool release) {
    StepFields fields;
    if (call.request.body.empty()) return fields;
    for (const JsonField& f : JsonBody(call.request)) {
      if (review && f.name == "registration") fields.registration = Text(f, 32);
      else if (f.name == "note") fields.note = Text(f, 4000);
      else if (release && f.name == "embargo_until") {
        auto at = ParseTimestamp(f.text);
        if (f.kind != JsonField::kString || !at.ok()) throw ApiError{422, "invalid", "expected an ISO 8601 time", f.name};
        fields.embargo = *at;
      } else {
        throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    return fields;
  }

  // Stores a step taken from `from`; a concurrent step that came first is a 409.
  void Store(const ResearchReport& report, ResearchState from) { Check(reports_.Get().Transition(report, from)); }

  HttpResponse Submit(ModuleCall& call) {
    ResearchReport report = Find(call);
    ResearchState from = report.state;
    ReadStep(call, false, false);
    Status step = SubmitForReview(report, call.principal.login, environment_.now());
    if (!step.ok()) ThrowStep(step);
    Store(report, from);
    Audit(call, "research.submit", report, "for review");
    return Answer(report);
  }

  HttpResponse Review(ModuleCall& call, bool approve) {
    ResearchReport report = Find(call);
    StepFields fields = ReadStep(call, true, false);
    if (fields.registration.empty()) throw ApiError{422, "invalid", "is required: the reviewer's registration number", "registration"};
    Status step = approve ? ApproveReport(report, call.principal.login, fields.registration, fields.note, environment_.now())
                          : RejectReport(report, call.principal.login, fields.registration, fields.note, environment_.now());
    if (!step.ok()) ThrowStep(step);
    Store(report, ResearchState::kInReview);
    Audit(call, approve ? "research.approve" : "research.reject", report,
          "by " + report.reviewer + " (" + report.reviewer_registration + ") for " + report.author + " (" +
              report.author_registration + ")");
    return Answer(report);
  }
  HttpResponse Approve(ModuleCall& call) { return Review(call, true); }
  HttpResponse Reject(ModuleCall& call) { return Review(call, false); }

  // Matching and the gate run over the live facts; the report and every delivery are
  // stored in one transaction; the blocks go to the suitability log, the deliveries to
  // the customers' timelines.
  HttpResponse Publish(ModuleCall& call) {
    ResearchReport report = Find(call);
    StepFields fields = ReadStep(call, false, true);
    Timestamp now = environment_.now();
    Status step = PublishReport(report, fields.embargo, now);
    if (!step.ok()) ThrowStep(step);
    auto started = std::chrono::steady_clock::now();
    ResearchMatchCriteria criteria;
    criteria.symbols = report.symbols;
    auto securities = reports_.Get().Securities();
    if (!securities.ok()) ThrowStatus(securities.status());
    for (const Security& s : *securities) {
      if (s.industry == report.industry) criteria.industry_symbols.push_back(s.symbol);
    }
    auto holders = holdings_.Get().Holders(report.symbols);
    if (!holders.ok()) ThrowStatus(holders.status());
    criteria.holders = std::move(*holders);
    Date today = ShanghaiDate(now);
    criteria.traded_since_day = today.days - kTradedWithinDays;
    if (!report.min_tier.empty()) criteria.min_tier = static_cast<int>(ParseEnum<ValueTier>(report.min_tier).value_or(ValueTier::kBronze));
    auto roster = SuitabilityRoster::Load(suitability_records_.Get(), suitability_);
    if (!roster.ok()) ThrowStatus(roster.status());
    ResearchRecipients recipients;
    Check(environment_.read_live_facts([&](const FactTables& facts, const CubeContext& context) {
      std::vector<ResearchMatch> matches = MatchResearchAudience(facts, context, criteria);
      recipients = GateResearchAudience(facts, matches, *roster, report, today, call.principal.login);
    }));
    double matched_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    Check(reports_.Get().Publish(report, recipients.deliveries));
    Check(suitability_records_.Get().LogDecisions(recipients.blocked));
    int64_t delivered = 0;
    std::vector<Interaction> contacts;
    for (const ResearchDelivery& d : recipients.deliveries) {
      if (!d.delivered) continue;
      ++delivered;
      Interaction& i = contacts.emplace_back();
      i.interaction_id = "research:" + std::to_string(report.report_id) + ":" + d.customer_id;
      i.customer_id = d.customer_id;
      i.occurred_at = report.embargo_until;
      i.channel = InteractionChannel::kApp;
      i.direction = Direction::kOutbound;
      i.type = InteractionType::kAdvisory;
      i.subject = "研究报告：" + report.title;  // titles are at most 300 bytes, subjects 500
      i.outcome = "delivered";
    }
    Audit(call, "research.publish", report,
          "embargo " + FormatTimestamp(report.embargo_until) + " delivered " + std::to_string(delivered) + " blocked " +
              std::to_string(recipients.blocked.size()));
    // The timelines follow; the deliveries above are the record.
    Status recorded = environment_.record_interactions(contacts);
    if (!recorded.ok()) std::fprintf(stderr, "fincrm serve: research %lld: timelines: %s\n",
                                     static_cast<long long>(report.report_id), recorded.message().c_str());
    JsonWriter json;
    json.BeginObject().Key("report");
    WriteReport(json, report, false);
    json.Field("matched", static_cast<int64_t>(recipients.deliveries.size()))
        .Field("delivered", delivered)
        .Field("blocked", static_cast<int64_t>(recipients.blocked.size()))
        .Field("matching_ms", matched_ms)
        .EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Withdraw(ModuleCall& call) {
    ResearchReport report = Find(call);
    ResearchState from = report.state;
    if (call.principal.login != report.author && !Allows(call.principal, Permission::kReviewResearch)) {
      throw ApiError{403, "forbidden", "only the author or compliance withdraws a report", "rule"};
    }
    StepFields fields = ReadStep(call, false, false);
    Status step = WithdrawReport(report, fields.note, environment_.now());
    if (!step.ok()) ThrowStep(step);
    Store(report, from);
    Audit(call, "research.withdraw", report, "from " + std::string(EnumCode(from)) + ": " + fields.note);
    return Answer(report);
  }

  HttpResponse Recipients(ModuleCall& call) {
    ResearchReport report = Find(call);
    auto counts = reports_.Get().CountDeliveries(report.report_id);
    if (!counts.ok()) ThrowStatus(counts.status());
    DeliveryQuery query;
    query.report_id = report.report_id;
    if (call.request.HasQuery("delivered")) {
      std::string_view d = call.request.Query("delivered");
      if (d != "true" && d != "false") throw ApiError{400, "bad_parameter", "expected true or false", "delivered"};
      query.delivered = d == "true";
    }
    query.after = std::string(call.request.Query("after"));
    query.limit = static_cast<int>(QueryInt(call.request, "limit", 100, 1, 1000));
    DataScope scope = CustomerScopeOf(call.principal);
    query.branch_id = scope.branch_id;
    query.broker_id = scope.broker_id;
    std::vector<ResearchDelivery> rows;
    // Research analysts read no customer: the counts only.
    if (!scope.nobody) {
      auto listed = reports_.Get().Deliveries(query);
      if (!listed.ok()) ThrowStatus(listed.status());
      rows = std::move(*listed);
    }
    JsonWriter json;
    json.BeginObject().Field("report_id", report.report_id).Key("counts").BeginObject();
    json.Field("delivered", counts->delivered).Field("blocked", counts->blocked).Field("read", counts->read);
    json.Key("blocked_by_rule").BeginArray();
    for (const auto& [rule, n] : counts->blocked_by_rule) json.BeginObject().Field("rule", rule).Field("count", n).EndObject();
    json.EndArray().EndObject().Key("items").BeginArray();
    for (const ResearchDelivery& d : rows) {
      json.BeginObject()
          .Field("customer_id", d.customer_id)
          .Field("channel", d.channel)
          .Field("delivered", d.delivered)
          .Field("rule", d.rule)
          .Field("reason", d.reason);
      WriteTime(json, "visible_at", d.visible_at);
      WriteTime(json, "read_at", d.read_at);
      json.EndObject();
    }
    json.EndArray().Key("next_after");
    if (static_cast<int>(rows.size()) == query.limit) json.String(rows.back().customer_id);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  // The gate once more as the customer opens the portal: a grade that fell since the
  // release (or an assessment that lapsed) withholds the report from then on.
  SuitabilityDecision Recheck(ModuleCall& call, const ResearchReport& report, Timestamp now) {
    SuitabilityGate gate(call.store, suitability_records_.Get(), suitability_);
    SuitabilityRequest request{call.principal.customer_id, "research", std::to_string(report.report_id), report.risk_level,
                               SuitabilityPurpose::kPromotion, SuitabilityChannel::kPortal, call.principal.login};
    auto checked = gate.Check(request, now);
    if (!checked.ok()) ThrowStatus(checked.status());
    return checked->decision;
  }

  // Released reports delivered to the customer, newest first, with who wrote them and
  // when (an adviser cites the publisher and the date: 证券投资顾问业务暂行规定 Art 18).
  HttpResponse PortalFeed(ModuleCall& call) {
    Timestamp now = environment_.now();
    int limit = static_cast<int>(QueryInt(call.request, "limit", 20, 1, 100));
    auto feed = reports_.Get().Feed(call.principal.customer_id, now, limit);
    if (!feed.ok()) ThrowStatus(feed.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const FeedItem& item : *feed) {
      if (!Recheck(call, item.report, now).allowed) continue;
      const ResearchReport& r = item.report;
      const Industry* industry = FindIndustry(r.industry);
      json.BeginObject()
          .Field("report_id", r.report_id)
          .Field("title", r.title)
          .Field("summary", r.summary)
          .Field("industry_name", industry ? industry->name : "")
          .Field("risk_level", EnumCode(r.risk_level))
          .Key("rating");
      if (r.rating) json.String(EnumLabelZh(*r.rating));
      else json.Null();
      json.Field("analyst_registration", r.author_registration);
      WriteTime(json, "released_at", r.embargo_until);
      WriteTime(json, "read_at", item.delivery.read_at);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse PortalReport(ModuleCall& call) {
    int64_t id = PathId(call.request, "report_id", "research report");
    Timestamp now = environment_.now();
    auto report = reports_.Get().Get(id);
    if (!report.ok() && report.status().code() != StatusCode::kNotFound) ThrowStatus(report.status());
    if (!report.ok() || report->state != ResearchState::kPublished || report->embargo_until > now) {
      throw ApiError{404, "not_found", "no research report " + std::to_string(id), "report_id"};
    }
    SuitabilityDecision decision = Recheck(call, *report, now);
    if (!decision.allowed) throw ApiError{403, "forbidden", decision.message_zh + " (" + decision.rule + ")", "rule"};
    auto first_read = reports_.Get().MarkRead(id, call.principal.customer_id, now);
    if (first_read.code() == StatusCode::kNotFound) {
      throw ApiError{404, "not_found", "no research report " + std::to_string(id), "report_id"};
    }
    Check(first_read);
    // A read is a contact the customer made (idempotent: one per report).
    Interaction read;
    read.interaction_id = "research-read:" + std::to_string(id) + ":" + call.principal.customer_id;
    read.customer_id = call.principal.customer_id;
    read.occurred_at = now;
    read.channel = InteractionChannel::kWebsite;
    read.direction = Direction::kInbound;
    read.type = InteractionType::kAdvisory;
    read.subject = "阅读研究报告：" + report->title;
    read.outcome = "read";
    Check(environment_.record_interaction(read));
    // What the customer sees: the report and who published it, not the review's workings.
    const ResearchReport& r = *report;
    const Industry* industry = FindIndustry(r.industry);
    JsonWriter json;
    json.BeginObject()
        .Field("report_id", r.report_id)
        .Field("title", r.title)
        .Field("summary", r.summary)
        .Field("body", r.body)
        .Field("industry_name", industry ? industry->name : "")
        .Key("symbols")
        .BeginArray();
    for (const std::string& symbol : r.symbols) json.String(symbol);
    json.EndArray().Key("rating");
    if (r.rating) json.String(EnumLabelZh(*r.rating));
    else json.Null();
    json.Key("target_price");
    if (r.target_price) json.RawNumber(FormatFieldValue(*r.target_price));
    else json.Null();
    json.Field("risk_level", EnumCode(r.risk_level)).Field("analyst_registration", r.author_registration);
    WriteTime(json, "released_at", r.embargo_until);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse ListSecurities(ModuleCall& call) {
    std::string_view industry = call.request.Query("industry");
    const Industry* wanted = industry.empty() ? nullptr : FindIndustry(industry);
    if (!industry.empty() && !wanted) throw ApiError{400, "bad_parameter", "not a Shenwan level-1 industry", "industry"};
    auto securities = reports_.Get().Securities();
    if (!securities.ok()) ThrowStatus(securities.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Security& s : *securities) {
      if (wanted && s.industry != wanted->code) continue;
      const Industry* i = FindIndustry(s.industry);
      json.BeginObject()
          .Field("market", EnumCode(s.market))
          .Field("symbol", s.symbol)
          .Field("name", s.name)
          .Field("industry", s.industry)
          .Field("industry_name", i ? i->name : "")
          .EndObject();
    }
    json.EndArray().Key("industries").BeginArray();
    for (const Industry& i : kShenwanIndustries) json.BeginObject().Field("code", i.code).Field("name", i.name).EndObject();
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  // {"items": [{"market", "symbol", "name", "industry"}, ...]}: added or replaced.
  HttpResponse PutSecurities(ModuleCall& call) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(call.request.body).get(root)) throw ApiError{400, "malformed", "the body is not JSON", ""};
    simdjson::dom::array items;
    if (root["items"].get_array().get(items)) throw ApiError{422, "invalid", "expected an array of securities", "items"};
    std::vector<Security> securities;
    size_t index = 0;
    for (simdjson::dom::element item : items) {
      std::string where = "items[" + std::to_string(index++) + "]";
      simdjson::dom::object object;
      if (item.get_object().get(object)) throw ApiError{422, "invalid", "expected an object", where};
      Security& s = securities.emplace_back();
      for (auto [key, value] : object) {
        std::string field = where + "." + std::string(key);
        std::string_view text = StringMember(value, field);
        if (key == "market") {
          auto market = ParseEnum<Market>(text);
          if (!market) throw ApiError{422, "invalid", "expected " + EnumChoices<Market>(), field};
          s.market = *market;
        } else if (key == "symbol") {
          s.symbol = std::string(text);
          if (!ValidateIdentifier(s.symbol, "symbol").ok() || s.symbol.size() > 16) {
            throw ApiError{422, "invalid", "not a symbol", field};
          }
        } else if (key == "name") {
          if (text.empty() || text.size() > 100) throw ApiError{422, "invalid", "1–100 bytes", field};
          s.name = std::string(text);
        } else if (key == "industry") {
          const Industry* i = text.empty() ? nullptr : FindIndustry(text);
          if (!text.empty() && !i) throw ApiError{422, "invalid", "not a Shenwan level-1 industry", field};
          s.industry = i ? std::string(i->code) : "";
        } else {
          throw ApiError{422, "invalid", "unknown field", field};
        }
      }
      if (s.symbol.empty()) throw ApiError{422, "invalid", "is required", where + ".symbol"};
      if (s.name.empty()) throw ApiError{422, "invalid", "is required", where + ".name"};
    }
    if (securities.empty() || securities.size() > 100000) throw ApiError{422, "invalid", "1–100,000 securities", "items"};
    Check(reports_.Get().PutSecurities(securities));
    Check(call.audit.RecordDurably(call.principal.login, "research.securities", "",
                                   std::to_string(securities.size()) + " securities", call.request.remote_address));
    JsonWriter json;
    json.BeginObject().Field("stored", static_cast<int64_t>(securities.size())).EndObject();
    return JsonResponse(json.Take());
  }

  SuitabilityOptions suitability_;
  ModuleEnvironment environment_;
  PerThread<ResearchStore> reports_{[this] { return OpenResearchStore(environment_.db_path); }};
  PerThread<HoldingStore> holdings_{[this] { return OpenHoldingStore(environment_.db_path); }};
  PerThread<SuitabilityStore> suitability_records_{[this] { return OpenSuitabilityStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeResearchModule() { return std::make_unique<ResearchModule>(); }

}  // namespace fincrm
