// Shallow decision trees (决策树) printed as if-then rules, for people to read:
// CART with Gini impurity on dense features, depth at most 4, thresholds from
// per-feature quantiles. Each leaf reports its support (rows, share) and precision
// (share of its predicted class).
#pragma once

#include <string>
#include <vector>

#include "analytics/boosted_trees.h"  // DenseMatrix

namespace fincrm {

struct TreeOptions {
  int max_depth = 4;
  int64_t min_leaf = 50;
  int candidate_thresholds = 32;
};

struct TreeRule {
  std::vector<std::string> conditions;  // "recency_days > 120"
  int predicted = 0;
  int64_t support = 0;
  double support_share = 0;
  double precision = 0;
  std::string ToString(const std::vector<std::string>& class_names) const;
};

struct DecisionTree {
  std::vector<TreeRule> rules;  // one per leaf, largest support first
  double accuracy = 0;          // on the training rows
};

// Fits `labels` (0..classes-1) from `x`; NaN goes to the right branch (">").
DecisionTree FitDecisionTree(const DenseMatrix& x, const std::vector<int>& labels, int classes,
                             const std::vector<std::string>& feature_names, const TreeOptions& options = {});

}  // namespace fincrm
