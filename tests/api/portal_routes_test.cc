// The investor portal on the demo brokerage: a customer activates their login with a
// one-time code from the counter, signs in apart from staff, and sees only their own
// data — profile, feed and reports delivered to them (reads recorded), the
// questionnaire, service requests that become tickets, messages — and 403 for every
// staff route, 404 for what was not theirs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/api_test_support.h"
#include "storage/holding_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};

TEST(PortalRoutesTest, AnInvestorSeesOnlyTheirOwn) {
  const Date today{DaysFromCivil(2026, 10, 31)};
  g_now = ShanghaiTime(today, 10, 0, 0).seconds;
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.business_clock = [] { return Timestamp{g_now}; }; };
  demo.Start(400);
  ApiClient broker = demo.As("broker"), admin = demo.As("admin"), research = demo.As("research"),
            compliance = demo.As("compliance");
  // The broker's customer with a valid C3+ grade who traded last: the report below reaches them.
  std::string since = std::to_string(ShanghaiTime(Date{today.days - 90}, 0, 0, 0).seconds);
  std::string me = QueryFirst(demo.db, "SELECT c.customer_id FROM customers c JOIN trades t USING (customer_id) WHERE c.broker_id = '" +
                                      demo.broker_staff + "' AND c.status != 'closed' AND c.risk_level IN ('C3', 'C4', 'C5') "
                                      "AND c.risk_assessed_on > '2024-11-30' AND t.trade_time >= " + since +
                                      " ORDER BY t.trade_time DESC LIMIT 1");
  ASSERT_FALSE(me.empty());
  std::string symbol = QueryFirst(demo.db, "SELECT symbol FROM trades WHERE customer_id = '" + me + "' ORDER BY trade_time DESC LIMIT 1");
  std::string other = QueryFirst(demo.db, "SELECT customer_id FROM customers WHERE customer_id != '" + me + "' LIMIT 1");

  // Activation: a code from the counter, once, 24 hours; the password set by the customer.
  EXPECT_EQ(broker.Post("/api/v1/customers/" + other + "/portal-activation", "").status,
            QueryFirst(demo.db, "SELECT broker_id FROM customers WHERE customer_id = '" + other + "'") == demo.broker_staff ? 201 : 404);
  Reply issued = broker.Post("/api/v1/customers/" + me + "/portal-activation", "");
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string code = Str(issued.json["code"]);
  ASSERT_EQ(code.size(), 8u);
  ApiClient investor(demo.port);
  auto activate = [&](const std::string& c, const std::string& password) {
    return investor.Post("/api/v1/portal/activate",
                         R"({"customer_id": ")" + me + R"(", "code": ")" + c + R"(", "password": ")" + password + "\"}");
  };
  EXPECT_EQ(activate(code, "short").status, 422) << "a weak password costs no attempt";
  EXPECT_EQ(activate(code == "00000000" ? "11111111" : "00000000", "portal-pass-2026").status, 401);
  Reply activated = activate(code, "portal-pass-2026");
  ASSERT_EQ(activated.status, 200) << activated.body;
  EXPECT_EQ(activate(code, "portal-pass-2026").status, 401) << "once";

  // Sign-in apart from staff: each route signs in only its own kind of login.
  Reply staff_route = investor.Post("/api/v1/auth/login", R"({"login": "investor.)" + me + R"(", "password": "portal-pass-2026"})");
  EXPECT_EQ(staff_route.status, 401);
  Reply as_staff = investor.Post("/api/v1/portal/login", R"({"customer_id": "admin", "password": ")" + std::string(DemoServer::kPassword) + "\"}");
  EXPECT_EQ(as_staff.status, 401);
  Reply signed_in = investor.Post("/api/v1/portal/login", R"({"customer_id": ")" + me + R"(", "password": "portal-pass-2026"})");
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(Str(signed_in.json["role"]), "investor");
  EXPECT_EQ(Str(signed_in.json["customer_id"]), me);
  investor.set_token(Str(signed_in.json["token"]));

  // Their own data; no staff route at all.
  Reply profile = investor.Get("/api/v1/portal/me");
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(Str(profile.json["customer_id"]), me);
  EXPECT_FALSE(profile.json["suitability"]["category"].is_null());
  for (const std::string& path : std::vector<std::string>{"/api/v1/customers/" + me, "/api/v1/customers/" + other,
                                                          "/api/v1/customers", "/api/v1/tickets", "/api/v1/research",
                                                          "/api/v1/analytics/ladder", "/api/v1/customers/" + me + "/next-best-actions"}) {
    EXPECT_EQ(investor.Get(path).status, 403) << path;
  }
  Reply questionnaire = investor.Get("/api/v1/portal/questionnaire");
  ASSERT_EQ(questionnaire.status, 200);
  EXPECT_TRUE(questionnaire.json["questions"].at(0)["options"].at(0)["score"].error()) << "no scores shown to the investor";
  Reply assessed = investor.Post("/api/v1/portal/questionnaire",
                                 R"({"answers": {"q1":"A","q2":"B","q3":"C","q4":"E","q5":"D","q6":"C","q7":"C","q8":"E","q9":"D","q10":"C","q11":"E"}})");
  ASSERT_EQ(assessed.status, 201) << assessed.body;
  EXPECT_EQ(Str(assessed.json["assessment"]["channel"]), "portal");
  EXPECT_EQ(Str(assessed.json["assessment"]["recorded_by"]), "investor." + me);

  // A service request becomes a ticket the staff see.
  Reply request = investor.Post("/api/v1/portal/service-requests", R"({"subject": "修改联系地址", "description": "新地址……"})");
  ASSERT_EQ(request.status, 201) << request.body;
  Reply mine = investor.Get("/api/v1/portal/service-requests");
  ASSERT_EQ(mine.json["items"].get_array().size(), 1u);
  EXPECT_EQ(Str(mine.json["items"].at(0)["state"]), "new");
  EXPECT_TRUE(mine.json["items"].at(0)["owner"].error()) << "no staff working fields";
  Reply seen = broker.Get("/api/v1/tickets?customer_id=" + me);
  ASSERT_EQ(seen.json["items"].get_array().size(), 1u);
  EXPECT_EQ(Str(seen.json["items"].at(0)["channel"]), "portal");

  // A released report the customer matches: in the feed, read once, on the timeline.
  std::string symbols = R"({"items": [{"market": "SH", "symbol": ")" + symbol + R"(", "name": "n", "industry": "480000"}]})";
  ASSERT_EQ(admin.Put("/api/v1/securities", symbols).status, 200);
  { ASSERT_TRUE((*OpenHoldingStore(demo.db))->RebuildPositions().ok()); }
  auto release = [&](const std::string& risk) {
    Reply draft = research.Post("/api/v1/research", R"({"title": "点评", "summary": "摘要", "body": "正文", "industry": "480000", "symbols": [")" +
                                                        symbol + R"("], "risk_level": ")" + risk + R"(", "analyst_registration": "S0570519110001"})");
    std::string id = std::to_string(int64_t(draft.json["report_id"]));
    EXPECT_EQ(research.Post("/api/v1/research/" + id + "/submit", "").status, 200);
    EXPECT_EQ(compliance.Post("/api/v1/research/" + id + "/approve", R"({"registration": "S0570519110002"})").status, 200);
    Reply published;
    for (int i = 0; i < 200; ++i) {
      published = research.Post("/api/v1/research/" + id + "/publish", "");
      if (published.status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(published.status, 200) << published.body;
    return id;
  };
  std::string report = release("R2");
  Reply feed = investor.Get("/api/v1/portal/feed");
  ASSERT_EQ(feed.status, 200);
  ASSERT_EQ(feed.json["items"].get_array().size(), 1u) << feed.body;
  EXPECT_EQ(Str(feed.json["items"].at(0)["analyst_registration"]), "S0570519110001");
  Reply opened = investor.Get("/api/v1/portal/reports/" + report);
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(Str(opened.json["body"]), "正文");
  EXPECT_TRUE(opened.json["reviewer"].error()) << "not the review's workings";
  Reply counts = compliance.Get("/api/v1/research/" + report + "/recipients?limit=1");
  EXPECT_EQ(int64_t(counts.json["counts"]["read"]), 1);
  EXPECT_EQ(investor.Get("/api/v1/portal/reports/999999").status, 404);
  Reply messages = investor.Get("/api/v1/portal/messages");
  bool delivered = false;
  for (auto m : messages.json["items"].get_array()) delivered |= Str(m["subject"]) == "研究报告：点评";
  EXPECT_TRUE(delivered) << messages.body;

  // Lockout as for staff: five wrong passwords lock the login.
  ApiClient guesser(demo.port);
  int last = 0;
  for (int i = 0; i < 6; ++i) {
    last = guesser.Post("/api/v1/portal/login", R"({"customer_id": ")" + me + R"(", "password": "wrong-password-)" + std::to_string(i) + "\"}").status;
  }
  EXPECT_EQ(last, 423);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
