// Investor suitability (投资者适当性, CSRC Order 130, 2017): what an investor may be
// offered. An ordinary investor is graded C1–C5 by a risk questionnaire, valid for a
// limited time; products and research reports are rated R1–R5. The records here are
// what the gate (service/suitability) decides from and the evidence it keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

// Why something would reach the customer: actively offered by us (Art 22 forbids
// offering above the investor's tolerance), or asked for by the customer (Art 19
// allows it after a special written warning that the customer confirms).
enum class SuitabilityPurpose { kPromotion, kCustomerRequest };
template <> struct EnumInfo<SuitabilityPurpose> {
  static constexpr std::string_view kTypeName = "suitability purpose";
  static constexpr EnumName kNames[] = {{0, "promotion", "主动推介"}, {1, "customer_request", "客户主动申请"}};
};

// The path by which it would reach the customer; the compliance report counts blocks by it.
enum class SuitabilityChannel { kApi, kCounter, kCallCenter, kBroker, kApp, kCampaign, kResearch, kNextBestAction, kScreenPop, kPortal };
template <> struct EnumInfo<SuitabilityChannel> {
  static constexpr std::string_view kTypeName = "suitability channel";
  static constexpr EnumName kNames[] = {{0, "api", "接口"},
                                        {1, "counter", "柜台"},
                                        {2, "call_center", "呼叫中心"},
                                        {3, "broker", "客户经理"},
                                        {4, "app", "网上/手机"},
                                        {5, "campaign", "营销活动"},
                                        {6, "research", "研究报告推送"},
                                        {7, "next_best_action", "下一最佳行动"},
                                        {8, "screen_pop", "来电弹屏"},
                                        {9, "portal", "投资者门户"}};
};

// One completed risk questionnaire (风险承受能力评估): the version answered, every
// answer, the score and the category it gave.
struct RiskAssessment {
  int64_t assessment_id = 0;  // assigned when stored
  std::string customer_id;
  std::string questionnaire_version;
  std::vector<std::pair<std::string, std::string>> answers;  // question id → option code, in question order
  int score = 0;
  RiskLevel category = RiskLevel::kC1;
  bool lowest_category = false;  // 最低风险承受能力类别: R1 only, no override
  SuitabilityChannel channel = SuitabilityChannel::kCounter;
  std::string recorded_by;  // the login that entered it (or "portal:<customer>")
  Timestamp assessed_at;
  Date valid_until;
};

// A professional investor (专业投资者, Art 8): not graded; may be offered R1–R5.
struct ProfessionalInvestor {
  std::string customer_id;
  std::string basis;  // what qualified them: "financial assets ≥ ¥5 M, 2 years' experience"
  Date valid_until;
  std::string recorded_by;
  Timestamp recorded_at;
};

// Art 19 evidence: a customer asked for something above their tolerance, was given the
// special written warning and confirmed they insist. Chained into the audit trail.
struct SuitabilityOverride {
  int64_t override_id = 0;
  std::string customer_id;
  std::string item_kind;  // product, research, …
  std::string item_id;
  ProductRisk item_risk = ProductRisk::kR1;
  RiskLevel category = RiskLevel::kC1;  // the customer's when warned
  std::string warning_text;             // the special written warning shown
  std::string confirmation;             // how the customer confirmed: signature, e_confirmation, recording
  std::string evidence_sha256;          // of the warning, the confirmation and the parties, hex
  SuitabilityChannel channel = SuitabilityChannel::kCounter;
  std::string recorded_by;
  Timestamp recorded_at;
};

// One decision of the gate that blocked something or let it through on an override:
// kept for the compliance report (allowed ones are not logged).
struct SuitabilityDecisionRecord {
  Timestamp at;
  std::string customer_id;
  std::string branch_id;  // the customer's, for the branch's report
  std::string item_kind;
  std::string item_id;
  ProductRisk item_risk = ProductRisk::kR1;
  SuitabilityPurpose purpose = SuitabilityPurpose::kPromotion;
  SuitabilityChannel channel = SuitabilityChannel::kApi;
  std::string rule;
  bool allowed = false;
  std::string actor;
};

}  // namespace fincrm
