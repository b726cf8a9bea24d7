#include "api/modules/suitability_module.h"

#include <simdjson.h>

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "api/sessions.h"
#include "service/suitability/risk_questionnaire.h"
#include "service/suitability/suitability_gate.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxItemField = 128, kMaxBasis = 500, kMaxWarning = 10000, kMaxConfirmation = 200;

void WriteStanding(JsonWriter& json, const InvestorStanding& s) {
  json.BeginObject().Key("category");
  if (s.category) json.String(EnumCode(*s.category));
  else json.Null();
  json.Key("category_label");
  if (s.category) json.String(s.lowest_category ? "最低风险承受能力类别" : EnumLabelZh(*s.category));
  else json.Null();
  json.Key("assessed_on");
  if (s.assessed_on) json.String(FormatDate(*s.assessed_on));
  else json.Null();
  json.Key("valid_until");
  if (s.category) json.String(FormatDate(s.valid_until));
  else json.Null();
  json.Field("expired", s.expired).Field("lowest_category", s.lowest_category).Field("professional", s.professional);
  json.Key("assessment_id");
  if (s.assessment_id) json.Int(s.assessment_id);
  else json.Null();
  // The levels that may be actively offered today.
  json.Key("may_promote").BeginArray();
  for (int r = 0; r < 5; ++r) {
    if (DecideSuitability(s, static_cast<ProductRisk>(r), SuitabilityPurpose::kPromotion).allowed) {
      json.String(EnumCode(static_cast<ProductRisk>(r)));
    }
  }
  json.EndArray().EndObject();
}

void WriteAssessment(JsonWriter& json, const RiskAssessment& a) {
  json.BeginObject()
      .Field("assessment_id", a.assessment_id)
      .Field("customer_id", a.customer_id)
      .Field("questionnaire_version", a.questionnaire_version)
      .Field("score", int64_t{a.score})
      .Field("category", EnumCode(a.category))
      .Field("lowest_category", a.lowest_category)
      .Field("channel", EnumCode(a.channel))
      .Field("recorded_by", a.recorded_by);
  WriteTime(json, "assessed_at", a.assessed_at);
  json.Field("valid_until", FormatDate(a.valid_until)).Key("answers").BeginObject();
  for (const auto& [question, option] : a.answers) json.Field(question, option);
  json.EndObject().EndObject();
}

void WriteOverride(JsonWriter& json, const SuitabilityOverride& o) {
  json.BeginObject()
      .Field("override_id", o.override_id)
      .Field("customer_id", o.customer_id)
      .Field("item_kind", o.item_kind)
      .Field("item_id", o.item_id)
      .Field("risk_level", EnumCode(o.item_risk))
      .Field("category", EnumCode(o.category))
      .Field("warning_text", o.warning_text)
      .Field("confirmation", o.confirmation)
      .Field("evidence_sha256", o.evidence_sha256)
      .Field("channel", EnumCode(o.channel))
      .Field("recorded_by", o.recorded_by);
  WriteTime(json, "recorded_at", o.recorded_at);
  json.EndObject();
}

void WriteDecision(JsonWriter& json, const SuitabilityDecision& d) {
  json.Field("allowed", d.allowed)
      .Field("rule", d.rule)
      .Field("message", d.message)
      .Field("message_zh", d.message_zh)
      .Field("overridable", d.overridable);
}

// A date query parameter, or `fallback` when absent; 400 naming it otherwise.
Date QueryDate(const HttpRequest& request, std::string_view name, Date fallback) {
  std::string_view text = request.Query(name);
  if (text.empty()) return fallback;
  auto date = ParseDate(text);
  if (!date.ok()) throw ApiError{400, "bad_parameter", date.status().message(), std::string(name)};
  return *date;
}

class SuitabilityModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "suitability"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (SuitabilityModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"GET", "/api/v1/suitability/questionnaire", P::kReadCustomers, bind(&SuitabilityModule::Questionnaire)},
        {"POST", "/api/v1/customers/{customer_id}/risk-assessments", P::kWriteCustomers,
         bind(&SuitabilityModule::Assess)},
        {"GET", "/api/v1/customers/{customer_id}/suitability", P::kReadCustomers, bind(&SuitabilityModule::Standing)},
        {"PUT", "/api/v1/customers/{customer_id}/professional-investor", P::kManageSuitability,
         bind(&SuitabilityModule::Professional)},
        {"POST", "/api/v1/suitability/check", P::kCheckSuitability, bind(&SuitabilityModule::CheckItem)},
        {"POST", "/api/v1/suitability/overrides", P::kWriteCustomers, bind(&SuitabilityModule::Override)},
        {"GET", "/api/v1/suitability/report", P::kReadSuitabilityReport, bind(&SuitabilityModule::Report)},
        // The investor portal: the customer takes the questionnaire themselves.
        {"GET", "/api/v1/portal/questionnaire", P::kPortal, bind(&SuitabilityModule::PortalQuestionnaire)},
        {"POST", "/api/v1/portal/questionnaire", P::kPortal, bind(&SuitabilityModule::PortalAssess)},
    };
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    options_ = options.suitability;
    return {};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto records = OpenSuitabilityStore(environment_.db_path);  // migrations before the first request
    return records.ok() ? Status::Ok() : records.status();
  }

 private:
  SuitabilityGate Gate(ModuleCall& call) { return SuitabilityGate(call.store, records_.Get(), options_); }

  HttpResponse Questionnaire(ModuleCall&) {
    JsonWriter json;
    json.BeginObject();
    WriteQuestionnaire(json);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  // The questionnaire with the investor's own standing: category, validity, what may be offered.
  HttpResponse PortalQuestionnaire(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, call.principal.customer_id);
    auto standing = Gate(call).Standing(customer, ShanghaiDate(environment_.now()));
    if (!standing.ok()) ThrowStatus(standing.status());
    JsonWriter json;
    json.BeginObject();
    WriteQuestionnaire(json, false);
    json.Key("standing");
    WriteStanding(json, *standing);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse PortalAssess(ModuleCall& call) {
    return Record(call, VisibleCustomer(call, call.principal.customer_id), SuitabilityChannel::kPortal);
  }

  // The current version's members (inside an object the caller opened); the investor
  // sees the questions without the scores, so that the answers are not steered by them.
  void WriteQuestionnaire(JsonWriter& json, bool with_scores = true) {
    const RiskQuestionnaire& q = CurrentRiskQuestionnaire();
    json.Field("version", q.version).Field("title", q.title);
    json.Field("validity_months", int64_t{options_.validity_months})
        .Field("max_attempts_per_day", int64_t{options_.max_assessments_per_day});
    if (with_scores) WriteBands(json, q);
    json.Key("questions").BeginArray();
    for (const Question& question : q.questions) {
      json.BeginObject().Field("id", question.id).Field("text", question.text).Key("options").BeginArray();
      for (const QuestionOption& o : question.options) {
        json.BeginObject().Field("code", o.code).Field("text", o.text);
        if (with_scores) json.Field("score", int64_t{o.score}).Field("lowest_category", o.lowest_category);
        json.EndObject();
      }
      json.EndArray().EndObject();
    }
    json.EndArray();
  }

  static void WriteBands(JsonWriter& json, const RiskQuestionnaire& q) {
    json.Key("bands").BeginArray();
    int low = 0;
    for (int band = 0; band < 5; ++band) {
      int high = band < 4 ? q.band_tops[band] : -1;
      json.BeginObject().Field("category", EnumCode(static_cast<RiskLevel>(band))).Field("min_score", int64_t{low});
      json.Key("max_score");
      if (high >= 0) json.Int(high);
      else json.Null();
      json.EndObject();
      low = high + 1;
    }
    json.EndArray();
  }

  HttpResponse Assess(ModuleCall& call) {
    return Record(call, VisibleCustomer(call, std::string(call.request.Param("customer_id"))), SuitabilityChannel::kCounter);
  }

  // {"answers": {"q1": "A", …}, "questionnaire_version"?, "channel"?}: scored, stored,
  // audited, and the grade goes to the customer's record through the event ingest.
  // In the portal the channel is the portal's: the body may not name one.
  HttpResponse Record(ModuleCall& call, const Customer& customer, SuitabilityChannel channel) {
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(call.request.body).get(body)) throw ApiError{400, "malformed", "the body is not a JSON object", ""};
    const RiskQuestionnaire* questionnaire = &CurrentRiskQuestionnaire();
    RiskAssessment assessment;
    assessment.channel = channel;
    std::vector<std::pair<std::string, std::string>> answers;
    bool answered = false;
    for (auto [key, value] : body) {
      std::string_view text;
      if (key == "answers") {
        simdjson::dom::object given;
        if (value.get_object().get(given)) throw ApiError{422, "invalid", "expected an object of question → option", "answers"};
        for (auto [question, option] : given) {
          std::string field = "answers." + std::string(question);
          if (question.size() > kMaxItemField) throw ApiError{422, "invalid", "no such question", "answers"};
          if (option.get_string().get(text)) throw ApiError{422, "invalid", "expected an option code such as \"A\"", field};
          answers.emplace_back(std::string(question), std::string(text));
        }
        answered = true;
      } else if (key == "questionnaire_version") {
        if (value.get_string().get(text)) throw ApiError{422, "invalid", "expected a string", "questionnaire_version"};
        questionnaire = FindRiskQuestionnaire(text);
        if (!questionnaire) {
          throw ApiError{422, "invalid", "no questionnaire version '" + std::string(text) + "'", "questionnaire_version"};
        }
      } else if (key == "channel" && channel != SuitabilityChannel::kPortal) {
        auto given = value.get_string().get(text) ? std::nullopt : ParseEnum<SuitabilityChannel>(text);
        if (!given) throw ApiError{422, "invalid", "expected " + EnumChoices<SuitabilityChannel>(), "channel"};
        assessment.channel = *given;
      } else {
        throw ApiError{422, "invalid", "unknown field", std::string(key)};
      }
    }
    if (!answered) throw ApiError{422, "invalid", "is required", "answers"};
    if (questionnaire != &CurrentRiskQuestionnaire()) {
      throw ApiError{422, "invalid", "version " + std::string(questionnaire->version) + " is retired; answer " +
                                         std::string(CurrentRiskQuestionnaire().version), "questionnaire_version"};
    }
    auto scored = ScoreQuestionnaire(*questionnaire, answers);
    if (!scored.ok()) throw ApiError{422, "invalid", scored.status().message(), scored.status().field()};
    Timestamp now = environment_.now();
    Date today = ShanghaiDate(now);
    assessment.customer_id = customer.customer_id;
    assessment.questionnaire_version = std::string(questionnaire->version);
    assessment.answers = std::move(scored->answers);
    assessment.score = scored->score;
    assessment.category = scored->category;
    assessment.lowest_category = scored->lowest_category;
    assessment.recorded_by = call.principal.login;
    assessment.assessed_at = now;
    assessment.valid_until = AssessmentValidUntil(today, options_.validity_months);
    auto id = records_.Get().RecordAssessment(assessment, ShanghaiTime(today, 0, 0, 0), options_.max_assessments_per_day);
    if (!id.ok()) {
      if (id.status().field() == "attempts") throw ApiError{429, "too_many_attempts", id.status().message(), "attempts"};
      ThrowStatus(id.status());
    }
    assessment.assessment_id = *id;
    Check(call.audit.RecordDurably(call.principal.login, "suitability.assessment", customer.customer_id,
                                   "assessment " + std::to_string(*id) + " version " + assessment.questionnaire_version +
                                       " score " + std::to_string(assessment.score) + " " +
                                       std::string(EnumCode(assessment.category)) +
                                       (assessment.lowest_category ? " lowest" : ""),
                                   call.request.remote_address));
    // The customer record carries the grade in force (lists, the cube, return visits).
    Check(environment_.change_profile(
        "risk-assessment:" + std::to_string(*id),
        {customer.customer_id,
         {{"risk_level", std::string(EnumCode(assessment.category))}, {"risk_assessed_on", FormatDate(today)}}}));
    InvestorStanding standing = StandingOf(customer, assessment, std::nullopt, today, options_);
    auto professional = records_.Get().Professional(customer.customer_id);
    if (!professional.ok()) ThrowStatus(professional.status());
    standing.professional = *professional && (*professional)->valid_until >= today;
    JsonWriter json;
    json.BeginObject().Key("assessment");
    WriteAssessment(json, assessment);
    json.Key("standing");
    WriteStanding(json, standing);
    json.EndObject();
    HttpResponse response = JsonResponse(json.Take());
    response.status = 201;
    return response;
  }

  HttpResponse Standing(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    SuitabilityGate gate = Gate(call);
    auto standing = gate.Standing(customer, ShanghaiDate(environment_.now()));
    if (!standing.ok()) ThrowStatus(standing.status());
    auto history = records_.Get().Assessments(customer.customer_id, 20);
    if (!history.ok()) ThrowStatus(history.status());
    auto professional = records_.Get().Professional(customer.customer_id);
    if (!professional.ok()) ThrowStatus(professional.status());
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer.customer_id).Key("standing");
    WriteStanding(json, *standing);
    json.Key("professional_investor");
    if (*professional) {
      json.BeginObject()
          .Field("basis", (*professional)->basis)
          .Field("valid_until", FormatDate((*professional)->valid_until))
          .Field("recorded_by", (*professional)->recorded_by);
      WriteTime(json, "recorded_at", (*professional)->recorded_at);
      json.EndObject();
    } else {
      json.Null();
    }
    json.Key("assessments").BeginArray();
    for (const RiskAssessment& a : *history) WriteAssessment(json, a);
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  // {"basis", "valid_until"}: compliance confirms a professional investor (Art 8/11).
  HttpResponse Professional(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    ProfessionalInvestor professional;
    professional.customer_id = customer.customer_id;
    bool dated = false;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "basis") professional.basis = Text(f, kMaxBasis);
      else if (f.name == "valid_until") {
        auto date = ParseDate(f.text);
        if (f.kind != JsonField::kString || !date.ok()) throw ApiError{422, "invalid", "expected a date YYYY-MM-DD", f.name};
        professional.valid_until = *date;
        dated = true;
      } else {
        throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    if (professional.basis.empty()) throw ApiError{422, "invalid", "is required: what qualifies the investor", "basis"};
    if (!dated) throw ApiError{422, "invalid", "is required", "valid_until"};
    Timestamp now = environment_.now();
    if (professional.valid_until < ShanghaiDate(now)) throw ApiError{422, "invalid", "lies in the past", "valid_until"};
    professional.recorded_by = call.principal.login;
    professional.recorded_at = now;
    Check(records_.Get().SetProfessional(professional));
    Check(call.audit.RecordDurably(call.principal.login, "suitability.professional", customer.customer_id,
                                   "until " + FormatDate(professional.valid_until) + ": " + professional.basis,
                                   call.request.remote_address));
    return Standing(call);
  }

  struct ItemFields {
    std::optional<ProductRisk> risk;
    std::string kind = "product", id;
    SuitabilityChannel channel = SuitabilityChannel::kApi;
  };
  // The item and channel members shared by a check and an override; false for others.
  static bool ReadItemField(const JsonField& f, ItemFields& item) {
    if (f.name == "risk_level") item.risk = Enum<ProductRisk>(f);
    else if (f.name == "item_kind") item.kind = Text(f, kMaxItemField);
    else if (f.name == "item_id") item.id = Text(f, kMaxItemField);
    else if (f.name == "channel") item.channel = Enum<SuitabilityChannel>(f);
    else return false;
    return true;
  }

  HttpResponse CheckItem(ModuleCall& call) {
    SuitabilityRequest request;
    ItemFields item;
    std::optional<SuitabilityPurpose> purpose;
    for (const JsonField& f : JsonBody(call.request)) {
      if (ReadItemField(f, item)) continue;
      if (f.name == "customer_id") request.customer_id = Text(f, kMaxItemField);
      else if (f.name == "purpose") purpose = Enum<SuitabilityPurpose>(f);
      else if (f.name == "override_id") request.override_id = PositiveInt(f);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    if (request.customer_id.empty()) throw ApiError{422, "invalid", "is required", "customer_id"};
    if (!item.risk) throw ApiError{422, "invalid", "is required: " + EnumChoices<ProductRisk>(), "risk_level"};
    if (!purpose) throw ApiError{422, "invalid", "is required: " + EnumChoices<SuitabilityPurpose>(), "purpose"};
    VisibleCustomer(call, request.customer_id);
    request.item_kind = item.kind;
    request.item_id = item.id;
    request.item_risk = *item.risk;
    request.purpose = *purpose;
    request.channel = item.channel;
    request.actor = call.principal.login;
    SuitabilityGate gate = Gate(call);
    auto checked = gate.Check(request, environment_.now());
    if (!checked.ok()) ThrowStatus(checked.status());
    JsonWriter json;
    json.BeginObject();
    WriteDecision(json, checked->decision);
    json.Field("customer_id", request.customer_id).Field("risk_level", EnumCode(request.item_risk));
    json.Field("purpose", EnumCode(request.purpose)).Key("standing");
    WriteStanding(json, checked->standing);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  // Art 19: the special written warning given and the customer's confirmation, kept as
  // evidence (its SHA-256 in the audit chain) for a request above tolerance.
  HttpResponse Override(ModuleCall& call) {
    SuitabilityOverride evidence;
    ItemFields item;
    item.channel = SuitabilityChannel::kCounter;
    for (const JsonField& f : JsonBody(call.request)) {
      if (ReadItemField(f, item)) continue;
      if (f.name == "customer_id") evidence.customer_id = Text(f, kMaxItemField);
      else if (f.name == "warning_text") evidence.warning_text = Text(f, kMaxWarning);
      else if (f.name == "confirmation") evidence.confirmation = Text(f, kMaxConfirmation);
      else throw ApiError{422, "invalid", "unknown field", f.name};
    }
    for (auto [value, field] : {std::pair{&evidence.customer_id, "customer_id"}, {&item.id, "item_id"},
                                {&evidence.warning_text, "warning_text"}, {&evidence.confirmation, "confirmation"}}) {
      if (value->empty()) throw ApiError{422, "invalid", "is required", field};
    }
    if (!item.risk) throw ApiError{422, "invalid", "is required: " + EnumChoices<ProductRisk>(), "risk_level"};
    VisibleCustomer(call, evidence.customer_id);
    evidence.item_kind = item.kind;
    evidence.item_id = item.id;
    evidence.item_risk = *item.risk;
    evidence.channel = item.channel;
    evidence.recorded_by = call.principal.login;
    Timestamp now = environment_.now();
    // Length-prefixed so that no two different records hash alike.
    std::string hashed;
    for (std::string_view part : {std::string_view(evidence.customer_id), std::string_view(evidence.item_kind),
                                  std::string_view(evidence.item_id), EnumCode(evidence.item_risk),
                                  std::string_view(evidence.warning_text), std::string_view(evidence.confirmation),
                                  std::string_view(evidence.recorded_by)}) {
      hashed += std::to_string(part.size()) + ":" + std::string(part) + ";";
    }
    hashed += std::to_string(now.seconds);
    evidence.evidence_sha256 = Sha256Hex(hashed);
    SuitabilityGate gate = Gate(call);
    auto recorded = gate.RecordOverride(evidence, now);
    if (!recorded.ok()) {
      if (recorded.status().code() == StatusCode::kFailedPrecondition && recorded.status().field() == "rule") {
        throw ApiError{403, "forbidden", recorded.status().message(), "risk_level"};
      }
      ThrowStatus(recorded.status());
    }
    Check(call.audit.RecordDurably(call.principal.login, "suitability.override", evidence.customer_id,
                                   "override " + std::to_string(recorded->override_id) + " " + evidence.item_kind + " " +
                                       evidence.item_id + " " + std::string(EnumCode(evidence.item_risk)) + " for " +
                                       std::string(EnumCode(recorded->category)) +
                                       " evidence sha256=" + evidence.evidence_sha256,
                                   call.request.remote_address));
    JsonWriter json;
    WriteOverride(json, *recorded);
    HttpResponse response = JsonResponse(json.Take());
    response.status = 201;
    return response;
  }

  HttpResponse Report(ModuleCall& call) {
    Timestamp now = environment_.now();
    Date today = ShanghaiDate(now);
    int year;
    unsigned month, day;
    CivilFromDays(today.days, year, month, day);
    Date from = QueryDate(call.request, "from", Date{DaysFromCivil(year, month, 1)});
    Date to = QueryDate(call.request, "to", today);
    if (to < from) throw ApiError{400, "bad_parameter", "ends before it starts", "to"};
    DataScope scope = CustomerScopeOf(call.principal);
    SuitabilityReportQuery query;
    query.from = ShanghaiTime(from, 0, 0, 0);
    query.to = ShanghaiTime(Date{to.days + 1}, 0, 0, 0);
    query.today = today;
    query.expired_before = Date{AddMonths(today, -options_.validity_months).days};
    query.expiring_before = Date{AddMonths(Date{today.days + 30}, -options_.validity_months).days};
    query.branch_id = scope.branch_id;
    auto report = records_.Get().Report(query);
    if (!report.ok()) ThrowStatus(report.status());
    JsonWriter json;
    json.BeginObject().Field("from", FormatDate(from)).Field("to", FormatDate(to));
    json.Key("branch_id");
    if (scope.branch_id.empty()) json.Null();
    else json.String(scope.branch_id);
    json.Field("blocked", report->blocked).Key("blocks").BeginArray();
    for (const SuitabilityBlockCount& b : report->blocks) {
      json.BeginObject().Field("channel", EnumCode(b.channel)).Field("rule", b.rule).Field("count", b.count).EndObject();
    }
    json.EndArray().Field("overrides", report->overrides).Key("recent_overrides").BeginArray();
    for (const SuitabilityOverride& o : report->recent_overrides) WriteOverride(json, o);
    json.EndArray();
    json.Key("assessments")
        .BeginObject()
        .Field("taken", report->assessments)
        .Field("lowest_category", report->lowest_category_assessments)
        .EndObject();
    json.Key("grades")
        .BeginObject()
        .Field("never_assessed", report->never_assessed)
        .Field("expired", report->expired)
        .Field("expiring_within_30_days", report->expiring_within_month)
        .Field("professional_investors", report->professional_investors)
        .EndObject();
    json.EndObject();
    Check(call.audit.RecordDurably(call.principal.login, "suitability.report", "",
                                   FormatDate(from) + ".." + FormatDate(to) +
                                       (scope.branch_id.empty() ? "" : " branch " + scope.branch_id),
                                   call.request.remote_address));
    return JsonResponse(json.Take());
  }

  SuitabilityOptions options_;
  ModuleEnvironment environment_;
  PerThread<SuitabilityStore> records_{[this] { return OpenSuitabilityStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeSuitabilityModule() { return std::make_unique<SuitabilityModule>(); }

}  // namespace fincrm
