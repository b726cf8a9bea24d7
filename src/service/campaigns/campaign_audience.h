// Who of a segment a campaign reaches, and what it achieved.
//
// Building the audience: every member is first put in the hold-out control group or
// not (HoldOutBucket of campaign and customer < control_percent, fixed at launch); then,
// in both arms alike, the exclusions in this order: the suitability gate (a promotion
// of a product above what the investor may be offered; SuitabilityRoster, channel
// campaign), do-not-contact for the channel, and the contact budget (at most
// `contact_limit` promotional messages in 30 days on any channel). A control member who
// would have been excluded is not eligible, so that results compare like with like.
//
// Results: per arm, the eligible members, and of the treated those sent, delivered,
// opened, clicked and replied; converted = bought the promoted product (a buy trade of its symbol
// or product id) within conversion_days of the launch; churned (retention) = closed, or
// no trade since the launch. Uplift = rate(treated) − rate(control) with a 95% Wald
// interval.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/fact_tables.h"
#include "core/campaign.h"
#include "service/suitability/suitability_gate.h"
#include "storage/campaign_store.h"

namespace fincrm {

bool InControlGroup(int64_t campaign_id, const std::string& customer_id, int control_percent);

struct AudienceRules {
  int64_t campaign_id = 0;  // 0: a count while the segment is edited (no control group)
  int control_percent = 0;
  std::optional<ProductRisk> promotes;  // the gate applies
  bool budgeted = false;                // promotional: the contact budget applies
  int contact_limit = 3;
  const SuitabilityRoster* roster = nullptr;
  const std::unordered_set<std::string>* do_not_contact = nullptr;
  const std::unordered_map<std::string, int64_t>* contacts_30d = nullptr;
  Date today;
  std::string actor;  // for the gate's log
};

struct AudienceMember {
  uint32_t customer = 0;  // index in the facts
  bool control = false;
  bool eligible = true;
  RecipientOutcome outcome = RecipientOutcome::kMessaged;
  std::string rule;  // the gate's, for a block
};

struct AudienceCounts {
  int64_t count = 0, control = 0, blocked_by_suitability = 0, do_not_contact = 0, contact_budget = 0, reachable = 0;
};

struct Audience {
  std::vector<AudienceMember> members;
  std::vector<SuitabilityDecisionRecord> blocks;  // the gate's, treated arm only (a control member gets nothing)
  AudienceCounts counts;
};

Audience BuildAudience(const FactTables& facts, const std::vector<uint32_t>& segment, const AudienceRules& rules);

struct ArmResult {
  int64_t members = 0, eligible = 0, sent = 0, delivered = 0, opened = 0, clicked = 0, replied = 0, converted = 0,
          churned = 0;
};
struct RateDifference {
  double treated = 0, control = 0, uplift = 0, low = 0, high = 0;
  bool estimable = false;  // both arms have eligible members
};
struct CampaignResults {
  ArmResult treated, control;
  RateDifference conversion;
  std::optional<RateDifference> churn;  // retention campaigns
};

// Over `recipients` (already narrowed to the caller's scope).
CampaignResults ComputeCampaignResults(const FactTables& facts, const Campaign& campaign,
                                       const std::vector<RecipientResult>& recipients);

RateDifference CompareRates(int64_t treated_hits, int64_t treated_n, int64_t control_hits, int64_t control_n);

}  // namespace fincrm
