// The CRM performance scorecard (考核指标) per branch or broker and period:
// new customers, churn and retention, upgrades on the value ladder, and average
// profitability per tier, combined into a composite score weighted 20:30:30:20
// (new : retention : upgrade : profitability) and ranked. Definitions in
// docs/analytics.md. Thread-safe: pure functions.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "analytics/value_ladder.h"
#include "core/business_calendar.h"

namespace fincrm {

struct KpiPeriod {
  Date start;  // first day
  Date end;    // last day
  std::string label;  // "2026-10", "2026-Q3", "2026"
};

// "YYYY-MM", "YYYY-Qn" or "YYYY". InvalidArgument otherwise.
Result<KpiPeriod> ParseKpiPeriod(std::string_view text);
// The latest month whose trading days (on the calendar) the data covers completely.
KpiPeriod LatestCompleteMonth(int32_t last_day, const BusinessCalendar& calendar);

enum class KpiLevel { kBranch, kBroker };

struct KpiWeights {
  double new_customers = 20, retention = 30, upgrade = 30, profitability = 20;
};
// "20:30:30:20". InvalidArgument unless four non-negative numbers with a positive sum.
Result<KpiWeights> ParseKpiWeights(std::string_view text);

struct KpiRow {
  std::string unit;  // branch id or broker (staff) id
  int64_t customers_at_start = 0;
  int64_t customers_at_end = 0;
  int64_t new_customers = 0;
  double new_rate = 0;  // new / customers at start
  int64_t churned = 0;
  double retention_rate = 1;  // 1 - churned / customers at start
  int64_t upgraded = 0;
  double upgrade_rate = 0;  // upgraded / customers at start
  int64_t profit_fen = 0;   // profit contribution in the period
  double average_profit_fen = 0;  // per customer at end
  std::array<int64_t, kTierCount> customers_by_tier{};
  std::array<double, kTierCount> average_profit_by_tier{};
  // Sub-scores 0..100 (min-max across the units of the scorecard) and the composite.
  double new_score = 0, retention_score = 0, upgrade_score = 0, profit_score = 0;
  double composite = 0;
  int rank = 0;
};

struct KpiScorecard {
  KpiPeriod period;
  KpiLevel level = KpiLevel::kBranch;
  KpiWeights weights;
  std::vector<KpiRow> rows;  // by rank
};

// InvalidArgument when the period lies outside the data.
Result<KpiScorecard> ComputeKpiScorecard(const FactTables& facts, const KpiPeriod& period,
                                         KpiLevel level, const KpiWeights& weights = {},
                                         const MetricsConfig& config = {});

}  // namespace fincrm
