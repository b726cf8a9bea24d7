#include "core/date_time.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace fincrm {
namespace {

bool ReadDigits(std::string_view& text, int count, int& out) {
  if (text.size() < static_cast<size_t>(count)) return false;
  int value = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  text.remove_prefix(count);
  return true;
}

// Reads 1 or 2 digits (for "2024/3/5").
bool ReadShortNumber(std::string_view& text, int& out) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  int value = text[0] - '0';
  text.remove_prefix(1);
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    value = value * 10 + (text[0] - '0');
    text.remove_prefix(1);
  }
  out = value;
  return true;
}

bool Consume(std::string_view& text, char c) {
  if (text.empty() || text[0] != c) return false;
  text.remove_prefix(1);
  return true;
}

// Parses the date part and leaves the rest in `text`.
bool ParseDatePrefix(std::string_view& text, Date& date) {
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(text, 4, year)) return false;
  if (!text.empty() && (text[0] == '-' || text[0] == '/')) {
    char sep = text[0];
    text.remove_prefix(1);
    if (!ReadShortNumber(text, month) || !Consume(text, sep) || !ReadShortNumber(text, day)) {
      return false;
    }
  } else if (!ReadDigits(text, 2, month) || !ReadDigits(text, 2, day)) {
    return false;
  }
  if (!IsValidCivil(year, month, day)) return false;
  date.days = DaysFromCivil(year, month, day);
  return true;
}

}  // namespace

int32_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t days, int& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe) + era * 400 + (month <= 2);
}

bool IsValidCivil(int year, unsigned month, unsigned day) {
  if (year < 1800 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  unsigned limit = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= limit;
}

Result<Date> ParseDate(std::string_view text) {
  std::string_view rest = text;
  Date date;
  if (!ParseDatePrefix(rest, date) || !rest.empty()) {
    return InvalidArgument("not a valid date (YYYY-MM-DD): '" + std::string(text) + "'");
  }
  return date;
}

Date AddMonths(Date date, int months) {
  int year;
  unsigned month, day;
  CivilFromDays(date.days, year, month, day);
  int index = year * 12 + static_cast<int>(month) - 1 + months;
  year = index >= 0 ? index / 12 : -((-index + 11) / 12);
  month = static_cast<unsigned>(index - year * 12) + 1;
  while (day > 28 && !IsValidCivil(year, month, day)) --day;
  return Date{DaysFromCivil(year, month, day)};
}

std::string FormatDate(Date date) {
  int year;
  unsigned month, day;
  CivilFromDays(date.days, year, month, day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  return buf;
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  auto fail = [&] {
    return InvalidArgument("not a valid time (YYYY-MM-DD HH:MM:SS): '" + std::string(text) + "'");
  };
  std::string_view rest = text;
  Date date;
  if (!ParseDatePrefix(rest, date)) return fail();
  int hour = 0, minute = 0, second = 0;
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return fail();
    rest.remove_prefix(1);
    if (!ReadDigits(rest, 2, hour) || !Consume(rest, ':') || !ReadDigits(rest, 2, minute)) {
      return fail();
    }
    if (Consume(rest, ':') && !ReadDigits(rest, 2, second)) return fail();
    if (Consume(rest, '.')) {  // fractions of a second are dropped
      while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') rest.remove_prefix(1);
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return fail();
  int64_t offset = kShanghaiOffsetSeconds;
  if (Consume(rest, 'Z')) {
    offset = 0;
  } else if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    int sign = rest[0] == '-' ? -1 : 1;
    rest.remove_prefix(1);
    int oh = 0, om = 0;
    if (!ReadDigits(rest, 2, oh)) return fail();
    Consume(rest, ':');
    if (!rest.empty() && !ReadDigits(rest, 2, om)) return fail();
    if (oh > 14 || om > 59) return fail();
    offset = sign * (oh * 3600 + om * 60);
  }
  if (!rest.empty()) return fail();
  int64_t local = int64_t{date.days} * 86400 + hour * 3600 + minute * 60 + second;
  return Timestamp{local - offset};
}

std::string FormatTimestamp(Timestamp ts) {
  int64_t local = ts.seconds + kShanghaiOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  int year;
  unsigned month, day;
  CivilFromDays(static_cast<int32_t>(days), year, month, day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+08:00", year, month, day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

Timestamp CurrentTime() {
  return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count()};
}

Date ShanghaiDate(Timestamp ts) {
  int64_t local = ts.seconds + kShanghaiOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return Date{static_cast<int32_t>(days)};
}

Timestamp ShanghaiTime(Date date, int hour, int minute, int second) {
  return Timestamp{int64_t{date.days} * 86400 + hour * 3600 + minute * 60 + second -
                   kShanghaiOffsetSeconds};
}

int Weekday(Date date) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (date.days % 7 + 7 + 3) % 7;
  return w;
}

}  // namespace fincrm
