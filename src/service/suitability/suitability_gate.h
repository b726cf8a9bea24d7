// The suitability gate (适当性匹配): the one function through which anything that
// offers a product or a report to a customer passes — campaigns, research push,
// next-best actions, product offers, screen-pop suggestions and the check route. Its
// rules (CSRC Order 130; docs/suitability.md):
//   item R1                          → allowed for everyone         rule r1_for_everyone
//   professional investor            → allowed R1–R5                rule professional_investor
//   lowest category (最低类别), > R1   → blocked, no override         rule lowest_category
//   never assessed, > R1             → blocked until assessed       rule no_assessment
//   assessment expired, > R1         → blocked until renewed        rule assessment_expired
//   item ≤ category (C1→R1 … C5→R5)  → allowed                      rule within_tolerance
//   item above, promotion            → blocked (Art 22)             rule above_tolerance
//   item above, customer's request   → blocked until warned (Art 19) rule above_tolerance, overridable;
//                                      with the recorded warning and confirmation → allowed,
//                                      rule confirmed_override
// Every block and every override is logged with its rule; a block is never silent.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/customer.h"
#include "core/suitability.h"
#include "storage/store.h"
#include "storage/suitability_store.h"

namespace fincrm {

struct SuitabilityOptions {
  int validity_months = 24;  // an assessment's validity (securities: 2 years)
  int max_assessments_per_day = 2;
  int override_valid_days = 30;  // how long a confirmed warning stands for its item
};

// What the gate knows of an investor on a day.
struct InvestorStanding {
  std::optional<RiskLevel> category;  // absent: never assessed
  std::optional<Date> assessed_on;
  Date valid_until;  // the last day the assessment holds (days 0 when not assessed)
  bool expired = false;
  bool lowest_category = false;
  bool professional = false;
  int64_t assessment_id = 0;  // FinCRM's questionnaire behind it; 0 when the grade came with the customer record
};

struct SuitabilityDecision {
  bool allowed = false;
  std::string rule;
  std::string message;       // in English, naming the levels
  std::string message_zh;    // the same for the console and the investor
  bool overridable = false;  // Art 19: a recorded warning and confirmation would allow it
};

// The last day an assessment made on `assessed_on` holds.
Date AssessmentValidUntil(Date assessed_on, int validity_months);

// The standing from the customer record (the grade the trading system holds), the
// newest questionnaire taken in FinCRM (which wins when at least as recent) and the
// professional status.
InvestorStanding StandingOf(std::optional<RiskLevel> level_on_record, std::optional<Date> assessed_on,
                            const RiskAssessment* latest, const ProfessionalInvestor* professional, Date today,
                            const SuitabilityOptions& options);
InvestorStanding StandingOf(const Customer& customer, const std::optional<RiskAssessment>& latest,
                            const std::optional<ProfessionalInvestor>& professional, Date today,
                            const SuitabilityOptions& options);

// The rules above, for one investor and one item; pure. RuleSuitability is where they
// are decided: which rule, allowed, overridable, without the words (what a bulk caller
// over a million customers needs, with no allocation); DecideSuitability words its
// answer for staff and investors.
struct SuitabilityRuling {
  bool allowed = false;
  std::string_view rule;  // a static code: "within_tolerance", …
  bool overridable = false;
};
SuitabilityRuling RuleSuitability(const InvestorStanding& standing, ProductRisk item, SuitabilityPurpose purpose);
SuitabilityDecision DecideSuitability(const InvestorStanding& standing, ProductRisk item, SuitabilityPurpose purpose);

// The gate over many customers at once (research push, campaigns): the grades on
// record come from the caller (the live facts), with FinCRM's questionnaires and
// professional status laid over them, loaded once.
class SuitabilityRoster {
 public:
  static Result<SuitabilityRoster> Load(SuitabilityStore& records, SuitabilityOptions options = {});
  InvestorStanding Standing(const std::string& customer_id, std::optional<RiskLevel> level_on_record,
                            std::optional<Date> assessed_on, Date today) const;

 private:
  std::unordered_map<std::string, RiskAssessment> latest_;
  std::unordered_map<std::string, ProfessionalInvestor> professionals_;
  SuitabilityOptions options_;
};

struct SuitabilityRequest {
  std::string customer_id;
  std::string item_kind = "product";  // product, research, campaign, next_best_action, …
  std::string item_id;
  ProductRisk item_risk = ProductRisk::kR1;
  SuitabilityPurpose purpose = SuitabilityPurpose::kPromotion;
  SuitabilityChannel channel = SuitabilityChannel::kApi;
  std::string actor;        // the login or system asking
  int64_t override_id = 0;  // a customer request with its Art 19 evidence
};

struct SuitabilityCheck {
  SuitabilityDecision decision;
  InvestorStanding standing;
  Customer customer;
};

class SuitabilityGate {
 public:
  SuitabilityGate(Store& customers, SuitabilityStore& records, SuitabilityOptions options = {})
      : customers_(customers), records_(records), options_(options) {}

  // NotFound for an unknown customer.
  Result<InvestorStanding> Standing(const Customer& customer, Date today);
  // The one gate: decides and logs a block or an override. NotFound for an unknown
  // customer; an override id that is not this customer's for this item's level is a
  // block (rule override_not_applicable), not an error.
  Result<SuitabilityCheck> Check(const SuitabilityRequest& request, Timestamp now);
  // Art 19: stores the warning and confirmation for a request the gate would block as
  // above tolerance. FailedPrecondition naming the rule when the item needs no warning
  // (within tolerance) or allows no override (lowest category, expired, not assessed).
  Result<SuitabilityOverride> RecordOverride(SuitabilityOverride evidence, Timestamp now);

  const SuitabilityOptions& options() const { return options_; }

 private:
  Result<Customer> FindCustomer(const std::string& customer_id);

  Store& customers_;
  SuitabilityStore& records_;
  SuitabilityOptions options_;
};

}  // namespace fincrm
