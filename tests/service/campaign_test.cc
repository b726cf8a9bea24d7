// Campaigns' service half on the golden brokerage and by hand: segments (parsing with
// errors that name the member, evaluation against the cube's own counts), templates
// and the e-mail as it goes over SMTP, the control group, the uplift's interval, SMS
// receipts of both gateways, the outbox's back-off and SMS send window.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "analytics/golden_brokerage.h"
#include "analytics/value_ladder.h"
#include "service/campaigns/campaign_audience.h"
#include "service/campaigns/message_gateway.h"
#include "service/campaigns/message_template.h"
#include "service/campaigns/outbox_dispatcher.h"
#include "service/campaigns/segment.h"
#include "service/campaigns/sms_receipts.h"

namespace fincrm {
namespace {

std::string FieldOf(std::string_view json) {
  auto parsed = ParseSegment(json);
  return parsed.ok() ? "ok" : parsed.status().field();
}

TEST(SegmentTest, ErrorsNameTheMember) {
  EXPECT_EQ(FieldOf(R"({"tier": ["gold", "golden"]})"), "segment.tier[1]");
  EXPECT_EQ(FieldOf(R"({"colour": "red"})"), "segment.colour");
  EXPECT_EQ(FieldOf(R"({"tier": "gold"})"), "segment.tier");
  EXPECT_EQ(FieldOf(R"({"churn_risk": {"min": 1.5}})"), "segment.churn_risk.min");
  EXPECT_EQ(FieldOf(R"({"churn_risk": {"min": 0.8, "max": 0.2}})"), "segment.churn_risk");
  EXPECT_EQ(FieldOf(R"({"assets_yuan": {"min": 10.5}})"), "segment.assets_yuan.min");
  EXPECT_EQ(FieldOf(R"({"activity": {"traded_within_days": 30, "inactive_days": 30}})"), "segment.activity");
  EXPECT_EQ(FieldOf(R"({"activity": {"idle": 30}})"), "segment.activity.idle");
  EXPECT_EQ(FieldOf(R"({"holds": {"industries": ["no such"]}})"), "segment.holds.industries[0]");
  EXPECT_EQ(FieldOf(R"({"holds": {}})"), "segment.holds");
  EXPECT_EQ(FieldOf(R"({"where": "channel=fax"})"), "segment.where");
  EXPECT_EQ(FieldOf(R"({"from": "2026-13"})"), "segment.from");
  EXPECT_EQ(FieldOf(R"({"branch": ["B1;tier=gold"]})"), "segment.branch[0]");
  EXPECT_EQ(FieldOf("[1]"), "segment");
  EXPECT_EQ(FieldOf("{"), "segment");
  EXPECT_EQ(FieldOf(R"({"tier": ["gold", "黄金"], "risk_level": ["C3"], "cluster": [1, "2"], "where": "channel=app",
                       "holds": {"symbols": ["600000"], "industries": ["银行"]}, "activity": {"inactive_days": 90}})"),
            "ok");
}

class SegmentEvaluationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::GoldenStore(dir_);
    facts_ = std::make_unique<FactTables>(*FactTables::Load(*store_));
    context_.tier.assign(facts_->customer_count(), -1);
    context_.churn_risk.assign(facts_->customer_count(), -1.0f);
    for (const char* id : {"C1", "C4"}) context_.tier[*facts_->CustomerIndex(id)] = static_cast<int8_t>(ValueTier::kGold);
    context_.churn_risk[*facts_->CustomerIndex("C3")] = 0.9f;
    context_.churn_risk[*facts_->CustomerIndex("C1")] = 0.1f;
  }
  std::set<std::string> Select(std::string_view json, const std::vector<std::string>& holders = {}) {
    auto segment = ParseSegment(json);
    EXPECT_TRUE(segment.ok()) << segment.status().ToString();
    auto members = EvaluateSegment(*facts_, context_, *segment, holders, *ParseDate("2026-10-30"));
    EXPECT_TRUE(members.ok()) << members.status().ToString();
    std::set<std::string> ids;
    for (uint32_t c : *members) ids.insert(facts_->CustomerId(c));
    return ids;
  }
  // The cube's own count of distinct traders for the same filters.
  int64_t ActiveCustomers(const char* where, const char* from = "") {
    auto query = ParseCubeQuery("active_customers", "", where, from, "", 0);
    auto result = RunCube(*facts_, context_, *query);
    return result->rows.empty() ? 0 : result->rows[0].values[0];
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FactTables> facts_;
  CubeContext context_;
};

using Ids = std::set<std::string>;

TEST_F(SegmentEvaluationTest, CustomerFiltersAndTradeFilters) {
  EXPECT_EQ(Select("{}"), (Ids{"C1", "C2", "C3", "C4", "C5"}));
  EXPECT_EQ(Select(R"({"branch": ["B2"]})"), (Ids{"C4", "C5"}));
  EXPECT_EQ(Select(R"({"tier": ["gold"]})"), (Ids{"C1", "C4"}));
  EXPECT_EQ(Select(R"({"churn_risk": {"min": 0.5}})"), (Ids{"C3"}));
  EXPECT_EQ(Select(R"({"where": "channel=counter"})"), (Ids{"C3"}));
  EXPECT_EQ(Select(R"({"where": "channel=web"})"), (Ids{"C1"}));
  EXPECT_EQ(Select(R"({"branch": ["B1"], "from": "2026-10"})"), (Ids{"C1", "C2"}));
  EXPECT_EQ(Select(R"({"activity": {"inactive_days": 60}})"), (Ids{"C3"}));
  EXPECT_EQ(Select(R"({"activity": {"traded_within_days": 15}})"), (Ids{"C2", "C4", "C5"}));
  EXPECT_EQ(Select(R"({"assets_yuan": {"min": 250000}})"), (Ids{"C1", "C5"}));
  EXPECT_EQ(Select(R"({"holds": {"symbols": ["600000"]}})", {"C2", "C5"}), (Ids{"C2", "C5"}));
  // Trade-grained filters select exactly the customers the cube counts as traders.
  for (const char* from : {"", "2026-09", "2026-10-13"}) {
    for (const char* where : {"channel=app", "channel=app;branch=B1", "market=SZ", "month=2026-10", "channel!=app",
                              "quarter=2026-Q3;channel=web"}) {
      std::string json = std::string(R"({"where": ")") + where + "\"" + (*from ? std::string(R"(, "from": ")") + from + "\"" : "") + "}";
      SegmentDefinition segment = *ParseSegment(json);
      auto members = EvaluateSegment(*facts_, context_, segment, {}, *ParseDate("2026-10-30"));
      ASSERT_TRUE(members.ok()) << json;
      EXPECT_EQ(static_cast<int64_t>(members->size()), ActiveCustomers(where, from)) << json;
    }
  }
}

TEST_F(SegmentEvaluationTest, AUnitNotInTheDataIsNamed) {
  auto segment = ParseSegment(R"({"branch": ["B9"]})");
  auto members = EvaluateSegment(*facts_, context_, *segment, {}, *ParseDate("2026-10-30"));
  ASSERT_FALSE(members.ok());
  EXPECT_NE(members.status().message().find("B9"), std::string::npos);
  EXPECT_EQ(members.status().field().rfind("segment", 0), 0u);
}

TEST(TemplateTest, PlaceholdersAreCheckedAndFilled) {
  EXPECT_TRUE(CheckTemplate("尊敬的{{name}}，您的资产{{assets_yuan}}元", "subject").ok());
  Status unknown = CheckTemplate("{{nickname}}", "body_text");
  EXPECT_EQ(unknown.field(), "body_text");
  EXPECT_NE(unknown.message().find("nickname"), std::string::npos);
  EXPECT_EQ(CheckTemplate("{{name", "subject").field(), "subject");
  std::map<std::string, std::string> values{{"name", "<张三>"}};
  EXPECT_EQ(FillTemplate("您好{{name}}", values, false), "您好<张三>");
  EXPECT_EQ(FillTemplate("<b>{{name}}</b>", values, true), "<b>&lt;张三&gt;</b>");
  EXPECT_EQ(TemplatePlaceholders("{{b}}{{a}}{{b}}"), (std::vector<std::string>{"b", "a"}));
}

std::string Unbase64(std::string_view text) {
  std::string out;
  int bits = 0, value = 0;
  for (char c : text) {
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* at = std::strchr(alphabet, c);
    if (!at || c == '\0') continue;
    value = value << 6 | static_cast<int>(at - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(value >> bits & 0xFF);
    }
  }
  return out;
}

TEST(TemplateTest, SubjectsAreEncodedWordsThatNeverSplitACharacter) {
  EXPECT_EQ(EncodeHeaderWords("Plain subject"), "Plain subject");
  std::string subject = "尊敬的王小明先生：融资融券业务开通推介，年化利率优惠，详情请咨询您的客户经理";
  std::string encoded = EncodeHeaderWords(subject), decoded;
  size_t at = 0;
  while ((at = encoded.find("=?UTF-8?B?", at)) != std::string::npos) {
    size_t end = encoded.find("?=", at + 10);
    ASSERT_LE(end + 2 - at, 75u);
    std::string word = Unbase64(encoded.substr(at + 10, end - at - 10));
    // Each word decodes to whole characters: its first byte is never a continuation byte.
    ASSERT_NE(static_cast<uint8_t>(word[0]) & 0xC0, 0x80);
    decoded += word;
    at = end + 2;
  }
  EXPECT_EQ(decoded, subject);
  EXPECT_EQ(Unbase64(Base64("ab")), "ab");
  EXPECT_EQ(Base64("abc"), "YWJj");
  EXPECT_EQ(Base64("ab"), "YWI=");
}

TEST(TemplateTest, TheEmailHasBothPartsAndListUnsubscribe) {
  EmailContent c{"crm@broker.example", "a@b.example", "主题\r\nBcc: x@y", "正文", "<p>正文</p>", "id1@fincrm",
                 "https://crm.example/api/v1/unsubscribe/id1", Timestamp{1'764'000'000}};
  std::string m = ComposeEmail(c);
  EXPECT_NE(m.find("Message-ID: <id1@fincrm>\r\n"), std::string::npos);
  EXPECT_NE(m.find("List-Unsubscribe: <https://crm.example/api/v1/unsubscribe/id1>\r\n"), std::string::npos);
  EXPECT_NE(m.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);  // no header injection through the subject
  for (char ch : m) EXPECT_LT(static_cast<unsigned char>(ch), 0x80);
}

TEST(ControlGroupTest, FixedPerCampaignAndCustomerNearItsShare) {
  int in = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string id = "C" + std::to_string(i);
    bool control = InControlGroup(7, id, 20);
    EXPECT_EQ(control, InControlGroup(7, id, 20));
    in += control;
  }
  EXPECT_NEAR(in / 20000.0, 0.20, 0.015);
  int differs = 0;
  for (int i = 0; i < 1000; ++i) differs += InControlGroup(7, "C" + std::to_string(i), 20) != InControlGroup(8, "C" + std::to_string(i), 20);
  EXPECT_GT(differs, 200);  // another campaign draws another group
}

TEST(UpliftTest, WaldIntervalByHand) {
  RateDifference d = CompareRates(30, 100, 10, 100);
  ASSERT_TRUE(d.estimable);
  EXPECT_DOUBLE_EQ(d.uplift, 0.2);
  EXPECT_NEAR(d.low, 0.2 - 1.96 * std::sqrt(0.003), 1e-12);
  EXPECT_NEAR(d.high, 0.2 + 1.96 * std::sqrt(0.003), 1e-12);
  EXPECT_FALSE(CompareRates(1, 10, 0, 0).estimable);
}

TEST(SmsReceiptsTest, BothGatewaysShapes) {
  auto aliyun = ParseSmsReceipts(R"([{"phone_number": "13800000000", "send_time": "2026-12-03 10:00:00",
      "report_time": "2026-12-03 10:00:05", "success": true, "err_code": "DELIVERED", "err_msg": "用户接收成功",
      "biz_id": "b1", "out_id": "o1"}, {"phone_number": "13800000001", "success": false, "err_code": "UNDELIV",
      "biz_id": "b1", "out_id": "o1"}])", Timestamp{1});
  ASSERT_TRUE(aliyun.ok()) << aliyun.status().ToString();
  EXPECT_TRUE((*aliyun)[0].delivered);
  EXPECT_EQ((*aliyun)[0].out_id, "o1");
  EXPECT_EQ((*aliyun)[0].address, "13800000000");
  EXPECT_TRUE((*aliyun)[1].hard_bounce);
  auto tencent = ParseSmsReceipts(R"([{"user_receive_time": "2026-12-03 10:00:05", "nationcode": "86",
      "mobile": "13800000000", "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "ok", "sid": "s1"}])",
                                  Timestamp{1});
  ASSERT_TRUE(tencent.ok());
  EXPECT_EQ((*tencent)[0].provider_id, "s1");
  EXPECT_TRUE((*tencent)[0].delivered);
  EXPECT_EQ(ParseSmsReceipts("{}", Timestamp{1}).status().field(), "body");
  EXPECT_EQ(ParseSmsReceipts(R"([{"mobile": "1"}])", Timestamp{1}).status().field(), "[0]");
  EXPECT_EQ(ParseSmsReceipts(R"([{"out_id": "o", "success": "yes"}])", Timestamp{1}).status().field(), "[0].success");
  EXPECT_EQ(ParseSmsReceipts(R"([{"sid": "s", "report_status": "MAYBE"}])", Timestamp{1}).status().field(),
            "[0].report_status");
  EXPECT_EQ(ParseSmsReceipts(R"([{"out_id": 5, "success": true}])", Timestamp{1}).status().field(), "[0].out_id");
}

TEST(SmsRepliesTest, BothShapesAndTheUnsubscribeWords) {
  auto replies = ParseSmsReplies(R"([{"phone_number": "13800000000", "content": " td ", "send_time": "2026-12-03 10:00:00",
      "sign_name": "示例证券", "dest_code": "1234", "sequence_id": 1}, {"mobile": "+8613800000001", "text": "谢谢",
      "nationcode": "86", "sign": "示例证券", "time": 1764000000, "extend": ""}, {"mobile": "13800000002", "text": "退订"}])");
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_TRUE((*replies)[0].unsubscribe);
  EXPECT_EQ((*replies)[1].number, "13800000001");
  EXPECT_FALSE((*replies)[1].unsubscribe);
  EXPECT_TRUE((*replies)[2].unsubscribe);
  EXPECT_EQ(ParseSmsReplies(R"([{"text": "x"}])").status().field(), "[0]");
  EXPECT_EQ(ParseSmsReplies(R"([{"phone_number": 5}])").status().field(), "[0].phone_number");
}

TEST(TemplateTest, Utf8PrefixCutsBetweenCharacters) {
  EXPECT_EQ(Utf8Prefix("退订成功", 7), "退订");  // 3 bytes a character: 7 keeps two
  EXPECT_EQ(Utf8Prefix("abc", 7), "abc");
  EXPECT_EQ(Utf8Prefix("退", 2), "");
}

TEST(OutboxTest, BackOffAndTheSmsSendWindow) {
  EXPECT_EQ(RetryDelaySeconds(1, 60), 60);
  EXPECT_EQ(RetryDelaySeconds(2, 60), 120);
  EXPECT_EQ(RetryDelaySeconds(3, 60), 240);
  EXPECT_EQ(RetryDelaySeconds(20, 60), 3600);
  // 2026-12-03 13:30 UTC is 21:30 in Shanghai; 01:00 UTC is 09:00.
  EXPECT_FALSE(InSmsSendWindow(*ParseTimestamp("2026-12-03T13:30:00Z"), 21, 8));
  EXPECT_FALSE(InSmsSendWindow(*ParseTimestamp("2026-12-03T23:59:00Z"), 21, 8));  // 07:59
  EXPECT_TRUE(InSmsSendWindow(*ParseTimestamp("2026-12-04T00:00:00Z"), 21, 8));   // 08:00
  EXPECT_TRUE(InSmsSendWindow(*ParseTimestamp("2026-12-03T13:30:00Z"), 0, 0));
}

TEST(SmsGatewayTest, RequestBodiesInEachGatewaysShape) {
  CampaignMessage a, b;
  a.address = "13800000000";
  b.address = "13800000001";
  a.template_params = b.template_params = R"({"name":"张三","day":"周六"})";
  a.batch_id = b.batch_id = "batch-1";
  std::string aliyun = AliyunSendSmsBody({&a, &b}, "示例证券", "SMS_1");
  EXPECT_NE(aliyun.find(R"("PhoneNumbers":"13800000000,13800000001")"), std::string::npos) << aliyun;
  EXPECT_NE(aliyun.find(R"("OutId":"batch-1")"), std::string::npos);
  std::string tencent = TencentSendSmsBody({&a}, "示例证券", "1234", "1400000000");
  EXPECT_NE(tencent.find(R"("PhoneNumberSet":["+8613800000000"])"), std::string::npos) << tencent;
  EXPECT_NE(tencent.find(R"("TemplateParamSet":["张三","周六"])"), std::string::npos) << tencent;
  EXPECT_NE(tencent.find(R"("SessionContext":"batch-1")"), std::string::npos);
}

}  // namespace
}  // namespace fincrm
