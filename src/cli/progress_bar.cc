#include "cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace fincrm {

std::string GroupThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDOUT_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(double fraction, int64_t count, const char* unit) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int kWidth = 30;
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, ' ');
  int64_t rate = seconds > 0 ? static_cast<int64_t>(count / seconds) : 0;
  std::printf("\r%s [%s] %3d%%  %s %s  %s %s/s ", label_.c_str(), bar.c_str(),
              static_cast<int>(fraction * 100), GroupThousands(count).c_str(), unit,
              GroupThousands(rate).c_str(), unit);
  std::fflush(stdout);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  std::printf("\r\033[K");
  std::fflush(stdout);
}

}  // namespace fincrm
