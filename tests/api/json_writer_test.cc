#include "core/json_writer.h"

#include <gtest/gtest.h>

#include "api/access_policy.h"

namespace fincrm {
namespace {

TEST(JsonWriterTest, EscapesAndSeparates) {
  JsonWriter json;
  json.BeginObject().Field("a", "x\"y\\z\n\x01").Key("list").BeginArray().Int(1).Double(0.5).Null().Bool(true)
      .EndArray().Key("nested").BeginObject().EndObject().Field("zh", "客户").EndObject();
  EXPECT_EQ(json.str(), R"({"a":"x\"y\\z\n\u0001","list":[1,0.5,null,true],"nested":{},"zh":"客户"})");
}

TEST(JsonWriterTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  JsonWriter json;
  json.BeginArray().String("timelin\xE5").String("ok 客户 \xF0\x9F\x98\x80").String("\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80");
  json.EndArray();
  std::string nine_replacements;  // 2 for the overlong pair, 3 for the surrogate, 4 past U+10FFFF
  for (int i = 0; i < 9; ++i) nine_replacements += "\xEF\xBF\xBD";
  EXPECT_EQ(json.str(), "[\"timelin\xEF\xBF\xBD\",\"ok 客户 \xF0\x9F\x98\x80\",\"" + nine_replacements + "\"]");
}

TEST(JsonWriterTest, NonFiniteNumbersBecomeNull) {
  JsonWriter json;
  json.BeginArray().Double(std::numeric_limits<double>::quiet_NaN()).Double(1e300 * 1e300).EndArray();
  EXPECT_EQ(json.str(), "[null,null]");
}

TEST(MaskingTest, KeepsOnlyTheAllowedParts) {
  EXPECT_EQ(MaskMobile("13812345678"), "138****5678");
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "**************002X");
  EXPECT_EQ(MaskBirthDate("1949-12-31"), "1949-**-**");
  EXPECT_EQ(MaskEmail("zhang.san@example.com"), "z***@example.com");
  EXPECT_EQ(MaskAddress("北京市朝阳区建国路88号"), "北京市朝阳区****");
  EXPECT_EQ(MaskAddress("短地址"), "短地****");
}

}  // namespace
}  // namespace fincrm
