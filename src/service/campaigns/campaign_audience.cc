#include "service/campaigns/campaign_audience.h"

#include <cmath>

#include "core/hold_out.h"

namespace fincrm {

bool InControlGroup(int64_t campaign_id, const std::string& customer_id, int control_percent) {
  return HoldOutBucket("campaign " + std::to_string(campaign_id) + "|" + customer_id) < control_percent;
}

Audience BuildAudience(const FactTables& facts, const std::vector<uint32_t>& segment, const AudienceRules& rules) {
  Audience out;
  out.members.reserve(segment.size());
  const bool draws_control = rules.campaign_id > 0 && rules.control_percent > 0;
  const std::string item_id = std::to_string(rules.campaign_id);
  for (uint32_t c : segment) {
    const std::string& id = facts.CustomerId(c);
    AudienceMember& m = out.members.emplace_back();
    m.customer = c;
    m.control = draws_control && InControlGroup(rules.campaign_id, id, rules.control_percent);
    RecipientOutcome excluded = RecipientOutcome::kMessaged;
    if (rules.promotes && rules.roster) {
      const CustomerAttributes& a = facts.Attributes(c);
      std::optional<RiskLevel> level;
      if (a.risk_level != kNoRiskLevel) level = static_cast<RiskLevel>(a.risk_level);
      std::optional<Date> assessed;
      if (a.risk_assessed_day != kNoDay) assessed = Date{a.risk_assessed_day};
      InvestorStanding standing = rules.roster->Standing(id, level, assessed, rules.today);
      SuitabilityRuling ruling = RuleSuitability(standing, *rules.promotes, SuitabilityPurpose::kPromotion);
      if (!ruling.allowed) {
        excluded = RecipientOutcome::kSuitabilityBlocked;
        if (rules.campaign_id > 0) m.rule = std::string(ruling.rule);
        if (!m.control && rules.campaign_id > 0) {
          std::string branch = a.branch == kNoCode ? "" : facts.branches().Value(a.branch);
          out.blocks.push_back({Timestamp{}, id, std::move(branch), "campaign", item_id, *rules.promotes,
                                SuitabilityPurpose::kPromotion, SuitabilityChannel::kCampaign, m.rule, false,
                                rules.actor});
        }
      }
    }
    if (excluded == RecipientOutcome::kMessaged && rules.do_not_contact && rules.do_not_contact->count(id)) {
      excluded = RecipientOutcome::kDoNotContact;
    }
    if (excluded == RecipientOutcome::kMessaged && rules.budgeted && rules.contacts_30d) {
      auto used = rules.contacts_30d->find(id);
      if (used != rules.contacts_30d->end() && used->second >= rules.contact_limit) excluded = RecipientOutcome::kContactBudget;
    }
    m.eligible = excluded == RecipientOutcome::kMessaged;
    m.outcome = m.control ? RecipientOutcome::kControl : excluded;
    AudienceCounts& n = out.counts;
    ++n.count;
    if (m.control) {
      ++n.control;
      continue;
    }
    n.blocked_by_suitability += excluded == RecipientOutcome::kSuitabilityBlocked;
    n.do_not_contact += excluded == RecipientOutcome::kDoNotContact;
    n.contact_budget += excluded == RecipientOutcome::kContactBudget;
    n.reachable += m.eligible;
  }
  return out;
}

RateDifference CompareRates(int64_t treated_hits, int64_t treated_n, int64_t control_hits, int64_t control_n) {
  RateDifference d;
  if (treated_n <= 0 || control_n <= 0) return d;
  d.estimable = true;
  d.treated = static_cast<double>(treated_hits) / treated_n;
  d.control = static_cast<double>(control_hits) / control_n;
  d.uplift = d.treated - d.control;
  double se = std::sqrt(d.treated * (1 - d.treated) / treated_n + d.control * (1 - d.control) / control_n);
  d.low = d.uplift - 1.96 * se;
  d.high = d.uplift + 1.96 * se;
  return d;
}

CampaignResults ComputeCampaignResults(const FactTables& facts, const Campaign& campaign,
                                       const std::vector<RecipientResult>& recipients) {
  CampaignResults results;
  const int32_t launch_day = ShanghaiDate(campaign.launched_at).days;
  const int32_t window_end = launch_day + campaign.conversion_days;
  // Who bought the product in the window, and who traded at all since the launch.
  std::vector<uint8_t> converted(facts.customer_count(), 0), traded(facts.customer_count(), 0);
  std::optional<uint32_t> product;
  if (!campaign.product_id.empty()) product = facts.symbols().Find(campaign.product_id);
  const TradeColumns& t = facts.trades();
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.day[i] < launch_day) continue;
    traded[t.customer[i]] = 1;
    if (product && t.symbol[i] == *product && t.day[i] <= window_end && KindSide(t.kind[i]) == TradeSide::kBuy) {
      converted[t.customer[i]] = 1;
    }
  }
  for (const RecipientResult& r : recipients) {
    ArmResult& arm = r.control ? results.control : results.treated;
    ++arm.members;
    bool eligible = r.control ? r.outcome == RecipientOutcome::kControl && r.eligible
                              : r.outcome == RecipientOutcome::kMessaged;
    if (!eligible) continue;
    ++arm.eligible;
    if (r.state) {
      MessageState s = *r.state;
      arm.sent += s == MessageState::kSent || s == MessageState::kDelivered || s == MessageState::kBounced;
      arm.delivered += s == MessageState::kDelivered;
    }
    arm.opened += r.opened_at.seconds != 0;
    arm.clicked += r.clicked_at.seconds != 0;
    arm.replied += r.replied_at.seconds != 0;
    auto index = facts.CustomerIndex(r.customer_id);
    if (!index) continue;
    arm.converted += converted[*index];
    arm.churned += facts.Attributes(*index).status == CustomerStatus::kClosed || !traded[*index];
  }
  results.conversion = CompareRates(results.treated.converted, results.treated.eligible, results.control.converted,
                                    results.control.eligible);
  if (campaign.purpose == CampaignPurpose::kRetention) {
    results.churn = CompareRates(results.treated.churned, results.treated.eligible, results.control.churned,
                                 results.control.eligible);
  }
  return results;
}

}  // namespace fincrm
