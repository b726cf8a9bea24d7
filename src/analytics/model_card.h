// A model card: what a trained classifier is, what it was trained on, and how well
// it does, for people (Print) and for storage (ToJson).
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "analytics/model_evaluation.h"

namespace fincrm {

struct ModelCard {
  std::string name;     // "churn", or the CSV file
  std::string version;  // "churn-2026-10-30-1"
  std::string trained_at;  // ISO time
  std::string label;       // what a positive is, in words
  std::string evaluation;  // "5-fold stratified cross-validation", "out of time: ..."
  int64_t training_rows = 0;
  int64_t positives = 0;
  int64_t features = 0;
  double roc_auc = 0;
  double roc_auc_sd = 0;  // across folds, when cross-validated
  double pr_auc = 0;
  double top_decile_lift = 0;
  std::array<CalibrationBin, 10> calibration{};
  std::vector<std::pair<std::string, double>> importance;  // mean |SHAP|, largest first
  std::string parameters;

  std::string Print() const;
  std::string ToJson() const;
};

}  // namespace fincrm
