// Gradient-boosted trees for binary classification, on XGBoost's C API (Debian's
// libxgboost). A BoostedTrees owns one booster: train, predict probabilities,
// explain predictions with SHAP contributions, save and load as JSON.
//
// Matrices are dense, row-major float with NaN for "missing".
// Threading: a const BoostedTrees may predict from several threads; XGBoost's own
// threads are capped by BoostParams::threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace fincrm {

struct BoostParams {
  int rounds = 300;
  int max_depth = 4;
  double learning_rate = 0.05;
  double subsample = 0.8;
  double column_sample = 0.8;
  double min_child_weight = 1;
  double l2 = 1;
  int threads = 2;
  int seed = 7;
};

struct DenseMatrix {
  std::vector<float> values;  // rows × cols, row-major
  size_t rows = 0;
  size_t cols = 0;
  float* Row(size_t r) { return values.data() + r * cols; }
  const float* Row(size_t r) const { return values.data() + r * cols; }
};

class BoostedTrees {
 public:
  BoostedTrees(BoostedTrees&&) noexcept;
  BoostedTrees& operator=(BoostedTrees&&) noexcept;
  ~BoostedTrees();

  // Trains on `x` with 0/1 `labels`. InvalidArgument for empty or mismatched input,
  // Internal when XGBoost fails (its message included).
  static Result<BoostedTrees> Train(const DenseMatrix& x, const std::vector<float>& labels,
                                    const BoostParams& params);
  // Loads a model saved by Save(). InvalidArgument when the bytes are not a model.
  static Result<BoostedTrees> Load(const std::string& json, int threads = 2);

  // Probability of the positive class per row.
  Result<std::vector<float>> Predict(const DenseMatrix& x) const;
  // SHAP contributions per row: cols values and then the bias, in log-odds.
  // `approximate` uses Saabas-style attributions, far faster on many rows.
  Result<std::vector<float>> Contributions(const DenseMatrix& x, bool approximate) const;
  Result<std::string> Save() const;

 private:
  explicit BoostedTrees(void* handle) : handle_(handle) {}
  void* handle_ = nullptr;  // BoosterHandle
};

}  // namespace fincrm
