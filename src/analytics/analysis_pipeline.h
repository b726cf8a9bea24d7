// `fincrm analyze`: recomputes every analysis from the store's facts and stores the
// results (scores, tiers, tier history, KPI scorecards) with the date they were
// computed, so that the API, reports and the CLI read them without recomputing.
#pragma once

#include <functional>
#include <string>

#include "analytics/churn_model.h"
#include "analytics/kpi_scorecard.h"
#include "analytics/segmentation.h"
#include "storage/store.h"

namespace fincrm {

struct AnalysisOptions {
  int ladder_months = 13;  // tier history: this month and the twelve before
  MetricsConfig metrics;
  KpiWeights kpi_weights;
  double discount_rate = 0.08;  // yearly, for lifetime value
  int lifetime_years = 5;
  ChurnOptions churn;
  int clusters = 0;  // 0: chosen by silhouette
  // The brokerage's business calendar (CalendarStore): a month is complete for the KPI
  // scorecards once no trading day of it is left after the data's last day.
  BusinessCalendar calendar;
  // Called at the start of each stage with its name, its number and the count.
  std::function<void(const std::string& stage, int step, int steps)> on_stage;
};

struct AnalysisSummary {
  int64_t run_id = 0;
  Date as_of;
  int64_t customers = 0;
  int64_t trades = 0;
  std::array<int64_t, kTierCount> customers_by_tier{};
  std::array<double, kTierCount> retention_by_tier{};  // 12-month, used for lifetime value
  int64_t upgrades_last_month = 0, downgrades_last_month = 0;
  std::string kpi_period;
  // The churn model: its card, or why there is none (short history).
  std::optional<ModelCard> churn_card;
  std::string churn_skipped;
  int64_t customers_at_risk = 0;  // churn risk of 50% or more
  std::vector<ClusterProfile> clusters;
  DecisionTree churn_rules, tier_rules;
  std::vector<std::pair<int, double>> silhouettes;
  double seconds = 0;
};

// FailedPrecondition when the store holds no facts to analyse.
Result<AnalysisSummary> RunAnalysis(Store& store, const AnalysisOptions& options = {});

// Lifetime value: 12-month profit × Σ_{t=1..years} retention^t / (1 + discount)^t,
// with the yearly retention from the churn model ((1 − 90-day risk)^(365/90)), or
// the tier's observed 12-month retention when no churn model could be trained.
int64_t LifetimeValue(int64_t yearly_profit_fen, double retention, double discount_rate, int years);

}  // namespace fincrm
