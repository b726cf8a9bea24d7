#include "service/suitability/suitability_gate.h"

#include <algorithm>

namespace fincrm {
namespace {

std::string Level(RiskLevel level) { return std::string(EnumCode(level)); }
std::string Level(ProductRisk risk) { return std::string(EnumCode(risk)); }

SuitabilityDecision Allowed(std::string rule, std::string message, std::string message_zh) {
  return {true, std::move(rule), std::move(message), std::move(message_zh), false};
}
SuitabilityDecision Blocked(std::string rule, std::string message, std::string message_zh, bool overridable = false) {
  return {false, std::move(rule), std::move(message), std::move(message_zh), overridable};
}

}  // namespace

Date AssessmentValidUntil(Date assessed_on, int validity_months) {
  return Date{AddMonths(assessed_on, validity_months).days - 1};
}

InvestorStanding StandingOf(std::optional<RiskLevel> level_on_record, std::optional<Date> assessed_on,
                            const RiskAssessment* latest, const ProfessionalInvestor* professional, Date today,
                            const SuitabilityOptions& options) {
  InvestorStanding standing;
  std::optional<Date> latest_on;
  if (latest) latest_on = ShanghaiDate(latest->assessed_at);
  if (latest && (!assessed_on || *latest_on >= *assessed_on)) {
    standing.category = latest->category;
    standing.assessed_on = latest_on;
    standing.valid_until = latest->valid_until;
    standing.lowest_category = latest->lowest_category;
    standing.assessment_id = latest->assessment_id;
  } else if (level_on_record && assessed_on) {
    standing.category = level_on_record;
    standing.assessed_on = assessed_on;
    standing.valid_until = AssessmentValidUntil(*assessed_on, options.validity_months);
  }
  // A grade without the date it was given cannot be shown to be valid: treated as none.
  standing.expired = standing.category && standing.valid_until < today;
  standing.professional = professional && professional->valid_until >= today;
  return standing;
}

InvestorStanding StandingOf(const Customer& customer, const std::optional<RiskAssessment>& latest,
                            const std::optional<ProfessionalInvestor>& professional, Date today,
                            const SuitabilityOptions& options) {
  return StandingOf(customer.risk_level, customer.risk_assessed_on, latest ? &*latest : nullptr,
                    professional ? &*professional : nullptr, today, options);
}

Result<SuitabilityRoster> SuitabilityRoster::Load(SuitabilityStore& records, SuitabilityOptions options) {
  SuitabilityRoster roster;
  roster.options_ = options;
  auto latest = records.LatestAssessments();
  if (!latest.ok()) return latest.status();
  for (RiskAssessment& a : *latest) roster.latest_.emplace(a.customer_id, std::move(a));
  auto professionals = records.Professionals();
  if (!professionals.ok()) return professionals.status();
  for (ProfessionalInvestor& p : *professionals) roster.professionals_.emplace(p.customer_id, std::move(p));
  return roster;
}

InvestorStanding SuitabilityRoster::Standing(const std::string& customer_id, std::optional<RiskLevel> level_on_record,
                                             std::optional<Date> assessed_on, Date today) const {
  auto latest = latest_.find(customer_id);
  auto professional = professionals_.find(customer_id);
  return StandingOf(level_on_record, assessed_on, latest == latest_.end() ? nullptr : &latest->second,
                    professional == professionals_.end() ? nullptr : &professional->second, today, options_);
}

SuitabilityRuling RuleSuitability(const InvestorStanding& s, ProductRisk item, SuitabilityPurpose purpose) {
  if (item == ProductRisk::kR1) return {true, "r1_for_everyone", false};
  if (s.professional) return {true, "professional_investor", false};
  if (s.category && s.lowest_category) return {false, "lowest_category", false};
  if (!s.category) return {false, "no_assessment", false};
  if (s.expired) return {false, "assessment_expired", false};
  if (static_cast<int>(item) <= static_cast<int>(*s.category)) return {true, "within_tolerance", false};
  return {false, "above_tolerance", purpose == SuitabilityPurpose::kCustomerRequest};
}

SuitabilityDecision DecideSuitability(const InvestorStanding& s, ProductRisk item, SuitabilityPurpose purpose) {
  SuitabilityRuling ruling = RuleSuitability(s, item, purpose);
  std::string_view rule = ruling.rule;
  std::string level = Level(item);
  if (rule == "r1_for_everyone") {
    return Allowed("r1_for_everyone", "R1 items may be offered to every investor", "R1 产品适合所有投资者");
  }
  if (rule == "professional_investor") {
    return Allowed("professional_investor", "a professional investor may be offered R1–R5",
                   "专业投资者可匹配 R1–R5 产品");
  }
  if (rule == "lowest_category") {
    return Blocked("lowest_category",
                   "the investor is in the lowest risk category: R1 only, and no override (Art 19)",
                   "该投资者属于风险承受能力最低类别，只能匹配 R1 产品，不得例外");
  }
  if (rule == "no_assessment") {
    return Blocked("no_assessment", "the investor has no risk assessment: only R1 until the questionnaire is taken",
                   "该投资者尚未进行风险承受能力评估，评估前只能匹配 R1 产品");
  }
  if (rule == "assessment_expired") {
    return Blocked("assessment_expired",
                   "the risk assessment expired on " + FormatDate(s.valid_until) + ": only R1 until it is renewed",
                   "风险承受能力评估已于 " + FormatDate(s.valid_until) + " 过期，重新评估前只能匹配 R1 产品");
  }
  std::string category = Level(*s.category);
  if (rule == "within_tolerance") {
    return Allowed("within_tolerance", level + " is within a " + category + " investor's tolerance",
                   level + " 产品与 " + category + " 投资者的风险承受能力匹配");
  }
  if (!ruling.overridable) {
    return Blocked("above_tolerance",
                   level + " is above a " + category + " investor's tolerance: it may not be promoted to them (Art 22)",
                   level + " 产品高于 " + category + " 投资者的风险承受能力，不得主动推介");
  }
  return Blocked("above_tolerance",
                 level + " is above a " + category +
                     " investor's tolerance: only after the special written warning and the customer's confirmation "
                     "(Art 19)",
                 level + " 产品高于 " + category + " 投资者的风险承受能力：须出具特别书面风险警示并经客户确认",
                 true);
}

Result<Customer> SuitabilityGate::FindCustomer(const std::string& customer_id) {
  auto customer = customers_.GetCustomer(customer_id);
  if (!customer.ok() && customer.status().code() == StatusCode::kNotFound) {
    return NotFound("no customer '" + customer_id + "'", "customer_id");
  }
  return customer;
}

Result<InvestorStanding> SuitabilityGate::Standing(const Customer& customer, Date today) {
  auto latest = records_.LatestAssessment(customer.customer_id);
  if (!latest.ok()) return latest.status();
  auto professional = records_.Professional(customer.customer_id);
  if (!professional.ok()) return professional.status();
  return StandingOf(customer, *latest, *professional, today, options_);
}

Result<SuitabilityCheck> SuitabilityGate::Check(const SuitabilityRequest& request, Timestamp now) {
  auto customer = FindCustomer(request.customer_id);
  if (!customer.ok()) return customer.status();
  auto standing = Standing(*customer, ShanghaiDate(now));
  if (!standing.ok()) return standing.status();
  SuitabilityDecision decision = DecideSuitability(*standing, request.item_risk, request.purpose);
  if (request.override_id) {
    if (!decision.overridable) {
      // An override never widens a hard rule, nor is it needed within tolerance.
      if (!decision.allowed) decision.message += "; an override does not apply to rule " + decision.rule;
    } else {
      auto evidence = records_.GetOverride(request.override_id);
      if (!evidence.ok() && evidence.status().code() != StatusCode::kNotFound) return evidence.status();
      bool applies = evidence.ok() && evidence->customer_id == request.customer_id &&
                     evidence->item_risk == request.item_risk &&
                     (request.item_id.empty() || evidence->item_id == request.item_id) &&
                     now.seconds - evidence->recorded_at.seconds <= int64_t{options_.override_valid_days} * 86400;
      if (applies) {
        decision = Allowed("confirmed_override",
                           "the customer confirmed the special written warning (override " +
                               std::to_string(request.override_id) + ")",
                           "客户已确认特别书面风险警示（记录 " + std::to_string(request.override_id) + "）");
      } else {
        decision = Blocked("override_not_applicable",
                           "override " + std::to_string(request.override_id) +
                               " is not this customer's for an " + Level(request.item_risk) + " item within " +
                               std::to_string(options_.override_valid_days) + " days",
                           "风险警示确认记录 " + std::to_string(request.override_id) + " 不适用于本次申请", true);
      }
    }
  }
  if (!decision.allowed || decision.rule == "confirmed_override") {
    SuitabilityDecisionRecord record{now, request.customer_id, customer->branch_id, request.item_kind,
                                     request.item_id, request.item_risk, request.purpose, request.channel,
                                     decision.rule, decision.allowed, request.actor};
    FINCRM_RETURN_IF_ERROR(records_.LogDecisions({record}));
  }
  return SuitabilityCheck{std::move(decision), *standing, std::move(*customer)};
}

Result<SuitabilityOverride> SuitabilityGate::RecordOverride(SuitabilityOverride evidence, Timestamp now) {
  auto customer = FindCustomer(evidence.customer_id);
  if (!customer.ok()) return customer.status();
  auto standing = Standing(*customer, ShanghaiDate(now));
  if (!standing.ok()) return standing.status();
  SuitabilityDecision decision = DecideSuitability(*standing, evidence.item_risk, SuitabilityPurpose::kCustomerRequest);
  if (decision.allowed) {
    return FailedPrecondition("no warning is needed: " + decision.message + " (rule " + decision.rule + ")");
  }
  if (!decision.overridable) {
    return Status(StatusCode::kFailedPrecondition, decision.message + " (rule " + decision.rule + ")", "rule");
  }
  evidence.category = *standing->category;
  evidence.recorded_at = now;
  auto id = records_.RecordOverride(evidence);
  if (!id.ok()) return id.status();
  evidence.override_id = *id;
  SuitabilityDecisionRecord record{now, evidence.customer_id, customer->branch_id, evidence.item_kind, evidence.item_id,
                                   evidence.item_risk, SuitabilityPurpose::kCustomerRequest, evidence.channel,
                                   "warning_confirmed", true, evidence.recorded_by};
  FINCRM_RETURN_IF_ERROR(records_.LogDecisions({record}));
  return evidence;
}

}  // namespace fincrm
