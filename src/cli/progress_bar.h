// A one-line progress display for long CLI operations, drawn only when standard
// output is a terminal (so logs and pipes stay clean). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace fincrm {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  // Redraws at most 10 times a second: "label [#####     ] 45%  1,234,567 rows  512,000 rows/s".
  void Update(double fraction, int64_t count, const char* unit);
  // Clears the line.
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  std::string label_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string GroupThousands(int64_t value);

}  // namespace fincrm
