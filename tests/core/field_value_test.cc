#include "core/field_value.h"

#include <gtest/gtest.h>

#include "core/entity_fields.h"

namespace fincrm {
namespace {

TEST(EnumTest, AcceptsCodesChineseLabelsAndAliases) {
  EXPECT_EQ(ParseEnum<Gender>("M"), Gender::kMale);
  EXPECT_EQ(ParseEnum<Gender>("f"), Gender::kFemale);
  EXPECT_EQ(ParseEnum<Gender>("女"), Gender::kFemale);
  EXPECT_EQ(ParseEnum<Market>("沪"), Market::kShanghai);
  EXPECT_EQ(ParseEnum<TradeSide>("卖出"), TradeSide::kSell);
  EXPECT_EQ(ParseEnum<RiskLevel>("c3"), RiskLevel::kC3);
  EXPECT_FALSE(ParseEnum<Market>("NY").has_value());
}

TEST(FieldValueTest, UnknownEnumNamesTheChoices) {
  Market market;
  Status status = ParseFieldValue("NY", market);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("SH, SZ, BJ, HK"), std::string::npos);
}

TEST(FieldValueTest, OptionalValuesAreAbsentWhenEmpty) {
  std::optional<Date> date = *ParseDate("2024-01-01");
  EXPECT_TRUE(ParseFieldValue("", date).ok());
  EXPECT_FALSE(date.has_value());
  EXPECT_TRUE(ParseFieldValue("2024-02-03", date).ok());
  EXPECT_EQ(FormatFieldValue(date), "2024-02-03");
}

TEST(FieldValueTest, TextMustBeUtf8WithoutControlCharacters) {
  std::string text;
  EXPECT_TRUE(ParseFieldValue("张三", text).ok());
  EXPECT_FALSE(ParseFieldValue("\xD5\xC5\xC8\xFD", text).ok());  // GBK bytes of 张三
  EXPECT_FALSE(ParseFieldValue(std::string("a\x01z"), text).ok());
}

TEST(EntityKindTest, NamesRoundTrip) {
  for (EntityKind kind : kAllEntityKinds) {
    EXPECT_EQ(ParseEntityKind(EntityKindName(kind)), kind);
  }
  EXPECT_EQ(ParseEntityKind("成交"), EntityKind::kTrade);
  EXPECT_EQ(ParseEntityKind("trade"), EntityKind::kTrade);
  EXPECT_FALSE(ParseEntityKind("orders").has_value());
}

}  // namespace
}  // namespace fincrm
