// Churn prediction (流失预警) on the brokerage's own facts.
//
// Label: a customer who is live on the cutoff date (present, not churned) churns if,
// 90 days later, they are gone (account closed) or their assets are below 10% of the
// 12-month peak with no trade for 90 days (IsChurned).
// Features: computed from facts up to the cutoff only (no leakage): trading, assets,
// complaints, logins, tenure, loyalty and profile, with 90-day trends.
// Split: out of time. Training cutoffs end their label windows before the
// validation cutoff (last day − 90) begins; the card reports the validation scores;
// the model that scores today's customers is retrained on all labelled cutoffs.
// Explanations: SHAP contributions summed per cause, the top three in words.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/boosted_trees.h"
#include "analytics/customer_metrics.h"
#include "analytics/decision_tree.h"
#include "analytics/model_card.h"

namespace fincrm {

struct ChurnScore {
  uint32_t customer = 0;
  float risk = 0;                    // probability of churning within 90 days
  std::vector<std::string> reasons;  // up to three, strongest first; none below 5% risk
  std::vector<std::string> causes;   // the same, as cause codes ("trading_decline"...)
};

struct ChurnModelResult {
  ModelCard card;
  std::string model_json;
  std::vector<ChurnScore> scores;  // live customers as of the last day
  DecisionTree rules;              // depth-4 tree on the same labelled rows
};

struct ChurnOptions {
  BoostParams params = [] {
    BoostParams p;
    p.rounds = 200;
    return p;
  }();
  int horizon_days = 90;
  int training_cutoffs = 3;  // monthly cutoffs before the validation cutoff
  MetricsConfig metrics;
  // When set, the training and validation matrices are written there (train_x.f32,
  // train_y.f32, valid_x.f32, valid_y.f32, shape.txt) for benchmarks against other
  // learners on exactly the same rows.
  std::string export_directory;
};

const std::vector<std::string>& ChurnFeatureNames();

// Trains, validates and scores. FailedPrecondition when the history is too short or
// holds no churn to learn from.
Result<ChurnModelResult> TrainChurnModel(const FactTables& facts, const ChurnOptions& options = {});

// Scores live customers as of `as_of` with a saved model. With `explain` (a flag per
// customer index), only flagged customers get reasons: explanations cost far more
// than scores, and live rescoring needs them only for the customers that changed.
Result<std::vector<ChurnScore>> ScoreChurn(const FactTables& facts, const BoostedTrees& model, Date as_of,
                                           const MetricsConfig& metrics = {},
                                           const std::vector<uint8_t>* explain = nullptr);

}  // namespace fincrm
