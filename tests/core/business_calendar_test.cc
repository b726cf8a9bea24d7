#include "core/business_calendar.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

Timestamp At(const char* text) { return *ParseTimestamp(text); }
Date Day(const char* text) { return *ParseDate(text); }

// The 2026 Spring Festival: closed Sunday 15 to Monday 23 February, with Saturday 14
// and Saturday 28 February as make-up working days (调休).
BusinessCalendar SpringFestival2026() {
  BusinessCalendar calendar;
  for (int d = 15; d <= 23; ++d) {
    calendar.AddDay({Date{DaysFromCivil(2026, 2, static_cast<unsigned>(d))}, CalendarDayKind::kHoliday, "春节"});
  }
  calendar.AddDay({Day("2026-02-14"), CalendarDayKind::kMakeUpWorkday, "春节调休"});
  calendar.AddDay({Day("2026-02-28"), CalendarDayKind::kMakeUpWorkday, "春节调休"});
  return calendar;
}

TEST(BusinessCalendarTest, MakeUpSaturdayIsWorkingButNotTrading) {
  BusinessCalendar calendar = SpringFestival2026();
  EXPECT_TRUE(calendar.IsWorkingDay(Day("2026-02-14")));
  EXPECT_FALSE(calendar.IsTradingDay(Day("2026-02-14")));
  EXPECT_FALSE(calendar.IsWorkingDay(Day("2026-02-17")));
  EXPECT_FALSE(calendar.IsTradingDay(Day("2026-02-17")));
  EXPECT_FALSE(calendar.IsWorkingDay(Day("2026-02-21")));  // an ordinary Saturday inside the break
  EXPECT_TRUE(calendar.IsTradingDay(Day("2026-02-24")));
  // The trading day after Friday 13 February is Tuesday 24 February; two before it, 12 February.
  EXPECT_EQ(calendar.AddTradingDays(Day("2026-02-13"), 1), Day("2026-02-24"));
  EXPECT_EQ(calendar.AddTradingDays(Day("2026-02-24"), -2), Day("2026-02-12"));
  EXPECT_EQ(calendar.AddTradingDays(Day("2026-02-24"), 0), Day("2026-02-24"));
}

TEST(BusinessCalendarTest, DeadlinesCrossTheSpringFestivalAndTheLunchBreak) {
  BusinessCalendar calendar = SpringFestival2026();
  // Friday 16:30 + 2 h: 30 min on Friday, then the make-up Saturday from 09:00.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-13T16:30:00+08:00"), 2 * 3600), At("2026-02-14T10:30:00+08:00"));
  // Saturday 16:00 + 2 h: one hour on Saturday, then nothing until Tuesday 24th.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-14T16:00:00+08:00"), 2 * 3600), At("2026-02-24T10:00:00+08:00"));
  // 11:00 + 1 h: 30 min before lunch, 30 min after.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-24T11:00:00+08:00"), 3600), At("2026-02-24T13:30:00+08:00"));
  // Created at lunch: the clock starts at 13:00.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-24T12:10:00+08:00"), 600), At("2026-02-24T13:10:00+08:00"));
  // A deadline exactly at the end of a period stays in it.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-24T11:00:00+08:00"), 1800), At("2026-02-24T11:30:00+08:00"));
  // Zero time at night: the next opening.
  EXPECT_EQ(calendar.AddBusinessTime(At("2026-02-24T20:00:00+08:00"), 0), At("2026-02-25T09:00:00+08:00"));
}

TEST(BusinessCalendarTest, ElapsedTimeIsTheInverseOfTheDeadline) {
  BusinessCalendar calendar = SpringFestival2026();
  EXPECT_EQ(calendar.BusinessTimeBetween(At("2026-02-13T16:30:00+08:00"), At("2026-02-24T10:00:00+08:00")),
            1800 + (2 * 3600 + 1800 + 4 * 3600) + 3600);  // Friday 16:30-17:00, Saturday 6.5 h, Tuesday 09:00-10:00
  EXPECT_EQ(calendar.BusinessTimeBetween(At("2026-02-24T12:00:00+08:00"), At("2026-02-24T12:59:00+08:00")), 0);
  EXPECT_EQ(calendar.BusinessTimeBetween(At("2026-02-24T10:00:00+08:00"), At("2026-02-24T09:00:00+08:00")), 0);
  Timestamp start = At("2026-02-10T15:47:13+08:00");
  for (int64_t seconds : {0, 1, 1799, 3600, 9 * 3600, 40 * 3600, 100 * 3600}) {
    Timestamp due = calendar.AddBusinessTime(start, seconds);
    EXPECT_EQ(calendar.BusinessTimeBetween(start, due), seconds) << seconds;
  }
}

TEST(BusinessCalendarTest, PeriodsMustNotOverlap) {
  BusinessCalendar calendar;
  Status overlap = calendar.SetPeriods({*ParseWorkingPeriod("09:00-12:00"), *ParseWorkingPeriod("11:30-17:00")});
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.message().find("09:00-12:00 and 11:30-17:00 overlap"), std::string::npos) << overlap.message();
  EXPECT_EQ(calendar.periods().size(), 2u);  // unchanged: the default two periods
  EXPECT_FALSE(calendar.SetPeriods({}).ok());
  EXPECT_FALSE(ParseWorkingPeriod("13:00-09:00").ok());
  EXPECT_FALSE(ParseWorkingPeriod("9:00-11:30").ok());
  EXPECT_FALSE(ParseWorkingPeriod("09:60-11:30").ok());
  EXPECT_TRUE(ParseWorkingPeriod("00:00-24:00").ok());
  ASSERT_TRUE(calendar.SetPeriods({*ParseWorkingPeriod("13:00-17:00"), *ParseWorkingPeriod("09:30-11:30")}).ok());
  EXPECT_EQ(FormatWorkingPeriod(calendar.periods()[0]), "09:30-11:30");  // sorted
}

}  // namespace
}  // namespace fincrm
