// What the C++ benchmarks share: elapsed seconds, and stopping with the failure's text
// (a benchmark has no one to return an error to).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "core/status.h"

namespace fincrm::bench {

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

[[noreturn]] inline void Die(const Status& status) {
  std::fprintf(stderr, "benchmark: %s\n", status.ToString().c_str());
  std::exit(1);
}

template <class T>
T Must(Result<T> result) {
  if (!result.ok()) Die(result.status());
  return std::move(*result);
}

}  // namespace fincrm::bench
