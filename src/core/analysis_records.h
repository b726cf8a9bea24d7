// What an analysis run leaves in the store for the API, reports and the CLI to read:
// per-customer scores, the monthly value-ladder history and the KPI scorecards,
// stamped with the run that computed them. Produced by analytics, stored by storage.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/money.h"

namespace fincrm {

struct AnalysisRun {
  int64_t run_id = 0;
  Timestamp computed_at;
  Date as_of;  // the facts' last day the run used
  int64_t customers = 0;
  std::string summary;  // one line for people
};

struct CustomerScore {
  std::string customer_id;
  int64_t run_id = 0;
  Date as_of;
  int64_t recency_days = 0;
  int64_t frequency = 0;
  Money monetary;
  std::string rfm;  // "543": R, F, M quintile scores
  Money commission;
  Money margin_interest;
  Money product_fee;
  Money profit;  // 12-month profit contribution
  Money lifetime_value;
  Money latest_assets;
  Money average_assets;
  double trades_per_month = 0;
  double turnover_rate = 0;
  double holding_period_days = 0;
  std::string trading_style;
  std::string preferred_channel;
  double loyalty_index = 0;
  std::string credit_grade;
  std::string credit_reasons;  // "; "-separated, in words
  double value_score = 0;
  std::string tier;  // empty when the customer is not present
  int64_t cluster = -1;
  double churn_risk = -1;  // -1 until a churn model has scored the customer
  std::string churn_reasons;
};

struct TierRecord {
  std::string customer_id;
  Date month_end;
  std::string tier;
  double value_score = 0;
};

struct KpiRecord {
  std::string period;  // "2026-10"
  std::string level;   // "branch" or "broker"
  std::string unit;
  int64_t run_id = 0;
  int64_t rank = 0;
  double composite = 0;
  int64_t customers = 0;
  int64_t new_customers = 0;
  double new_rate = 0;
  int64_t churned = 0;
  double retention_rate = 0;
  int64_t upgraded = 0;
  double upgrade_rate = 0;
  Money average_profit;
};

// One customer segment of a run: its size, generated label and profile.
struct ClusterRecord {
  int64_t run_id = 0;
  int64_t cluster = 0;
  int64_t size = 0;
  std::string label;
  std::string profile_json;  // {"means": {...}, "distinguishing": {...}}
};

// A trained model with its card, as stored: the model in XGBoost's JSON format.
struct StoredModel {
  int64_t model_id = 0;
  std::string name;     // "churn"
  std::string version;  // from the model card
  Timestamp created_at;
  std::string card_json;
  std::string card_text;   // the card as printed for people
  std::string rules_text;  // decision-tree rules, one per line
  std::string model_json;  // empty for rule-only models
};

}  // namespace fincrm
