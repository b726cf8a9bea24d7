#include "analytics/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace fincrm {
namespace {

class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return (Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

inline float SquaredDistance(const float* a, const float* b, size_t d) {
  float sum = 0;
  for (size_t j = 0; j < d; ++j) {
    float diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

// Assigns rows [begin, end) to their nearest centre. Centres are transposed (d × k)
// so the inner loop runs across centres and vectorises; built for AVX2 and baseline
// x86-64, chosen at run time.
__attribute__((target_clones("avx2", "default"))) void AssignRows(const float* x, size_t begin, size_t end, size_t d,
                                                                    const float* centers_t, size_t k, float* distances,
                                                                    int32_t* labels, float* nearest) {
  for (size_t i = begin; i < end; ++i) {
    const float* row = x + i * d;
    for (size_t c = 0; c < k; ++c) distances[c] = 0;
    for (size_t j = 0; j < d; ++j) {
      const float value = row[j];
      const float* column = centers_t + j * k;
      for (size_t c = 0; c < k; ++c) {
        float diff = value - column[c];
        distances[c] += diff * diff;
      }
    }
    float best = distances[0];
    int32_t best_c = 0;
    for (size_t c = 1; c < k; ++c) {
      if (distances[c] < best) {
        best = distances[c];
        best_c = static_cast<int32_t>(c);
      }
    }
    labels[i] = best_c;
    nearest[i - begin] = best;
  }
}

// Runs fn(begin, end, part) over `threads` contiguous ranges of [0, n).
template <class Fn>
void Parallel(size_t n, int threads, Fn&& fn) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / 4096) + 1));
  if (threads == 1) {
    fn(size_t{0}, n, 0);
    return;
  }
  std::vector<std::thread> workers;
  size_t chunk = (n + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    size_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    workers.emplace_back([&, begin, end, t] { fn(begin, end, t); });
  }
  fn(0, std::min(n, chunk), 0);
  for (std::thread& w : workers) w.join();
}

}  // namespace

DenseMatrix KMeansPlusPlus(const DenseMatrix& x, int k, uint64_t seed) {
  SplitMix rng(seed);
  DenseMatrix centers;
  centers.rows = static_cast<size_t>(k);
  centers.cols = x.cols;
  centers.values.resize(centers.rows * centers.cols);
  if (x.rows == 0) return centers;
  std::vector<float> nearest(x.rows, std::numeric_limits<float>::max());
  size_t first = rng.Next() % x.rows;
  std::copy_n(x.Row(first), x.cols, centers.Row(0));
  for (int c = 1; c < k; ++c) {
    double total = 0;
    const float* last = centers.Row(c - 1);
    for (size_t i = 0; i < x.rows; ++i) {
      nearest[i] = std::min(nearest[i], SquaredDistance(x.Row(i), last, x.cols));
      total += nearest[i];
    }
    double target = rng.Uniform() * total;
    size_t chosen = x.rows - 1;
    for (size_t i = 0; i < x.rows; ++i) {
      target -= nearest[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    std::copy_n(x.Row(chosen), x.cols, centers.Row(c));
  }
  return centers;
}

KMeansResult KMeansFrom(const DenseMatrix& x, DenseMatrix centers, const KMeansOptions& options) {
  const size_t n = x.rows, d = x.cols, k = centers.rows;
  KMeansResult result;
  result.labels.assign(n, 0);
  int threads = std::max(1, options.threads);
  std::vector<std::vector<double>> sums(threads, std::vector<double>(k * d));
  std::vector<std::vector<int64_t>> counts(threads, std::vector<int64_t>(k));
  std::vector<double> inertia(threads);
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    // Assignment and partial sums, per thread.
    std::vector<float> centers_t(k * d);
    for (size_t c = 0; c < k; ++c) {
      for (size_t j = 0; j < d; ++j) centers_t[j * k + c] = centers.Row(c)[j];
    }
    Parallel(n, threads, [&](size_t begin, size_t end, int part) {
      std::fill(sums[part].begin(), sums[part].end(), 0.0);
      std::fill(counts[part].begin(), counts[part].end(), 0);
      std::vector<float> distances(k), nearest(4096);
      double local_inertia = 0;
      for (size_t block = begin; block < end; block += nearest.size()) {
        size_t block_end = std::min(end, block + nearest.size());
        AssignRows(x.values.data(), block, block_end, d, centers_t.data(), k, distances.data(),
                   result.labels.data(), nearest.data());
        for (size_t i = block; i < block_end; ++i) {
          local_inertia += nearest[i - block];
          const float* row = x.Row(i);
          double* sum = sums[part].data() + result.labels[i] * d;
          for (size_t j = 0; j < d; ++j) sum[j] += row[j];
          ++counts[part][result.labels[i]];
        }
      }
      inertia[part] = local_inertia;
    });
    result.inertia = 0;
    for (double v : inertia) result.inertia += v;
    // Update.
    double shift = 0, scale = 0;
    for (size_t c = 0; c < k; ++c) {
      int64_t count = 0;
      for (int t = 0; t < threads; ++t) count += counts[t][c];
      if (count == 0) continue;  // an empty cluster keeps its centre
      float* center = centers.Row(c);
      for (size_t j = 0; j < d; ++j) {
        double sum = 0;
        for (int t = 0; t < threads; ++t) sum += sums[t][c * d + j];
        float updated = static_cast<float>(sum / count);
        shift += (updated - center[j]) * (updated - center[j]);
        scale += updated * updated;
        center[j] = updated;
      }
    }
    result.iterations = iteration + 1;
    if (options.tolerance > 0 && shift <= options.tolerance * options.tolerance * std::max(scale, 1e-12)) break;
  }
  result.centers = std::move(centers);
  return result;
}

KMeansResult KMeans(const DenseMatrix& x, const KMeansOptions& options) {
  return KMeansFrom(x, KMeansPlusPlus(x, options.k, options.seed), options);
}

double Silhouette(const DenseMatrix& x, const std::vector<int32_t>& labels, int k, const std::vector<size_t>& sample) {
  if (sample.size() < 2 || k < 2) return 0;
  double total = 0;
  std::vector<double> sum(k);
  std::vector<int64_t> count(k);
  for (size_t i : sample) {
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(count.begin(), count.end(), 0);
    for (size_t j : sample) {
      if (i == j) continue;
      sum[labels[j]] += std::sqrt(SquaredDistance(x.Row(i), x.Row(j), x.cols));
      ++count[labels[j]];
    }
    int own = labels[i];
    if (count[own] == 0) continue;  // a singleton scores 0
    double a = sum[own] / count[own];
    double b = std::numeric_limits<double>::max();
    for (int c = 0; c < k; ++c) {
      if (c != own && count[c] > 0) b = std::min(b, sum[c] / count[c]);
    }
    if (b == std::numeric_limits<double>::max()) continue;
    total += (b - a) / std::max(a, b);
  }
  return total / sample.size();
}

std::vector<std::pair<double, double>> Standardize(DenseMatrix& x) {
  std::vector<std::pair<double, double>> stats(x.cols);
  for (size_t j = 0; j < x.cols; ++j) {
    double sum = 0, squares = 0;
    for (size_t i = 0; i < x.rows; ++i) sum += x.Row(i)[j];
    double mean = x.rows ? sum / x.rows : 0;
    for (size_t i = 0; i < x.rows; ++i) squares += (x.Row(i)[j] - mean) * (x.Row(i)[j] - mean);
    double sd = x.rows ? std::sqrt(squares / x.rows) : 1;
    if (sd < 1e-12) sd = 1;
    for (size_t i = 0; i < x.rows; ++i) x.Row(i)[j] = static_cast<float>((x.Row(i)[j] - mean) / sd);
    stats[j] = {mean, sd};
  }
  return stats;
}

}  // namespace fincrm
