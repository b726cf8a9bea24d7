// Suitability through the API on the demo brokerage: the gate's answers for graded,
// expired and lowest-category customers, the questionnaire's errors and daily cap,
// the grade reaching the customer record, Art 19 evidence in the audit chain,
// professional investors, scopes, and the compliance report.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/api_test_support.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};

std::string CheckBody(const std::string& customer, const std::string& risk, const std::string& purpose,
                      const std::string& extra = "") {
  return R"({"customer_id": ")" + customer + R"(", "risk_level": ")" + risk + R"(", "purpose": ")" + purpose + "\"" +
         extra + "}";
}

std::string AnswersBody(const std::string& codes, const std::string& extra = "") {
  std::string body = R"({"answers": {)";
  for (size_t i = 0; i < codes.size(); ++i) {
    body += (i ? ", " : "") + std::string("\"q") + std::to_string(i + 1) + "\": \"" + codes[i] + "\"";
  }
  return body + extra + "}}";
}

TEST(SuitabilityRoutesTest, TheGateQuestionnaireOverridesAndReport) {
  const Date today{DaysFromCivil(2026, 12, 3)};
  g_now = ShanghaiTime(today, 10, 0, 0).seconds;
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.business_clock = [] { return Timestamp{g_now}; }; };
  demo.Start(400);
  // The broker's customers by their grade on record.
  std::string graded_c2, expired, other_broker, unassessed;
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
      if (c.status == CustomerStatus::kClosed) return true;
      bool mine = c.broker_id == demo.broker_staff;
      bool valid = c.risk_assessed_on && c.risk_assessed_on->days > AddMonths(today, -24).days;
      if (mine && c.risk_level == RiskLevel::kC2 && valid && graded_c2.empty()) graded_c2 = c.customer_id;
      if (mine && c.risk_level && !valid && expired.empty()) expired = c.customer_id;
      if (mine && !c.risk_level && unassessed.empty()) unassessed = c.customer_id;
      if (!mine && other_broker.empty()) other_broker = c.customer_id;
      return true;
    })).ok());
  }
  ASSERT_FALSE(graded_c2.empty());
  ASSERT_FALSE(expired.empty()) << "the demo's grades reach back two years";
  ApiClient broker = demo.As("broker"), compliance = demo.As("compliance");

  // The gate: within and above tolerance, expired, out of scope, bad input.
  Reply above = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R4", "promotion", R"(, "channel": "broker")"));
  ASSERT_EQ(above.status, 200) << above.body;
  EXPECT_FALSE(bool(above.json["allowed"]));
  EXPECT_EQ(Str(above.json["rule"]), "above_tolerance");
  EXPECT_FALSE(bool(above.json["overridable"]));
  EXPECT_EQ(Str(above.json["standing"]["category"]), "C2");
  EXPECT_EQ(above.json["standing"]["may_promote"].get_array().size(), 2u);
  Reply within = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R2", "promotion"));
  EXPECT_TRUE(bool(within.json["allowed"])) << within.body;
  EXPECT_EQ(Str(within.json["rule"]), "within_tolerance");
  Reply lapsed = broker.Post("/api/v1/suitability/check", CheckBody(expired, "R2", "customer_request"));
  EXPECT_FALSE(bool(lapsed.json["allowed"])) << lapsed.body;
  EXPECT_EQ(Str(lapsed.json["rule"]), "assessment_expired");
  EXPECT_TRUE(bool(lapsed.json["standing"]["expired"]));
  EXPECT_TRUE(bool(broker.Post("/api/v1/suitability/check", CheckBody(expired, "R1", "promotion")).json["allowed"]));
  EXPECT_EQ(broker.Post("/api/v1/suitability/check", CheckBody(other_broker, "R1", "promotion")).status, 404);
  Reply no_purpose = broker.Post("/api/v1/suitability/check", R"({"customer_id": ")" + graded_c2 + R"(", "risk_level": "R2"})");
  EXPECT_EQ(no_purpose.status, 422);
  EXPECT_EQ(Str(no_purpose.json["error"]["field"]), "purpose");
  Reply bad_level = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R9", "promotion"));
  EXPECT_EQ(Str(bad_level.json["error"]["field"]), "risk_level");
  EXPECT_EQ(demo.As("research").Post("/api/v1/suitability/check", CheckBody(graded_c2, "R1", "promotion")).status, 403);

  // Art 19: the customer's own request above tolerance, warned and confirmed.
  Reply asked = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R4", "customer_request"));
  EXPECT_FALSE(bool(asked.json["allowed"]));
  EXPECT_TRUE(bool(asked.json["overridable"]));
  std::string override_body = R"({"customer_id": ")" + graded_c2 +
                              R"(", "risk_level": "R4", "item_id": "F0042", "warning_text": "本产品风险等级 R4 高于您的风险承受能力 C2……", "confirmation": "signature"})";
  Reply evidence = broker.Post("/api/v1/suitability/overrides", override_body);
  ASSERT_EQ(evidence.status, 201) << evidence.body;
  std::string override_id = std::to_string(int64_t(evidence.json["override_id"]));
  EXPECT_EQ(Str(evidence.json["evidence_sha256"]).size(), 64u);
  Reply confirmed = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R4", "customer_request",
                                                                      R"(, "item_id": "F0042", "override_id": )" + override_id));
  EXPECT_TRUE(bool(confirmed.json["allowed"])) << confirmed.body;
  EXPECT_EQ(Str(confirmed.json["rule"]), "confirmed_override");
  Reply other_item = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R4", "customer_request",
                                                                       R"(, "item_id": "F0043", "override_id": )" + override_id));
  EXPECT_EQ(Str(other_item.json["rule"]), "override_not_applicable");
  Reply within_override = broker.Post("/api/v1/suitability/overrides", R"({"customer_id": ")" + graded_c2 +
                                      R"(", "risk_level": "R1", "item_id": "F1", "warning_text": "w", "confirmation": "signature"})");
  EXPECT_EQ(within_override.status, 409) << within_override.body;
  Reply audit = compliance.Get("/api/v1/audit?action=suitability.override&customer_id=" + graded_c2);
  ASSERT_EQ(audit.json["items"].get_array().size(), 1u) << audit.body;
  EXPECT_NE(Str(audit.json["items"].at(0)["detail"]).find(Str(evidence.json["evidence_sha256"])), std::string::npos);

  // The questionnaire: errors name the question; the lowest category; two a day.
  Reply questionnaire = broker.Get("/api/v1/suitability/questionnaire");
  ASSERT_EQ(questionnaire.status, 200);
  EXPECT_EQ(questionnaire.json["questions"].get_array().size(), 11u);
  std::string path = "/api/v1/customers/" + graded_c2 + "/risk-assessments";
  Reply missing = broker.Post(path, AnswersBody("ABCEDCCEDC"));
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(Str(missing.json["error"]["field"]), "answers.q11");
  Reply extra = broker.Post(path, AnswersBody("ABCEDCCEDCE", R"(, "q12": "A")"));
  EXPECT_EQ(Str(extra.json["error"]["field"]), "answers.q12");
  Reply not_json = broker.Post(path, R"({"answers": [1, 2]})");
  EXPECT_EQ(Str(not_json.json["error"]["field"]), "answers");
  Reply lowest = broker.Post(path, AnswersBody("ABCEDCCEDCA"));  // bears no loss at all
  ASSERT_EQ(lowest.status, 201) << lowest.body;
  EXPECT_TRUE(bool(lowest.json["standing"]["lowest_category"]));
  EXPECT_EQ(Str(lowest.json["assessment"]["category"]), "C1");
  EXPECT_EQ(Str(lowest.json["assessment"]["valid_until"]), "2028-12-02");
  Reply now_lowest = broker.Post("/api/v1/suitability/check", CheckBody(graded_c2, "R2", "customer_request"));
  EXPECT_EQ(Str(now_lowest.json["rule"]), "lowest_category");
  EXPECT_FALSE(bool(now_lowest.json["overridable"]));
  EXPECT_EQ(broker.Post("/api/v1/suitability/overrides", override_body).status, 403) << "no override for the lowest category";
  EXPECT_EQ(broker.Post(path, AnswersBody("ABCEDCCEDCE")).status, 201);
  Reply third = broker.Post(path, AnswersBody("ABCEDCCEDCE"));
  EXPECT_EQ(third.status, 429) << third.body;
  // The grade in force reaches the customer record (through the event ingest).
  std::string on_record;
  for (int i = 0; i < 100 && on_record != "C5"; ++i) {
    on_record = Str(broker.Get("/api/v1/customers/" + graded_c2).json["profile"]["risk_level"]);
    if (on_record != "C5") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(on_record, "C5");
  Reply standing = broker.Get("/api/v1/customers/" + graded_c2 + "/suitability");
  EXPECT_EQ(standing.json["assessments"].get_array().size(), 2u);
  EXPECT_EQ(Str(standing.json["standing"]["category"]), "C5");

  // Professional investors: compliance confirms; a broker may not.
  std::string professional_path = "/api/v1/customers/" + expired + "/professional-investor";
  std::string professional = R"({"basis": "金融资产不低于 500 万元，投资经历 2 年以上", "valid_until": "2027-12-31"})";
  EXPECT_EQ(broker.Put(professional_path, professional).status, 403);
  Reply confirmed_professional = compliance.Put(professional_path, professional);
  ASSERT_EQ(confirmed_professional.status, 200) << confirmed_professional.body;
  Reply r5 = broker.Post("/api/v1/suitability/check", CheckBody(expired, "R5", "promotion"));
  EXPECT_TRUE(bool(r5.json["allowed"])) << r5.body;
  EXPECT_EQ(Str(r5.json["rule"]), "professional_investor");

  // The compliance report: blocks by channel and rule, overrides, grades.
  Reply report = compliance.Get("/api/v1/suitability/report");
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(int64_t(report.json["overrides"]), 1);
  int64_t broker_channel = 0, expired_rule = 0;
  for (auto row : report.json["blocks"].get_array()) {
    if (Str(row["channel"]) == "broker") broker_channel += int64_t(row["count"]);
    if (Str(row["rule"]) == "assessment_expired") expired_rule += int64_t(row["count"]);
  }
  EXPECT_EQ(broker_channel, 1) << report.body;
  EXPECT_EQ(expired_rule, 1) << report.body;
  EXPECT_GT(int64_t(report.json["grades"]["expired"]), 0);
  EXPECT_EQ(int64_t(report.json["grades"]["professional_investors"]), 1);
  EXPECT_EQ(int64_t(report.json["assessments"]["taken"]), 2);
  EXPECT_EQ(int64_t(report.json["assessments"]["lowest_category"]), 1);
  Reply branch_report = demo.As("manager").Get("/api/v1/suitability/report");
  ASSERT_EQ(branch_report.status, 200);
  EXPECT_EQ(Str(branch_report.json["branch_id"]), demo.manager_branch);
  EXPECT_LE(int64_t(branch_report.json["grades"]["expired"]), int64_t(report.json["grades"]["expired"]));
  EXPECT_EQ(broker.Get("/api/v1/suitability/report").status, 403);
  EXPECT_EQ(compliance.Get("/api/v1/suitability/report?from=2026-13-01").status, 400);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
