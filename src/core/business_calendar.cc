#include "core/business_calendar.h"

#include <algorithm>

namespace fincrm {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
// Far enough for any real deadline; bounds the walk over a calendar with no working day.
constexpr int kMaxDaysWalked = 3660;

std::string Clock(int minute) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

int64_t DayStart(Date date) { return ShanghaiTime(date, 0, 0, 0).seconds; }

}  // namespace

Result<WorkingPeriod> ParseWorkingPeriod(std::string_view text) {
  auto clock = [](std::string_view part, int& minute) {
    if (part.size() != 5 || part[2] != ':') return false;
    for (size_t i : {0u, 1u, 3u, 4u}) {
      if (part[i] < '0' || part[i] > '9') return false;
    }
    int hour = (part[0] - '0') * 10 + (part[1] - '0');
    int min = (part[3] - '0') * 10 + (part[4] - '0');
    if (min > 59 || hour > 24 || (hour == 24 && min != 0)) return false;
    minute = hour * 60 + min;
    return true;
  };
  size_t dash = text.find('-');
  WorkingPeriod period;
  if (dash == std::string_view::npos || !clock(text.substr(0, dash), period.start_minute) ||
      !clock(text.substr(dash + 1), period.end_minute)) {
    return InvalidArgument("expected a working period as HH:MM-HH:MM, got '" + std::string(text) + "'");
  }
  if (period.start_minute >= period.end_minute) {
    return InvalidArgument("the working period " + std::string(text) + " ends before it starts");
  }
  return period;
}

std::string FormatWorkingPeriod(const WorkingPeriod& period) {
  return Clock(period.start_minute) + "-" + Clock(period.end_minute);
}

BusinessCalendar::BusinessCalendar() : periods_{{9 * 60, 11 * 60 + 30}, {13 * 60, 17 * 60}} {}

Status BusinessCalendar::SetPeriods(std::vector<WorkingPeriod> periods) {
  if (periods.empty()) return InvalidArgument("a calendar needs at least one working period");
  std::sort(periods.begin(), periods.end(),
            [](const WorkingPeriod& a, const WorkingPeriod& b) { return a.start_minute < b.start_minute; });
  for (size_t i = 0; i < periods.size(); ++i) {
    const WorkingPeriod& p = periods[i];
    if (p.start_minute < 0 || p.end_minute > kMinutesPerDay || p.start_minute >= p.end_minute) {
      return InvalidArgument("the working period " + FormatWorkingPeriod(p) + " is not within one day");
    }
    if (i > 0 && p.start_minute < periods[i - 1].end_minute) {
      return InvalidArgument("the working periods " + FormatWorkingPeriod(periods[i - 1]) + " and " +
                             FormatWorkingPeriod(p) + " overlap");
    }
  }
  periods_ = std::move(periods);
  return Status::Ok();
}

void BusinessCalendar::AddDay(CalendarDay day) { days_[day.date.days] = std::move(day); }

std::vector<CalendarDay> BusinessCalendar::days() const {
  std::vector<CalendarDay> out;
  out.reserve(days_.size());
  for (const auto& [_, day] : days_) out.push_back(day);
  return out;
}

bool BusinessCalendar::IsWorkingDay(Date date) const {
  auto it = days_.find(date.days);
  if (it != days_.end()) return it->second.kind == CalendarDayKind::kMakeUpWorkday;
  return Weekday(date) < 5;
}

bool BusinessCalendar::IsTradingDay(Date date) const {
  if (Weekday(date) >= 5) return false;
  auto it = days_.find(date.days);
  return it == days_.end() || it->second.kind != CalendarDayKind::kHoliday;
}

Date BusinessCalendar::AddTradingDays(Date date, int n) const {
  int step = n > 0 ? 1 : -1;
  for (int left = n > 0 ? n : -n, walked = 0; left > 0 && walked < kMaxDaysWalked * 4; ++walked) {
    date.days += step;
    if (IsTradingDay(date)) --left;
  }
  return date;
}

Timestamp BusinessCalendar::AddBusinessTime(Timestamp start, int64_t seconds) const {
  if (seconds < 0) seconds = 0;
  Date day = ShanghaiDate(start);
  for (int walked = 0; walked < kMaxDaysWalked; ++walked, ++day.days) {
    if (!IsWorkingDay(day)) continue;
    int64_t base = DayStart(day);
    for (const WorkingPeriod& p : periods_) {
      int64_t open = base + int64_t{p.start_minute} * 60, close = base + int64_t{p.end_minute} * 60;
      int64_t from = std::max(open, start.seconds);
      if (from >= close) continue;
      if (from + seconds <= close) return Timestamp{from + seconds};
      seconds -= close - from;
    }
  }
  return Timestamp{start.seconds + int64_t{kMaxDaysWalked} * 86400};
}

int64_t BusinessCalendar::BusinessTimeBetween(Timestamp from, Timestamp to) const {
  if (to <= from) return 0;
  int64_t total = 0;
  Date last = ShanghaiDate(to);
  for (Date day = ShanghaiDate(from); day <= last; ++day.days) {
    if (!IsWorkingDay(day)) continue;
    int64_t base = DayStart(day);
    for (const WorkingPeriod& p : periods_) {
      int64_t open = std::max(base + int64_t{p.start_minute} * 60, from.seconds);
      int64_t close = std::min(base + int64_t{p.end_minute} * 60, to.seconds);
      if (close > open) total += close - open;
    }
  }
  return total;
}

}  // namespace fincrm
