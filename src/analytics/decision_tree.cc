#include "analytics/decision_tree.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fincrm {
namespace {

double Gini(const std::vector<int64_t>& counts, int64_t total) {
  if (total == 0) return 0;
  double sum = 0;
  for (int64_t c : counts) sum += static_cast<double>(c) * c;
  return 1 - sum / (static_cast<double>(total) * total);
}

std::string Threshold(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

class Builder {
 public:
  struct Bounds;
  Builder(const DenseMatrix& x, const std::vector<int>& labels, int classes,
          const std::vector<std::string>& names, const TreeOptions& options)
      : x_(x), labels_(labels), classes_(classes), names_(names), options_(options) {
    // Candidate thresholds: quantiles of each feature.
    thresholds_.resize(x.cols);
    std::vector<float> column;
    for (size_t f = 0; f < x.cols; ++f) {
      column.clear();
      for (size_t i = 0; i < x.rows; ++i) {
        float v = x.Row(i)[f];
        if (!std::isnan(v)) column.push_back(v);
      }
      std::sort(column.begin(), column.end());
      for (int q = 1; q < options.candidate_thresholds && !column.empty(); ++q) {
        float t = column[column.size() * q / options.candidate_thresholds];
        if (thresholds_[f].empty() || thresholds_[f].back() < t) thresholds_[f].push_back(t);
      }
    }
  }

  // Bounds a path puts on each feature: lower < x <= upper.
  struct Bounds {
    std::vector<float> lower, upper;
    std::vector<bool> has_lower, has_upper;
  };

  std::vector<std::string> Conditions(const Bounds& bounds) const {
    std::vector<std::string> out;
    for (size_t f = 0; f < x_.cols; ++f) {
      if (bounds.has_lower[f] && bounds.has_upper[f]) {
        out.push_back(Threshold(bounds.lower[f]) + " < " + names_[f] + " <= " + Threshold(bounds.upper[f]));
      } else if (bounds.has_lower[f]) {
        out.push_back(names_[f] + " > " + Threshold(bounds.lower[f]));
      } else if (bounds.has_upper[f]) {
        out.push_back(names_[f] + " <= " + Threshold(bounds.upper[f]));
      }
    }
    return out;
  }

  void Grow(std::vector<size_t>& rows, int depth, Bounds& path, DecisionTree& tree) {
    std::vector<int64_t> counts(classes_);
    for (size_t i : rows) ++counts[labels_[i]];
    int64_t total = static_cast<int64_t>(rows.size());
    double parent = Gini(counts, total);
    int best_feature = -1;
    float best_threshold = 0;
    double best_gain = 1e-6;
    if (depth < options_.max_depth && parent > 0 && total >= 2 * options_.min_leaf) {
      std::vector<int64_t> left(classes_);
      for (size_t f = 0; f < x_.cols; ++f) {
        // One pass per feature: class counts per threshold bucket.
        const std::vector<float>& cuts = thresholds_[f];
        if (cuts.empty()) continue;
        std::vector<std::vector<int64_t>> bucket(cuts.size() + 1, std::vector<int64_t>(classes_));
        for (size_t i : rows) {
          float v = x_.Row(i)[f];
          size_t b = std::isnan(v) ? cuts.size() : std::lower_bound(cuts.begin(), cuts.end(), v) - cuts.begin();
          ++bucket[b][labels_[i]];
        }
        std::fill(left.begin(), left.end(), 0);
        int64_t left_total = 0;
        for (size_t t = 0; t < cuts.size(); ++t) {
          for (int c = 0; c < classes_; ++c) left[c] += bucket[t][c];
          for (int c = 0; c < classes_; ++c) left_total += bucket[t][c];
          int64_t right_total = total - left_total;
          if (left_total < options_.min_leaf || right_total < options_.min_leaf) continue;
          std::vector<int64_t> right(classes_);
          for (int c = 0; c < classes_; ++c) right[c] = counts[c] - left[c];
          double gain = parent - (left_total * Gini(left, left_total) + right_total * Gini(right, right_total)) / total;
          if (gain > best_gain) {
            best_gain = gain;
            best_feature = static_cast<int>(f);
            best_threshold = cuts[t];
          }
        }
      }
    }
    if (best_feature < 0) {
      TreeRule rule;
      rule.conditions = Conditions(path);
      rule.predicted = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
      rule.support = total;
      rule.support_share = static_cast<double>(total) / x_.rows;
      rule.precision = total ? static_cast<double>(counts[rule.predicted]) / total : 0;
      correct_ += counts[rule.predicted];
      tree.rules.push_back(std::move(rule));
      return;
    }
    std::vector<size_t> left_rows, right_rows;
    for (size_t i : rows) {
      float v = x_.Row(i)[best_feature];
      (!std::isnan(v) && v <= best_threshold ? left_rows : right_rows).push_back(i);
    }
    rows.clear();
    rows.shrink_to_fit();
    Bounds saved = path;
    path.has_upper[best_feature] = true;
    path.upper[best_feature] = path.has_upper[best_feature] && saved.has_upper[best_feature]
                                   ? std::min(saved.upper[best_feature], best_threshold)
                                   : best_threshold;
    Grow(left_rows, depth + 1, path, tree);
    path = saved;
    path.has_lower[best_feature] = true;
    path.lower[best_feature] = saved.has_lower[best_feature] ? std::max(saved.lower[best_feature], best_threshold)
                                                             : best_threshold;
    Grow(right_rows, depth + 1, path, tree);
    path = saved;
  }

  int64_t correct() const { return correct_; }

 private:
  const DenseMatrix& x_;
  const std::vector<int>& labels_;
  int classes_;
  const std::vector<std::string>& names_;
  TreeOptions options_;
  std::vector<std::vector<float>> thresholds_;
  int64_t correct_ = 0;
};

}  // namespace

std::string TreeRule::ToString(const std::vector<std::string>& class_names) const {
  std::string text = "IF ";
  for (size_t i = 0; i < conditions.size(); ++i) text += (i ? " AND " : "") + conditions[i];
  if (conditions.empty()) text += "(always)";
  char tail[160];
  std::snprintf(tail, sizeof tail, " THEN %s  (support %lld = %.1f%%, precision %.1f%%)",
                class_names[predicted].c_str(), static_cast<long long>(support), support_share * 100, precision * 100);
  return text + tail;
}

DecisionTree FitDecisionTree(const DenseMatrix& x, const std::vector<int>& labels, int classes,
                             const std::vector<std::string>& feature_names, const TreeOptions& options) {
  DecisionTree tree;
  if (x.rows == 0) return tree;
  Builder builder(x, labels, classes, feature_names, options);
  std::vector<size_t> rows(x.rows);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  Builder::Bounds path{std::vector<float>(x.cols), std::vector<float>(x.cols), std::vector<bool>(x.cols),
                       std::vector<bool>(x.cols)};
  builder.Grow(rows, 0, path, tree);
  tree.accuracy = static_cast<double>(builder.correct()) / x.rows;
  std::stable_sort(tree.rules.begin(), tree.rules.end(),
                   [](const TreeRule& a, const TreeRule& b) { return a.support > b.support; });
  return tree;
}

}  // namespace fincrm
