// How good a probabilistic classifier is: ROC AUC, PR AUC (average precision),
// top-decile lift, calibration, and deterministic stratified folds for
// cross-validation. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace fincrm {

// Area under the ROC curve (ties counted half). 0.5 when a class is missing.
double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels);
// Average precision: the area under the precision-recall curve.
double PrAuc(const std::vector<float>& scores, const std::vector<float>& labels);
// Positive rate among the top 10% of scores divided by the overall positive rate.
double TopDecileLift(const std::vector<float>& scores, const std::vector<float>& labels);

struct CalibrationBin {
  double mean_predicted = 0;
  double observed_rate = 0;
  int64_t count = 0;
};
// Ten bins by predicted probability ([0, 0.1), ..., [0.9, 1]).
std::array<CalibrationBin, 10> Calibration(const std::vector<float>& scores, const std::vector<float>& labels);

// Fold number (0..k-1) per row; each fold has the same share of positives.
std::vector<int> StratifiedFolds(const std::vector<float>& labels, int k, uint64_t seed);

}  // namespace fincrm
