#include "analytics/decision_tree.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

TEST(DecisionTreeTest, FindsTheSplitAndReportsSupportAndPrecision) {
  DenseMatrix x;
  x.cols = 2;
  std::vector<int> labels;
  for (int i = 0; i < 1000; ++i) {
    x.values.push_back(static_cast<float>(i % 10));     // decides the class
    x.values.push_back(static_cast<float>(i % 7) * 3);  // noise
    labels.push_back(i % 10 > 5 ? 1 : 0);
  }
  x.rows = 1000;
  DecisionTree tree = FitDecisionTree(x, labels, 2, {"signal", "noise"});
  EXPECT_DOUBLE_EQ(tree.accuracy, 1.0);
  ASSERT_EQ(tree.rules.size(), 2u);
  EXPECT_EQ(tree.rules[0].conditions, (std::vector<std::string>{"signal <= 5"}));
  EXPECT_EQ(tree.rules[0].predicted, 0);
  EXPECT_EQ(tree.rules[0].support, 600);
  EXPECT_DOUBLE_EQ(tree.rules[0].precision, 1.0);
  EXPECT_EQ(tree.rules[1].ToString({"stays", "churns"}),
            "IF signal > 5 THEN churns  (support 400 = 40.0%, precision 100.0%)");
}

TEST(DecisionTreeTest, DepthAndLeafSizeAreBounded) {
  DenseMatrix x;
  x.cols = 1;
  std::vector<int> labels;
  for (int i = 0; i < 5000; ++i) {
    x.values.push_back(static_cast<float>(i));
    labels.push_back((i / 100) % 2);  // many alternating bands
  }
  x.rows = 5000;
  TreeOptions options;
  options.max_depth = 3;
  options.min_leaf = 200;
  DecisionTree tree = FitDecisionTree(x, labels, 2, {"x"}, options);
  EXPECT_LE(tree.rules.size(), 8u);
  for (const TreeRule& rule : tree.rules) {
    EXPECT_GE(rule.support, 200);
    EXPECT_LE(rule.conditions.size(), 1u);  // bounds on one feature merge into one condition
  }
}

}  // namespace
}  // namespace fincrm
