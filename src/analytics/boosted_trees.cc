#include "analytics/boosted_trees.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <utility>

namespace fincrm {
namespace {

Status XgbError(const char* what) { return Internal(std::string(what) + ": " + XGBGetLastError()); }

// A DMatrix that frees itself.
class Matrix {
 public:
  ~Matrix() {
    if (handle_) XGDMatrixFree(handle_);
  }
  Status Create(const DenseMatrix& x) {
    if (XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, std::nanf(""), &handle_) != 0) {
      return XgbError("XGDMatrixCreateFromMat");
    }
    return Status::Ok();
  }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

}  // namespace

BoostedTrees::BoostedTrees(BoostedTrees&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
BoostedTrees& BoostedTrees::operator=(BoostedTrees&& other) noexcept {
  if (this != &other) {
    if (handle_) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}
BoostedTrees::~BoostedTrees() {
  if (handle_) XGBoosterFree(handle_);
}

Result<BoostedTrees> BoostedTrees::Train(const DenseMatrix& x, const std::vector<float>& labels,
                                         const BoostParams& params) {
  if (x.rows == 0 || x.cols == 0) return InvalidArgument("no training rows");
  if (labels.size() != x.rows || x.values.size() != x.rows * x.cols) {
    return InvalidArgument("labels and rows do not match");
  }
  Matrix train;
  FINCRM_RETURN_IF_ERROR(train.Create(x));
  if (XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()) != 0) {
    return XgbError("XGDMatrixSetFloatInfo");
  }
  DMatrixHandle matrices[] = {train.get()};
  BoosterHandle booster = nullptr;
  if (XGBoosterCreate(matrices, 1, &booster) != 0) return XgbError("XGBoosterCreate");
  BoostedTrees model(booster);
  auto set = [&](const char* name, const std::string& value) -> Status {
    if (XGBoosterSetParam(booster, name, value.c_str()) != 0) return XgbError("XGBoosterSetParam");
    return Status::Ok();
  };
  FINCRM_RETURN_IF_ERROR(set("objective", "binary:logistic"));
  FINCRM_RETURN_IF_ERROR(set("eval_metric", "auc"));
  FINCRM_RETURN_IF_ERROR(set("tree_method", "hist"));
  FINCRM_RETURN_IF_ERROR(set("max_depth", std::to_string(params.max_depth)));
  FINCRM_RETURN_IF_ERROR(set("eta", std::to_string(params.learning_rate)));
  FINCRM_RETURN_IF_ERROR(set("subsample", std::to_string(params.subsample)));
  FINCRM_RETURN_IF_ERROR(set("colsample_bytree", std::to_string(params.column_sample)));
  FINCRM_RETURN_IF_ERROR(set("min_child_weight", std::to_string(params.min_child_weight)));
  FINCRM_RETURN_IF_ERROR(set("lambda", std::to_string(params.l2)));
  FINCRM_RETURN_IF_ERROR(set("nthread", std::to_string(params.threads)));
  FINCRM_RETURN_IF_ERROR(set("seed", std::to_string(params.seed)));
  FINCRM_RETURN_IF_ERROR(set("verbosity", "0"));
  for (int round = 0; round < params.rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster, round, train.get()) != 0) return XgbError("XGBoosterUpdateOneIter");
  }
  return model;
}

Result<BoostedTrees> BoostedTrees::Load(const std::string& json, int threads) {
  BoosterHandle booster = nullptr;
  if (XGBoosterCreate(nullptr, 0, &booster) != 0) return XgbError("XGBoosterCreate");
  BoostedTrees model(booster);
  if (XGBoosterLoadModelFromBuffer(booster, json.data(), json.size()) != 0) {
    return InvalidArgument(std::string("not a saved model: ") + XGBGetLastError());
  }
  if (XGBoosterSetParam(booster, "nthread", std::to_string(threads).c_str()) != 0) {
    return XgbError("XGBoosterSetParam");
  }
  return model;
}

Result<std::vector<float>> BoostedTrees::Predict(const DenseMatrix& x) const {
  Matrix data;
  FINCRM_RETURN_IF_ERROR(data.Create(x));
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  if (XGBoosterPredictFromDMatrix(handle_, data.get(), config, &shape, &dims, &out) != 0) {
    return XgbError("XGBoosterPredictFromDMatrix");
  }
  return std::vector<float>(out, out + x.rows);
}

Result<std::vector<float>> BoostedTrees::Contributions(const DenseMatrix& x, bool approximate) const {
  Matrix data;
  FINCRM_RETURN_IF_ERROR(data.Create(x));
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  std::string config = std::string(R"({"type": )") + (approximate ? "3" : "2") +
                       R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  if (XGBoosterPredictFromDMatrix(handle_, data.get(), config.c_str(), &shape, &dims, &out) != 0) {
    return XgbError("XGBoosterPredictFromDMatrix");
  }
  return std::vector<float>(out, out + x.rows * (x.cols + 1));
}

Result<std::string> BoostedTrees::Save() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &length, &bytes) != 0) {
    return XgbError("XGBoosterSaveModelToBuffer");
  }
  return std::string(bytes, length);
}

}  // namespace fincrm
