// The brokerage's business calendar: which days are working days and trading days,
// and the working periods of a working day, on the exchange's clock (Asia/Shanghai).
//
// Mainland rules the usual calendars miss: a public holiday closes a weekday, and a
// make-up working day (调休) opens a Saturday or Sunday for work — but never for
// trading, because the exchanges do not open on weekends. A working day has several
// periods (09:00–11:30 and 13:00–17:00: no clock runs over the lunch break).
//
// Service-level clocks count business time with it (AddBusinessTime, BusinessTimeBetween);
// return visits and suitability deadlines count trading days (AddTradingDays).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/status.h"

namespace fincrm {

// [start, end) in minutes after Shanghai midnight.
struct WorkingPeriod {
  int start_minute = 0;
  int end_minute = 0;
  friend bool operator==(const WorkingPeriod&, const WorkingPeriod&) = default;
};

enum class CalendarDayKind { kHoliday, kMakeUpWorkday };
template <> struct EnumInfo<CalendarDayKind> {
  static constexpr std::string_view kTypeName = "calendar_day_kind";
  static constexpr EnumName kNames[] = {{0, "holiday", "节假日"}, {1, "workday", "调休工作日"}};
};

// A day that differs from the weekly rule.
struct CalendarDay {
  Date date;
  CalendarDayKind kind = CalendarDayKind::kHoliday;
  std::string name;  // "春节", "国庆节调休"
};

class BusinessCalendar {
 public:
  // Monday to Friday, 09:00–11:30 and 13:00–17:00, no holidays.
  BusinessCalendar();

  // Sorted, non-overlapping, non-empty periods within one day; InvalidArgument
  // naming the offending period otherwise (the calendar is left unchanged).
  Status SetPeriods(std::vector<WorkingPeriod> periods);
  // A later entry for the same date replaces the earlier one.
  void AddDay(CalendarDay day);

  const std::vector<WorkingPeriod>& periods() const { return periods_; }
  std::vector<CalendarDay> days() const;

  // A weekday that is not a holiday, or a make-up working day.
  bool IsWorkingDay(Date date) const;
  // A weekday that is not a holiday (the exchanges never open on weekends).
  bool IsTradingDay(Date date) const;
  // The `n`-th trading day after `date` (n > 0), before it (n < 0), or `date` (n = 0).
  Date AddTradingDays(Date date, int n) const;

  // The instant when `seconds` of business time have passed since `start`. Time
  // outside working periods does not count; a start outside them begins at the next
  // period. Throws nothing; gives up after about ten years of closed days.
  Timestamp AddBusinessTime(Timestamp start, int64_t seconds) const;
  // Business seconds in [from, to); 0 when to <= from.
  int64_t BusinessTimeBetween(Timestamp from, Timestamp to) const;

 private:
  std::vector<WorkingPeriod> periods_;
  std::map<int32_t, CalendarDay> days_;  // by Date::days
};

// "09:00-11:30" -> {540, 690}. InvalidArgument unless HH:MM-HH:MM with start < end.
Result<WorkingPeriod> ParseWorkingPeriod(std::string_view text);
std::string FormatWorkingPeriod(const WorkingPeriod& period);

}  // namespace fincrm
