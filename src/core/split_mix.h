// SplitMix64: a tiny, fast, well-mixed pseudo-random stream. Used wherever FinCRM
// needs randomness that must be the same on every machine for a given seed
// (demo data, k-means++ starts, cross-validation folds). Not for secrets.
// Not thread-safe: one stream per thread or per customer.
#pragma once

#include <cstdint>

namespace fincrm {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return (Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace fincrm
