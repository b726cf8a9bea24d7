// k-means clustering, written here because at 10 features it beat the libraries
// measured on this machine (faiss lost 2-6x to scikit-learn; see bench/analytics).
//
// Lloyd iterations over dense float rows with k-means++ initialisation, the
// assignment step split across threads; silhouette on a sample to choose k.
// Deterministic for a given seed and thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/boosted_trees.h"  // DenseMatrix

namespace fincrm {

struct KMeansOptions {
  int k = 5;
  int max_iterations = 100;
  double tolerance = 1e-4;  // stop when centres move less than this (relative to spread)
  uint64_t seed = 7;
  int threads = 2;
};

struct KMeansResult {
  DenseMatrix centers;           // k × d
  std::vector<int32_t> labels;   // per row
  double inertia = 0;            // sum of squared distances to the assigned centre
  int iterations = 0;
};

// k-means++ starting centres.
DenseMatrix KMeansPlusPlus(const DenseMatrix& x, int k, uint64_t seed);
// Lloyd iterations from the given centres (exactly `iterations` when tolerance is 0).
KMeansResult KMeansFrom(const DenseMatrix& x, DenseMatrix centers, const KMeansOptions& options);
KMeansResult KMeans(const DenseMatrix& x, const KMeansOptions& options);

// Mean silhouette of `labels` over the rows in `sample` (distances to all sampled rows).
double Silhouette(const DenseMatrix& x, const std::vector<int32_t>& labels, int k, const std::vector<size_t>& sample);

// Standardises columns in place to mean 0, standard deviation 1; returns (mean, sd) per column.
std::vector<std::pair<double, double>> Standardize(DenseMatrix& x);

}  // namespace fincrm
