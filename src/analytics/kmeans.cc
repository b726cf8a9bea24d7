#include "analytics/kmeans.h"

#include "core/split_mix.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

namespace fincrm {
namespace {

inline float SquaredDistance(const float* a, const float* b, size_t d) {
  float sum = 0;
  for (size_t j = 0; j < d; ++j) {
    float diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

// Assigns rows [begin, end) to their nearest centre. Centres are transposed (d × K,
// padded to K with far-away centres) so that the inner loop runs across a fixed
// number of centres held in registers; built for AVX2 and baseline x86-64, chosen
// at run time.
// Eight lanes of float: one AVX register, or two SSE registers on baseline x86-64.
typedef float Float8 __attribute__((vector_size(32)));
typedef int32_t Int8 __attribute__((vector_size(32)));

// Each lane with the lane `Distance` away in its group of 2 * Distance (4: the halves
// swapped, 2: pairs of pairs, 1: neighbours), in the vector builtins of GCC or clang.
template <int Distance, class V>
__attribute__((always_inline)) inline V SwapLanes(V v) {
#if defined(__clang__)
  if constexpr (Distance == 4) return __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3);
  else if constexpr (Distance == 2) return __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5);
  else return __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6);
#else
  if constexpr (Distance == 4) return __builtin_shuffle(v, Int8{4, 5, 6, 7, 0, 1, 2, 3});
  else if constexpr (Distance == 2) return __builtin_shuffle(v, Int8{2, 3, 0, 1, 6, 7, 4, 5});
  else return __builtin_shuffle(v, Int8{1, 0, 3, 2, 5, 4, 7, 6});
#endif
}
template <class V>
__attribute__((always_inline)) inline V LaneMin(V a, V b) {
  return b < a ? b : a;
}

template <size_t K>
__attribute__((always_inline)) inline void AssignRowsFixed(const float* x, size_t begin, size_t end, size_t d,
                                                           const float* centers_t, int32_t* labels, double* sums,
                                                           int64_t* counts, double* inertia) {
  constexpr size_t kVectors = K / 8;
  double total = 0;  // local: stores to `sums` could alias `inertia`
  for (size_t i = begin; i < end; ++i) {
    const float* row = x + i * d;
    Float8 distances[kVectors] = {};
    for (size_t j = 0; j < d; ++j) {
      const float value = row[j];
      for (size_t v = 0; v < kVectors; ++v) {
        Float8 column;
        std::memcpy(&column, centers_t + j * K + v * 8, sizeof column);
        Float8 diff = value - column;
        distances[v] += diff * diff;
      }
    }
    // Arg-min as a tree of vector minimums (three shuffle steps), branch-free: the
    // nearest centre is unpredictable, and a chain of scalar minimums is long.
    Float8 low = distances[0];
    Int8 index = {0, 1, 2, 3, 4, 5, 6, 7};
    for (size_t v = 1; v < kVectors; ++v) {
      Int8 other_index = index + static_cast<int32_t>(8 * v);
      Int8 take = distances[v] < low;
      low = take ? distances[v] : low;
      index = take ? other_index : index;
    }
    Float8 spread = low;
    spread = LaneMin(spread, SwapLanes<4>(spread));
    spread = LaneMin(spread, SwapLanes<2>(spread));
    spread = LaneMin(spread, SwapLanes<1>(spread));
    // The lowest index among the lanes holding the minimum, as the scalar loop chose.
    Int8 candidates = low == spread ? index : Int8{} + static_cast<int32_t>(K);
    candidates = LaneMin(candidates, SwapLanes<4>(candidates));
    candidates = LaneMin(candidates, SwapLanes<2>(candidates));
    candidates = LaneMin(candidates, SwapLanes<1>(candidates));
    const float best = spread[0];
    const int32_t best_c = candidates[0];
    labels[i] = best_c;
    total += best;
    // Accumulate the new centre sums while the row is still in cache.
    double* sum = sums + best_c * d;
    for (size_t j = 0; j < d; ++j) sum[j] += row[j];
    ++counts[best_c];
  }
  *inertia += total;
}

// Function multiversioning applies to plain functions, so each width gets one; the
// inlined body is compiled once per target.
__attribute__((target_clones("avx2", "default"))) void AssignRows8(const float* x, size_t begin, size_t end, size_t d,
                                                                     const float* centers_t, int32_t* labels,
                                                                     double* sums, int64_t* counts, double* inertia) {
  AssignRowsFixed<8>(x, begin, end, d, centers_t, labels, sums, counts, inertia);
}
__attribute__((target_clones("avx2", "default"))) void AssignRows16(const float* x, size_t begin, size_t end, size_t d,
                                                                      const float* centers_t, int32_t* labels,
                                                                      double* sums, int64_t* counts, double* inertia) {
  AssignRowsFixed<16>(x, begin, end, d, centers_t, labels, sums, counts, inertia);
}

// Any k: the same work with a run-time bound.
void AssignRowsAny(const float* x, size_t begin, size_t end, size_t d, const float* centers_t, size_t k,
                   int32_t* labels, double* sums, int64_t* counts, double* inertia) {
  std::vector<float> distances(k);
  for (size_t i = begin; i < end; ++i) {
    const float* row = x + i * d;
    std::fill(distances.begin(), distances.end(), 0.0f);
    for (size_t j = 0; j < d; ++j) {
      const float value = row[j];
      const float* column = centers_t + j * k;
      for (size_t c = 0; c < k; ++c) {
        float diff = value - column[c];
        distances[c] += diff * diff;
      }
    }
    int32_t best_c = static_cast<int32_t>(std::min_element(distances.begin(), distances.end()) - distances.begin());
    labels[i] = best_c;
    *inertia += distances[best_c];
    double* sum = sums + best_c * d;
    for (size_t j = 0; j < d; ++j) sum[j] += row[j];
    ++counts[best_c];
  }
}

// The padded width for k, or 0 when k is too large for the fixed kernels.
size_t PaddedWidth(size_t k) { return k <= 8 ? 8 : k <= 16 ? 16 : 0; }

// Assigns rows [begin, end), adding them to the per-centre sums and counts.
void AssignRows(const float* x, size_t begin, size_t end, size_t d, const float* centers_t, size_t k,
                int32_t* labels, double* sums, int64_t* counts, double* inertia) {
  switch (PaddedWidth(k)) {
    case 8: return AssignRows8(x, begin, end, d, centers_t, labels, sums, counts, inertia);
    case 16: return AssignRows16(x, begin, end, d, centers_t, labels, sums, counts, inertia);
    default: return AssignRowsAny(x, begin, end, d, centers_t, k, labels, sums, counts, inertia);
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
  SplitMix64 rng(seed);
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
    // Padding centres sit so far away that no row ever picks them.
    const size_t width = PaddedWidth(k) ? PaddedWidth(k) : k;
    std::vector<float> centers_t(width * d, 1e18f);
    for (size_t c = 0; c < k; ++c) {
      for (size_t j = 0; j < d; ++j) centers_t[j * width + c] = centers.Row(c)[j];
    }
    Parallel(n, threads, [&](size_t begin, size_t end, int part) {
      // Sums and counts sized for the padded width; padding centres never win.
      sums[part].assign(std::max(width, k) * d, 0.0);
      counts[part].assign(std::max(width, k), 0);
      inertia[part] = 0;
      AssignRows(x.values.data(), begin, end, d, centers_t.data(), k, result.labels.data(), sums[part].data(),
                 counts[part].data(), &inertia[part]);
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
