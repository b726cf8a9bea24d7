// k-means benchmark, our side: makes N × D points from a mixture of Gaussians, picks
// k-means++ centres, writes both for the peer (scikit-learn, run by kmeans_vs_sklearn.sh),
// runs FinCRM's k-means from the same centres for the same number of iterations and
// prints its time and inertia.
//   kmeans_bench N D K ITERATIONS OUT_DIR
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analytics/kmeans.h"
#include "core/split_mix.h"

int main(int argc, char** argv) {
  using namespace fincrm;
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: kmeans_bench N D K ITERATIONS OUT_DIR [THREADS]\n");
    return 2;
  }
  size_t n = std::strtoull(argv[1], nullptr, 10), d = std::strtoull(argv[2], nullptr, 10);
  int k = std::atoi(argv[3]), iterations = std::atoi(argv[4]);
  std::string out = argv[5];
  DenseMatrix x;
  x.rows = n;
  x.cols = d;
  x.values.resize(n * d);
  SplitMix64 rng(42);
  auto uniform = [&] { return rng.Uniform(); };
  for (size_t i = 0; i < n; ++i) {
    int blob = static_cast<int>(uniform() * 12);
    for (size_t j = 0; j < d; ++j) {
      double gauss = std::sqrt(-2 * std::log(std::max(uniform(), 1e-300))) * std::cos(6.283185307 * uniform());
      x.Row(i)[j] = static_cast<float>(((blob * 7 + j * 3) % 11) + gauss * 1.5);
    }
  }
  DenseMatrix centers = KMeansPlusPlus(x, k, 7);
  std::FILE* f = std::fopen((out + "/points.f32").c_str(), "wb");
  std::fwrite(x.values.data(), sizeof(float), x.values.size(), f);
  std::fclose(f);
  f = std::fopen((out + "/centers.f32").c_str(), "wb");
  std::fwrite(centers.values.data(), sizeof(float), centers.values.size(), f);
  std::fclose(f);

  if (iterations == 0) return 0;  // only write the points and centres for the peer
  KMeansOptions options;
  options.k = k;
  options.max_iterations = iterations;
  options.tolerance = 0;
  options.threads = argc == 7 ? std::atoi(argv[6]) : 2;
  double best = 1e100;
  KMeansResult result;
  for (int run = 0; run < 3; ++run) {
    auto start = std::chrono::steady_clock::now();
    result = KMeansFrom(x, centers, options);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  // Inertia of the final centres, recomputed in double precision like the peer's.
  double inertia = 0;
  for (size_t i = 0; i < n; ++i) {
    double nearest = 1e300;
    for (int c = 0; c < k; ++c) {
      double dist = 0;
      for (size_t j = 0; j < d; ++j) {
        double diff = x.Row(i)[j] - result.centers.Row(c)[j];
        dist += diff * diff;
      }
      nearest = std::min(nearest, dist);
    }
    inertia += nearest;
  }
  std::printf("fincrm %.4f %.6e %d\n", best, inertia, result.iterations);
  return 0;
}
