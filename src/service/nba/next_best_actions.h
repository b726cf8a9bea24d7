// Next-best actions (下一最佳行动): for one customer, the candidate actions a member of
// staff could take, each with its eligibility trace (which rules passed or failed), the
// suitability gate's decision where a product is involved, the contact budget, and a
// priority = propensity × value × weight with its breakdown (after Pega's P × V × L);
// the top few eligible ones are shown. A deterministic 10% hold-out per customer, action
// and month withholds an action so that its uplift can be measured.
//
//   retention_call     churn risk ≥ 0.5                                    service, bypasses the budget
//   return_visit       a required return visit is due or overdue          service, bypasses the budget
//   reactivation       no trade for 90 days, and gold tier or above or ≥ ¥500,000 in assets
//   margin_financing   credit A or B, no margin in use, ≥ ¥500,000 in assets, an account for
//                      6 months, and the gate allows promoting R4 (融资融券)
//   matched_research   a released report delivered to the customer, not yet read
//   next_tier          within 0.10 of the next tier's value score
// Propensities are scaled by how often staff accepted the action (Laplace-smoothed).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis_records.h"
#include "core/customer.h"
#include "core/research.h"
#include "core/return_visit.h"
#include "service/suitability/suitability_gate.h"
#include "storage/nba_store.h"

namespace fincrm {

struct NbaOptions {
  int hold_out_percent = 10;
  int contact_limit = 3;  // promotional contacts in 30 days, across all channels
  int limit = 3;
};

// What the rules read about the customer.
struct NbaFacts {
  Customer customer;
  std::optional<CustomerScore> score;
  double live_churn_risk = -1;   // the live model's, -1 when not rescored
  int32_t last_trade_day = INT32_MIN;
  int64_t latest_assets_fen = 0;
  Date today;
  std::vector<ReturnVisit> open_visits;
  std::vector<ResearchReport> unread_research;
  int64_t contacts_30d = 0;  // outbound contacts in the last 30 days
  std::optional<SuitabilityDecision> margin_suitability;  // the gate's answer for R4, promotion
  std::map<std::string, NbaAcceptance> acceptance;
};

struct NbaRule {
  std::string rule;
  bool passed = false;
  std::string detail;
};

struct NextBestAction {
  std::string action;
  std::string title;       // zh, for staff
  std::string reason;      // zh, in words with the numbers
  std::string reason_en;
  std::vector<NbaRule> eligibility;
  bool eligible = false;
  bool held_out = false;
  bool service = false;  // bypasses the contact budget
  std::optional<SuitabilityDecision> suitability;
  double propensity = 0, value_yuan = 0, weight = 0, learned = 1, priority = 0;
};

struct NbaResult {
  std::vector<NextBestAction> actions;    // eligible, shown: the top `limit` by priority
  std::vector<NextBestAction> held_out;   // eligible, withheld for the hold-out
  std::vector<NextBestAction> ineligible; // with the rules that failed
  int64_t contacts_30d = 0;
  int contact_limit = 0;
};

// Whether this customer's action is withheld this month.
bool NbaHeldOut(const std::string& customer_id, const std::string& action, Date today, int percent);

NbaResult RankNextBestActions(const NbaFacts& facts, const NbaOptions& options);

// The actions there are, for validating accept and dismiss.
const std::vector<std::string>& NbaActionCodes();

}  // namespace fincrm
