#include "analytics/kmeans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace fincrm {
namespace {

// Three tight blobs around (0,0), (10,0) and (0,10).
DenseMatrix Blobs(size_t per_blob) {
  DenseMatrix x;
  x.cols = 2;
  const float centers[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  for (size_t b = 0; b < 3; ++b) {
    for (size_t i = 0; i < per_blob; ++i) {
      float dx = static_cast<float>(std::sin(i * 12.9898) * 0.5);
      float dy = static_cast<float>(std::cos(i * 78.233) * 0.5);
      x.values.push_back(centers[b][0] + dx);
      x.values.push_back(centers[b][1] + dy);
    }
  }
  x.rows = 3 * per_blob;
  return x;
}

TEST(KMeansTest, FindsSeparatedBlobs) {
  DenseMatrix x = Blobs(5000);
  KMeansOptions options;
  options.k = 3;
  KMeansResult result = KMeans(x, options);
  // Every blob maps to one cluster, and the three clusters differ.
  std::set<int32_t> seen;
  for (size_t b = 0; b < 3; ++b) {
    int32_t label = result.labels[b * 5000];
    for (size_t i = 0; i < 5000; ++i) ASSERT_EQ(result.labels[b * 5000 + i], label);
    seen.insert(label);
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_LT(result.inertia / x.rows, 0.5);
}

TEST(KMeansTest, DeterministicAndThreadIndependent) {
  DenseMatrix x = Blobs(3000);
  KMeansOptions one;
  one.k = 4;
  one.threads = 1;
  KMeansOptions two = one;
  two.threads = 2;
  KMeansResult a = KMeans(x, one), b = KMeans(x, two), c = KMeans(x, two);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(b.labels, c.labels);
  EXPECT_NEAR(a.inertia, b.inertia, 1e-6 * a.inertia);
}

TEST(KMeansTest, MoreIterationsNeverRaiseInertia) {
  DenseMatrix x = Blobs(2000);
  DenseMatrix start = KMeansPlusPlus(x, 5, 3);
  KMeansOptions options;
  options.k = 5;
  options.tolerance = 0;
  options.max_iterations = 1;
  double previous = KMeansFrom(x, start, options).inertia;
  for (int iterations : {2, 5, 20}) {
    options.max_iterations = iterations;
    double inertia = KMeansFrom(x, start, options).inertia;
    EXPECT_LE(inertia, previous * (1 + 1e-6));
    previous = inertia;
  }
}

TEST(KMeansTest, SilhouettePrefersTheTrueK) {
  DenseMatrix x = Blobs(400);
  std::vector<size_t> sample;
  for (size_t i = 0; i < x.rows; i += 3) sample.push_back(i);
  double best = -2;
  int best_k = 0;
  for (int k = 2; k <= 6; ++k) {
    KMeansOptions options;
    options.k = k;
    double s = Silhouette(x, KMeans(x, options).labels, k, sample);
    if (s > best) {
      best = s;
      best_k = k;
    }
  }
  EXPECT_EQ(best_k, 3);
  EXPECT_GT(best, 0.8);
}

TEST(KMeansTest, StandardizeCentresAndScales) {
  DenseMatrix x;
  x.cols = 2;
  x.values = {1, 100, 3, 100, 5, 100};
  x.rows = 3;
  auto stats = Standardize(x);
  EXPECT_DOUBLE_EQ(stats[0].first, 3);
  EXPECT_NEAR(x.Row(0)[0], -1.2247449, 1e-6);
  EXPECT_FLOAT_EQ(x.Row(1)[1], 0);  // a constant column stays finite
}

}  // namespace
}  // namespace fincrm
