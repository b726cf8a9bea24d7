// Who a published research report is for (研报精准推送): the customers who hold any of
// its symbols, traded one of them in the last 90 days, or whose trading in the last 90
// days concentrates in its industry (at least `industry_percent` of their traded amount),
// of the report's service classes (value tiers) and not closed; then each passes the
// suitability gate as an active promotion of the report's risk level. Matched over
// the live facts in memory (two threads), so that a report reaches a million customers'
// book in well under a second (bench/research).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "core/research.h"
#include "core/suitability.h"
#include "service/suitability/suitability_gate.h"

namespace fincrm {

struct ResearchMatchCriteria {
  std::vector<std::string> symbols;
  std::vector<std::string> industry_symbols;  // the security master's symbols in the report's industry
  std::vector<std::string> holders;           // customers holding any of the symbols (HoldingStore)
  int32_t traded_since_day = 0;               // trades on or after this day count
  int64_t industry_percent = 30;
  int min_tier = -1;  // ValueTier as int; -1 = every class
  int threads = 2;
};

enum ResearchMatchReason : uint8_t { kMatchHolds = 1, kMatchTraded = 2, kMatchIndustry = 4 };
// "holds,traded"
std::string MatchReasonText(uint8_t reasons);

struct ResearchMatch {
  uint32_t customer;  // index in the facts
  uint8_t reasons;
};

// In customer-index order.
std::vector<ResearchMatch> MatchResearchAudience(const FactTables& facts, const CubeContext& context,
                                                 const ResearchMatchCriteria& criteria);

struct ResearchRecipients {
  std::vector<ResearchDelivery> deliveries;        // delivered and blocked, in customer order
  std::vector<SuitabilityDecisionRecord> blocked;  // the gate's blocks, for its log
};

// Each matched customer through the gate (research push is an active promotion).
ResearchRecipients GateResearchAudience(const FactTables& facts, const std::vector<ResearchMatch>& matches,
                                        const SuitabilityRoster& roster, const ResearchReport& report, Date today,
                                        const std::string& actor);

}  // namespace fincrm
