// Limits and watches customer searches per session (查询频率控制), so that search cannot
// be used to recover masked numbers by trying candidates.
//
// Each session has a token bucket: `burst` searches at once, refilled at `per_minute`
// (the console searches as the user types, a few a second at most). Apart from that,
// number-shaped searches (six or more digits: mobiles, ID numbers) are counted over a
// window: past `number_lookups_per_window` the session is flagged once (the caller
// audits and logs it) and its number searches are refused until the window has passed.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fincrm {

struct SearchGuardOptions {
  int per_minute = 60;
  int burst = 30;
  int number_lookups_per_window = 30;
  int window_minutes = 10;
};

class SearchGuard {
 public:
  enum class Verdict {
    kAllowed,
    kThrottled,           // over the rate: 429
    kEnumerationFlagged,  // this search crossed the number-lookup threshold: refused, flag it
    kEnumerationBlocked,  // already flagged in this window: refused
  };
  using Clock = std::chrono::steady_clock;

  explicit SearchGuard(SearchGuardOptions options = {}) : options_(options) {}

  // Counts one search of `text` by `session` at `now` and says whether it may run.
  Verdict Check(std::string_view session, std::string_view text, Clock::time_point now = Clock::now());
  // Whether a search text has the shape of a mobile or ID number.
  static bool IsNumberShaped(std::string_view text);

  int64_t flagged() const;

 private:
  struct Usage {
    double tokens = 0;
    Clock::time_point refilled;
    Clock::time_point window_start;
    int number_lookups = 0;
    bool flagged = false;
  };
  SearchGuardOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Usage> usage_;
  int64_t flagged_ = 0;
};

}  // namespace fincrm
