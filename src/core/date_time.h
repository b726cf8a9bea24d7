// Calendar dates and instants.
//
// A Date is a civil day (days since 1970-01-01), used for open dates, birth dates and
// snapshot dates. A Timestamp is an instant in UTC seconds. Trading happens on the
// exchange's clock, Asia/Shanghai (UTC+8, no daylight saving since 1991), so text
// without an explicit offset is read as Shanghai time and the trading day of an
// instant is its Shanghai date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fincrm {

struct Date {
  int32_t days = 0;  // since 1970-01-01
  friend auto operator<=>(const Date&, const Date&) = default;
};

struct Timestamp {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

inline constexpr int64_t kShanghaiOffsetSeconds = 8 * 3600;

// Civil date <-> day number (proleptic Gregorian, Howard Hinnant's algorithm).
int32_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(int32_t days, int& year, unsigned& month, unsigned& day);
bool IsValidCivil(int year, unsigned month, unsigned day);

// Accepts "2024-03-05", "2024/3/5" and "20240305". InvalidArgument otherwise,
// including impossible dates such as 2023-02-29.
Result<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);  // "2024-03-05"
// The same day `months` later (or earlier), or that month's last day when it is shorter.
Date AddMonths(Date date, int months);

// Accepts ISO 8601 ("2024-03-05T09:30:00Z", "...+08:00", "2024-03-05 09:30:00") and
// "2024-03-05 09:30" ; text without an offset is Asia/Shanghai local time.
Result<Timestamp> ParseTimestamp(std::string_view text);
// "2024-03-05T09:30:00+08:00": Shanghai wall time with its offset, unambiguous.
std::string FormatTimestamp(Timestamp ts);

// Now, to the second (the system clock; UTC).
Timestamp CurrentTime();

// The Shanghai calendar day an instant falls on.
Date ShanghaiDate(Timestamp ts);
// The instant of a Shanghai wall-clock time on a day.
Timestamp ShanghaiTime(Date date, int hour, int minute, int second);

// 0 = Monday ... 6 = Sunday.
int Weekday(Date date);


}  // namespace fincrm
