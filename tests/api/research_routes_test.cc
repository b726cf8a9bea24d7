// Research distribution on the demo brokerage: the workflow's rules (four eyes, no
// publication before approval, nothing visible before the embargo), the security
// master's checks, and the recipients — exactly the customers an independent SQL
// query over the same trades, grades and tiers finds, each through the suitability gate.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "api/api_test_support.h"
#include "core/research.h"
#include "storage/holding_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};

std::set<std::string> Column(const std::vector<std::vector<std::string>>& rows) {
  std::set<std::string> out;
  for (const auto& row : rows) out.insert(row[0]);
  return out;
}

std::string InList(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& v : values) text += (text.empty() ? "'" : ", '") + v + "'";
  return text;
}

// Every recipient the compliance officer can page through: customer → delivered.
std::map<std::string, bool> AllRecipients(ApiClient& client, const std::string& report) {
  std::map<std::string, bool> recipients;
  std::string after;
  for (;;) {
    Reply page = client.Get("/api/v1/research/" + report + "/recipients?limit=1000" + (after.empty() ? "" : "&after=" + after));
    EXPECT_EQ(page.status, 200) << page.body;
    if (page.status != 200) break;
    for (auto item : page.json["items"].get_array()) recipients[Str(item["customer_id"])] = bool(item["delivered"]);
    if (page.json["next_after"].is_null()) break;
    after = Str(page.json["next_after"]);
  }
  return recipients;
}

TEST(ResearchRoutesTest, WorkflowEmbargoAndExactlyTheMatchingCustomers) {
  const Date today{DaysFromCivil(2026, 10, 31)};
  g_now = ShanghaiTime(today, 10, 0, 0).seconds;
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.business_clock = [] { return Timestamp{g_now}; }; };
  demo.Start(600);
  ApiClient admin = demo.As("admin"), research = demo.As("research"), compliance = demo.As("compliance"),
            broker = demo.As("broker");

  // The security master: every traded symbol, industries dealt round the Shenwan list.
  auto symbols = QueryRows(demo.db, "SELECT DISTINCT market, symbol FROM trades ORDER BY symbol, market");
  ASSERT_GT(symbols.size(), 40u);
  std::string items;
  std::map<std::string, std::string> industry_of;
  for (size_t i = 0; i < symbols.size(); ++i) {
    std::string industry(kShenwanIndustries[i % kShenwanIndustries.size()].code);
    industry_of[symbols[i][1]] = industry;
    items += std::string(i ? "," : "") + R"({"market": ")" + symbols[i][0] + R"(", "symbol": ")" + symbols[i][1] +
             R"(", "name": "证券)" + symbols[i][1] + R"(", "industry": ")" + industry + "\"}";
  }
  Reply put = admin.Put("/api/v1/securities", R"({"items": [)" + items + "]}");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(research.Put("/api/v1/securities", R"({"items": []})").status, 403);
  {
    auto holdings = OpenHoldingStore(demo.db);
    ASSERT_TRUE(holdings.ok());
    ASSERT_TRUE((*holdings)->RebuildPositions().ok());
  }

  // The report: the five symbols most traded in the last 90 days, and the industry of the sixth.
  Timestamp window = ShanghaiTime(Date{today.days - 90}, 0, 0, 0);
  auto busiest = QueryRows(demo.db, "SELECT symbol FROM trades WHERE trade_time >= " + std::to_string(window.seconds) +
                                    " GROUP BY symbol ORDER BY COUNT(*) DESC, symbol LIMIT 6");
  ASSERT_EQ(busiest.size(), 6u);
  std::vector<std::string> report_symbols;
  for (int i = 0; i < 5; ++i) report_symbols.push_back(busiest[i][0]);
  std::string industry = industry_of[busiest[5][0]];
  std::string symbols_json;
  for (const std::string& s : report_symbols) symbols_json += (symbols_json.empty() ? "\"" : ", \"") + s + "\"";
  auto draft = [&](const std::string& risk, const std::string& extra) {
    return R"({"title": "行业深度：景气回升", "summary": "摘要", "body": "# 正文\n\n要点……", "industry": ")" + industry +
           R"(", "symbols": [)" + symbols_json + R"(], "rating": "buy", "target_price": 12.5, "risk_level": ")" + risk +
           R"(", "analyst_registration": "S0570519110001")" + extra + "}";
  };

  // Bad input names the field.
  Reply unknown_symbol = research.Post("/api/v1/research", R"({"title": "t", "summary": "s", "body": "b", "industry": ")" +
                                                              industry + R"(", "symbols": ["999999"], "risk_level": "R3", "analyst_registration": "S0570519110001"})");
  EXPECT_EQ(unknown_symbol.status, 422);
  EXPECT_EQ(Str(unknown_symbol.json["error"]["field"]), "symbols");
  Reply unknown_industry = research.Post("/api/v1/research", R"({"title": "t", "summary": "s", "body": "b", "industry": "半导体", "symbols": [")" +
                                                                 report_symbols[0] + R"("], "risk_level": "R3", "analyst_registration": "S0570519110001"})");
  EXPECT_EQ(Str(unknown_industry.json["error"]["field"]), "industry");
  Reply no_registration = research.Post("/api/v1/research", draft("R3", "").replace(draft("R3", "").find("S0570519110001"), 14, "12345"));
  EXPECT_EQ(Str(no_registration.json["error"]["field"]), "analyst_registration");
  EXPECT_EQ(broker.Post("/api/v1/research", draft("R3", "")).status, 403);

  // The workflow: no publication before approval; four eyes.
  Reply created = research.Post("/api/v1/research", draft("R3", ""));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(int64_t(created.json["report_id"]));
  EXPECT_EQ(Str(created.json["industry"]), industry);
  EXPECT_EQ(research.Post("/api/v1/research/" + id + "/publish", "").status, 409);
  EXPECT_EQ(compliance.Post("/api/v1/research/" + id + "/approve", R"({"registration": "S0570519110002"})").status, 409)
      << "a draft is not in review";
  ASSERT_EQ(research.Post("/api/v1/research/" + id + "/submit", "").status, 200);
  EXPECT_EQ(research.Post("/api/v1/research/" + id + "/approve", R"({"registration": "S0570519110001"})").status, 403);
  Reply own = admin.Post("/api/v1/research", draft("R2", ""));
  std::string own_id = std::to_string(int64_t(own.json["report_id"]));
  ASSERT_EQ(admin.Post("/api/v1/research/" + own_id + "/submit", "").status, 200);
  Reply self = admin.Post("/api/v1/research/" + own_id + "/approve", R"({"registration": "S0570519110009"})");
  EXPECT_EQ(self.status, 403) << self.body;
  EXPECT_EQ(Str(self.json["error"]["field"]), "rule");
  EXPECT_NE(Str(self.json["error"]["message"]).find("four eyes"), std::string::npos);
  Reply bad_reviewer = compliance.Post("/api/v1/research/" + id + "/approve", R"({"registration": "X1"})");
  EXPECT_EQ(Str(bad_reviewer.json["error"]["field"]), "reviewer_registration");
  Reply approved = compliance.Post("/api/v1/research/" + id + "/approve", R"({"registration": "S0570519110002", "note": "合规"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(Str(approved.json["reviewer_registration"]), "S0570519110002");
  EXPECT_EQ(Str(approved.json["analyst_registration"]), "S0570519110001");

  // Publication under an embargo an hour away; the live facts may still be loading.
  Timestamp embargo{g_now + 3600};
  std::string publish = R"({"embargo_until": ")" + FormatTimestamp(embargo) + "\"}";
  Reply published;
  for (int i = 0; i < 200; ++i) {
    published = research.Post("/api/v1/research/" + id + "/publish", publish);
    if (published.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(Str(published.json["report"]["state"]), "published");
  EXPECT_EQ(research.Post("/api/v1/research/" + id + "/publish", publish).status, 409) << "once";

  // Before the embargo nobody outside research and compliance sees it.
  EXPECT_EQ(broker.Get("/api/v1/research/" + id).status, 404);
  EXPECT_EQ(broker.Get("/api/v1/research").json["items"].get_array().size(), 0u);
  EXPECT_EQ(compliance.Get("/api/v1/research/" + id).status, 200);

  // Exactly the matching customers, each through the gate, as an independent query finds them.
  std::string since = std::to_string(window.seconds);
  std::vector<std::string> industry_symbols;
  for (const auto& [symbol, i] : industry_of) {
    if (i == industry) industry_symbols.push_back(symbol);
  }
  std::string matched_sql =
      "SELECT customer_id FROM customers WHERE status != 'closed' AND customer_id IN ("
      " SELECT customer_id FROM trades WHERE symbol IN (" + InList(report_symbols) + ") GROUP BY customer_id, market, symbol"
      "   HAVING SUM(CASE side WHEN 'buy' THEN quantity ELSE -quantity END) > 0"
      " UNION SELECT customer_id FROM trades WHERE trade_time >= " + since + " AND symbol IN (" + InList(report_symbols) + ")"
      " UNION SELECT customer_id FROM trades WHERE trade_time >= " + since + " GROUP BY customer_id"
      "   HAVING SUM(CASE WHEN symbol IN (" + InList(industry_symbols) + ") THEN amount ELSE 0 END) * 100 >= 30 * SUM(amount)"
      "   AND SUM(amount) > 0)";
  std::set<std::string> matched = Column(QueryRows(demo.db, matched_sql));
  std::string valid_since = FormatDate(AddMonths(today, -24));
  std::set<std::string> suitable = Column(QueryRows(demo.db, matched_sql + " AND risk_level IN ('C3', 'C4', 'C5') AND risk_assessed_on > '" + valid_since + "'"));
  ASSERT_GT(matched.size(), 20u);
  ASSERT_GT(suitable.size(), 5u);
  ASSERT_LT(suitable.size(), matched.size()) << "some matched customers are blocked";
  RecordProperty("matched", static_cast<int>(matched.size()));
  RecordProperty("delivered", static_cast<int>(suitable.size()));
  std::map<std::string, bool> recipients = AllRecipients(compliance, id);
  std::set<std::string> delivered, listed;
  for (const auto& [customer, d] : recipients) {
    listed.insert(customer);
    if (d) delivered.insert(customer);
  }
  EXPECT_EQ(listed, matched);
  EXPECT_EQ(delivered, suitable);
  EXPECT_EQ(int64_t(published.json["delivered"]), static_cast<int64_t>(suitable.size()));
  // A C1 or C2 customer never gets this R3 report.
  std::set<std::string> low = Column(QueryRows(demo.db, "SELECT customer_id FROM customers WHERE risk_level IN ('C1', 'C2')"));
  for (const std::string& c : delivered) EXPECT_FALSE(low.count(c)) << c;
  // A broker sees only their customers among the recipients; research analysts only the counts.
  Reply mine = broker.Get("/api/v1/research/" + id + "/recipients?limit=1000");
  EXPECT_EQ(mine.status, 404) << "not before the embargo";
  Reply counts_only = research.Get("/api/v1/research/" + id + "/recipients");
  EXPECT_EQ(counts_only.json["items"].get_array().size(), 0u);
  EXPECT_EQ(int64_t(counts_only.json["counts"]["delivered"]), static_cast<int64_t>(suitable.size()));

  // After the embargo: released to staff; the broker's view is their own customers.
  g_now = embargo.seconds + 1;
  EXPECT_EQ(broker.Get("/api/v1/research/" + id).status, 200);
  EXPECT_EQ(broker.Get("/api/v1/research").json["items"].get_array().size(), 1u);
  std::set<std::string> brokers_own = Column(QueryRows(demo.db, "SELECT customer_id FROM customers WHERE broker_id = '" + demo.broker_staff + "'"));
  Reply own_view = broker.Get("/api/v1/research/" + id + "/recipients?limit=1000");
  ASSERT_EQ(own_view.status, 200);
  for (auto item : own_view.json["items"].get_array()) EXPECT_TRUE(brokers_own.count(Str(item["customer_id"])));

  // Blocks reach the suitability report under the research channel.
  Reply report = compliance.Get("/api/v1/suitability/report?from=2026-10-01&to=2026-10-31");
  int64_t research_blocks = 0;
  for (auto row : report.json["blocks"].get_array()) {
    if (Str(row["channel"]) == "research") research_blocks += int64_t(row["count"]);
  }
  EXPECT_EQ(research_blocks, static_cast<int64_t>(matched.size() - suitable.size()));

  // An R4 report for gold and above: only C4–C5 customers of those tiers.
  Reply high = research.Post("/api/v1/research", draft("R4", R"(, "min_tier": "gold")"));
  ASSERT_EQ(high.status, 201) << high.body;
  std::string high_id = std::to_string(int64_t(high.json["report_id"]));
  ASSERT_EQ(research.Post("/api/v1/research/" + high_id + "/submit", "").status, 200);
  ASSERT_EQ(compliance.Post("/api/v1/research/" + high_id + "/approve", R"({"registration": "S0570519110002"})").status, 200);
  Reply high_published = research.Post("/api/v1/research/" + high_id + "/publish", "");
  ASSERT_EQ(high_published.status, 200) << high_published.body;
  std::set<std::string> gold = Column(QueryRows(demo.db, "SELECT customer_id FROM customer_scores WHERE tier IN ('gold', 'platinum', 'diamond')"));
  std::set<std::string> high_suitable = Column(QueryRows(demo.db, matched_sql + " AND risk_level IN ('C4', 'C5') AND risk_assessed_on > '" + valid_since + "'"));
  std::set<std::string> expected_high;
  for (const std::string& c : high_suitable) {
    if (gold.count(c)) expected_high.insert(c);
  }
  std::set<std::string> high_delivered;
  for (const auto& [customer, d] : AllRecipients(compliance, high_id)) {
    EXPECT_TRUE(gold.count(customer)) << customer << " is below gold";
    if (d) high_delivered.insert(customer);
  }
  EXPECT_EQ(high_delivered, expected_high);

  // Withdrawal: by the author (not a broker); the report leaves the staff's list.
  EXPECT_EQ(broker.Post("/api/v1/research/" + id + "/withdraw", R"({"note": "x"})").status, 403);
  EXPECT_EQ(research.Post("/api/v1/research/" + id + "/withdraw", "").status, 422) << "a reason is required";
  Reply withdrawn = research.Post("/api/v1/research/" + id + "/withdraw", R"({"note": "数据有误"})");
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(broker.Get("/api/v1/research/" + id).status, 404);
  EXPECT_EQ(Str(withdrawn.json["retain_until"]).substr(0, 4), "2031");
  Reply audit = compliance.Get("/api/v1/audit?action=research.publish&limit=10");
  EXPECT_EQ(audit.json["items"].get_array().size(), 2u);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
