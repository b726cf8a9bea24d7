#include "core/date_time.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

TEST(DateTest, ParsesCommonForms) {
  EXPECT_EQ(FormatDate(*ParseDate("2024-03-05")), "2024-03-05");
  EXPECT_EQ(FormatDate(*ParseDate("2024/3/5")), "2024-03-05");
  EXPECT_EQ(FormatDate(*ParseDate("20240305")), "2024-03-05");
  EXPECT_EQ(ParseDate("1970-01-01")->days, 0);
}

TEST(DateTest, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_FALSE(ParseDate("2024-13-01").ok());
  EXPECT_FALSE(ParseDate("2024-04-31").ok());
  EXPECT_FALSE(ParseDate("2024-03-05x").ok());
  EXPECT_FALSE(ParseDate("yesterday").ok());
}

TEST(DateTest, RoundTripsEveryDayOverCenturies) {
  for (int32_t days = -50000; days < 80000; days += 7) {
    int year;
    unsigned month, day;
    CivilFromDays(days, year, month, day);
    EXPECT_EQ(DaysFromCivil(year, month, day), days);
  }
}

TEST(TimestampTest, TextWithoutOffsetIsShanghaiTime) {
  Timestamp local = *ParseTimestamp("2024-03-05 09:30:00");
  Timestamp utc = *ParseTimestamp("2024-03-05T01:30:00Z");
  Timestamp offset = *ParseTimestamp("2024-03-05T09:30:00+08:00");
  EXPECT_EQ(local, utc);
  EXPECT_EQ(local, offset);
  EXPECT_EQ(FormatTimestamp(local), "2024-03-05T09:30:00+08:00");
  EXPECT_EQ(ParseTimestamp("2024-03-05T09:30")->seconds, local.seconds);
}

TEST(TimestampTest, TradingDayIsTheShanghaiDate) {
  // 23:30 UTC on the 4th is 07:30 on the 5th in Shanghai.
  Timestamp ts = *ParseTimestamp("2024-03-04T23:30:00Z");
  EXPECT_EQ(FormatDate(ShanghaiDate(ts)), "2024-03-05");
  EXPECT_EQ(ShanghaiTime(*ParseDate("2024-03-05"), 9, 30, 0), *ParseTimestamp("2024-03-05 09:30:00"));
}

TEST(TimestampTest, RejectsMalformedTimes) {
  EXPECT_FALSE(ParseTimestamp("2024-03-05 25:00:00").ok());
  EXPECT_FALSE(ParseTimestamp("2024-03-05T09:30:00+25:00").ok());
  EXPECT_FALSE(ParseTimestamp("2024-03-05 9:30").ok());
  EXPECT_FALSE(ParseTimestamp("2024-03-05 09:30:00 junk").ok());
}

TEST(WeekdayTest, MondayIsZero) {
  EXPECT_EQ(Weekday(*ParseDate("2024-09-30")), 0);
  EXPECT_EQ(Weekday(*ParseDate("2024-09-28")), 5);  // Saturday
}

}  // namespace
}  // namespace fincrm
