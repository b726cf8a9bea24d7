#include "api/search_guard.h"

#include <algorithm>

namespace fincrm {

bool SearchGuard::IsNumberShaped(std::string_view text) {
  int digits = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') ++digits;
    else if (c != 'X' && c != 'x' && c != ' ' && c != '-' && c != '+') return false;
  }
  return digits >= 6;
}

SearchGuard::Verdict SearchGuard::Check(std::string_view session, std::string_view text, Clock::time_point now) {
  const auto window = std::chrono::minutes(options_.window_minutes);
  std::lock_guard lock(mutex_);
  if (usage_.size() > 10000) {  // sessions end; their counters need not outlive the window
    std::erase_if(usage_, [&](const auto& entry) { return now - entry.second.refilled > window; });
  }
  auto [it, inserted] = usage_.try_emplace(std::string(session));
  Usage& usage = it->second;
  if (inserted) {
    usage.tokens = options_.burst;
    usage.refilled = usage.window_start = now;
  }
  double minutes = std::chrono::duration<double, std::ratio<60>>(now - usage.refilled).count();
  usage.tokens = std::min<double>(options_.burst, usage.tokens + minutes * options_.per_minute);
  usage.refilled = now;
  if (now - usage.window_start > window) {
    usage.window_start = now;
    usage.number_lookups = 0;
    usage.flagged = false;
  }
  if (usage.tokens < 1) return Verdict::kThrottled;
  usage.tokens -= 1;
  if (!IsNumberShaped(text)) return Verdict::kAllowed;
  if (usage.flagged) return Verdict::kEnumerationBlocked;
  if (++usage.number_lookups > options_.number_lookups_per_window) {
    usage.flagged = true;
    ++flagged_;
    return Verdict::kEnumerationFlagged;
  }
  return Verdict::kAllowed;
}

int64_t SearchGuard::flagged() const {
  std::lock_guard lock(mutex_);
  return flagged_;
}

}  // namespace fincrm
