#include "core/money.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

TEST(MoneyTest, ParsesYuanIntoFenExactly) {
  EXPECT_EQ(ParseYuan("12.34")->fen, 1234);
  EXPECT_EQ(ParseYuan("12.3")->fen, 1230);
  EXPECT_EQ(ParseYuan("12")->fen, 1200);
  EXPECT_EQ(ParseYuan("0.01")->fen, 1);
  EXPECT_EQ(ParseYuan("-5.10")->fen, -510);
  EXPECT_EQ(ParseYuan("1,234,567.89")->fen, 123456789);
  EXPECT_EQ(ParseYuan(" 7.00 ")->fen, 700);
  EXPECT_EQ(ParseYuan("1.2300")->fen, 123);  // trailing zeros lose nothing
  // 0.1 + 0.2 style: decimal text never goes through floating point.
  EXPECT_EQ(ParseYuan("0.29")->fen, 29);
  EXPECT_EQ(ParseYuan("92233720368547758.07")->fen, INT64_MAX);
}

TEST(MoneyTest, RejectsWhatWouldRoundOrOverflow) {
  EXPECT_FALSE(ParseYuan("1.234").ok());
  EXPECT_FALSE(ParseYuan("").ok());
  EXPECT_FALSE(ParseYuan("abc").ok());
  EXPECT_FALSE(ParseYuan("1.2.3").ok());
  EXPECT_FALSE(ParseYuan("12e3").ok());
  EXPECT_FALSE(ParseYuan("-").ok());
  EXPECT_FALSE(ParseYuan("92233720368547758.08").ok());
  EXPECT_FALSE(ParseYuan("99999999999999999999").ok());
}

TEST(MoneyTest, FormatsFen) {
  EXPECT_EQ(FormatYuan(Money{1234}), "12.34");
  EXPECT_EQ(FormatYuan(Money{5}), "0.05");
  EXPECT_EQ(FormatYuan(Money{-5}), "-0.05");
  EXPECT_EQ(FormatYuan(Money{0}), "0.00");
  EXPECT_EQ(FormatYuan(Money{INT64_MIN}), "-92233720368547758.08");
  EXPECT_EQ(FormatYuanGrouped(Money{123456789}), "1,234,567.89");
  EXPECT_EQ(FormatYuanGrouped(Money{-100000}), "-1,000.00");
  EXPECT_EQ(FormatScaledDecimal(12345, 3), "12.345");
}

TEST(MoneyTest, IntegersAreStrict) {
  EXPECT_EQ(*ParseInteger("42"), 42);
  EXPECT_EQ(*ParseInteger("-42"), -42);
  EXPECT_FALSE(ParseInteger("4.0").ok());
  EXPECT_FALSE(ParseInteger("4x").ok());
}

}  // namespace
}  // namespace fincrm
