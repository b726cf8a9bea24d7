#include "analytics/model_evaluation.h"

#include <algorithm>
#include <numeric>

#include "core/split_mix.h"

namespace fincrm {
namespace {

std::vector<size_t> ByScoreDescending(const std::vector<float>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels) {
  // Mann-Whitney U with mid-ranks for ties.
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positives = 0, rank_sum = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    double mid_rank = (i + j + 1) / 2.0;  // ranks are 1-based
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] > 0.5f) {
        rank_sum += mid_rank;
        ++positives;
      }
    }
    i = j;
  }
  double negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double PrAuc(const std::vector<float>& scores, const std::vector<float>& labels) {
  double positives = 0;
  for (float label : labels) positives += label > 0.5f;
  if (positives == 0) return 0;
  double hits = 0, sum = 0;
  std::vector<size_t> order = ByScoreDescending(scores);
  for (size_t i = 0; i < order.size(); ++i) {
    if (labels[order[i]] > 0.5f) {
      ++hits;
      sum += hits / (i + 1);
    }
  }
  return sum / positives;
}

double TopDecileLift(const std::vector<float>& scores, const std::vector<float>& labels) {
  if (scores.empty()) return 0;
  double positives = 0;
  for (float label : labels) positives += label > 0.5f;
  if (positives == 0) return 0;
  std::vector<size_t> order = ByScoreDescending(scores);
  size_t top = std::max<size_t>(1, scores.size() / 10);
  double top_positives = 0;
  for (size_t i = 0; i < top; ++i) top_positives += labels[order[i]] > 0.5f;
  return (top_positives / top) / (positives / scores.size());
}

std::array<CalibrationBin, 10> Calibration(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::array<CalibrationBin, 10> bins{};
  std::array<double, 10> predicted{}, observed{};
  for (size_t i = 0; i < scores.size(); ++i) {
    int bin = std::clamp(static_cast<int>(scores[i] * 10), 0, 9);
    predicted[bin] += scores[i];
    observed[bin] += labels[i] > 0.5f;
    ++bins[bin].count;
  }
  for (int b = 0; b < 10; ++b) {
    if (bins[b].count == 0) continue;
    bins[b].mean_predicted = predicted[b] / bins[b].count;
    bins[b].observed_rate = observed[b] / bins[b].count;
  }
  return bins;
}

std::vector<int> StratifiedFolds(const std::vector<float>& labels, int k, uint64_t seed) {
  std::vector<int> folds(labels.size());
  for (int cls = 0; cls < 2; ++cls) {
    std::vector<size_t> rows;
    for (size_t i = 0; i < labels.size(); ++i) {
      if ((labels[i] > 0.5f) == (cls == 1)) rows.push_back(i);
    }
    // Fisher-Yates with a SplitMix64 stream: the same folds on every machine.
    SplitMix64 rng(seed + cls * 0x9E3779B97F4A7C15ULL);
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.Next() % i]);
    for (size_t i = 0; i < rows.size(); ++i) folds[rows[i]] = static_cast<int>(i % k);
  }
  return folds;
}

}  // namespace fincrm
