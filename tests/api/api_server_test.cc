// The HTTP API end to end: a real server on a free port over an analysed demo brokerage.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_test_support.h"
#include "api/audit_trail.h"
#include "api/sessions.h"
#include "core/json_writer.h"
#include "storage/open_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace fincrm::testing {
namespace {

class ApiServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_ = new DemoServer();
    demo_->Start(1500);
  }
  static void TearDownTestSuite() {
    demo_->Stop();
    delete demo_;
  }
  ApiClient As(const std::string& login) { return demo_->As(login); }
  std::vector<std::string> AllListed(ApiClient& client, const std::string& filter = "") {
    return demo_->AllListed(client, filter);
  }
  // A customer of the given broker (or any other broker when `other`).
  std::string CustomerOf(const std::string& staff, bool other = false) {
    auto store = SqliteStore::Open(demo_->db, false);
    CustomerQuery query;
    query.limit = 100000;
    auto items = (*store)->ListCustomers(query);
    for (const auto& item : *items) {
      if ((item.customer.broker_id == staff) != other && !item.customer.broker_id.empty()) return item.customer.customer_id;
    }
    return "";
  }
  static DemoServer* demo_;
};
DemoServer* ApiServerTest::demo_ = nullptr;

TEST_F(ApiServerTest, PublicRoutesAnswerWithoutSignInAndOthersNeedIt) {
  ApiClient anonymous(demo_->port);
  EXPECT_EQ(anonymous.Get("/healthz").status, 200);
  Reply openapi = anonymous.Get("/api/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(Str(openapi.json["openapi"]), "3.0.3");
  Reply metrics = anonymous.Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("fincrm_http_requests_total"), std::string::npos);
  Reply vocabulary = anonymous.Get("/api/v1/vocabulary");
  EXPECT_EQ(vocabulary.status, 200);
  EXPECT_EQ(Str(vocabulary.json["value_tier"]["gold"]), "黄金");
  EXPECT_EQ(Str(vocabulary.json["interaction_channel"]["call_center"]), "呼叫中心");
  EXPECT_EQ(Str(vocabulary.json["role"]["branch_manager"]), "营业部经理");
  Reply customers = anonymous.Get("/api/v1/customers");
  EXPECT_EQ(customers.status, 401);
  EXPECT_EQ(Str(customers.json["error"]["code"]), "unauthenticated");
  EXPECT_EQ(anonymous.Get("/api/v1/nothing-here").status, 404);
  EXPECT_EQ(anonymous.Post("/healthz", "").status, 405);
}

TEST_F(ApiServerTest, TheOpenApiDocumentDescribesEveryRoute) {
  ApiClient anonymous(demo_->port);
  Reply openapi = anonymous.Get("/api/v1/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  for (const std::string& route : demo_->server->RouteList()) {
    size_t space = route.find(' ');
    std::string method = route.substr(0, space), path = route.substr(space + 1);
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    EXPECT_FALSE(openapi.json["paths"][path][method].error()) << route << " is not in docs/openapi.json";
  }
}

TEST_F(ApiServerTest, LoginGivesATokenThatWorksAsBearerAndAsCookie) {
  ApiClient client(demo_->port);
  Reply wrong = client.Login("admin", "not-the-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Str(wrong.json["error"]["code"]), "invalid_credentials");
  EXPECT_EQ(client.Login("nobody", "whatever-123").status, 401);
  Reply ok = client.Login("admin", DemoServer::kPassword);
  ASSERT_EQ(ok.status, 200);
  std::string token = Str(ok.json["token"]);
  std::string cookie = ok.headers.find("Set-Cookie")->second;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(client.Get("/api/v1/auth/me").status, 200);
  ApiClient by_cookie(demo_->port);
  Reply me = by_cookie.Get("/api/v1/auth/me", {{"Cookie", "fincrm_session=" + token}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(Str(me.json["role"]), "admin");
  EXPECT_EQ(client.Post("/api/v1/auth/logout", "").status, 200);
  EXPECT_EQ(client.Get("/api/v1/auth/me").status, 401);
}

TEST_F(ApiServerTest, RepeatedWrongPasswordsLockTheLogin) {
  ApiClient client(demo_->port);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Login("locky", "wrong-password").status, 401);
  Reply locked = client.Login("locky", DemoServer::kPassword);
  EXPECT_EQ(locked.status, 423) << locked.body;
  EXPECT_EQ(Str(locked.json["error"]["code"]), "login_locked");
  ApiClient admin = As("admin");
  EXPECT_EQ(admin.Patch("/api/v1/users/locky", R"({"unlock": true})").status, 200);
  EXPECT_EQ(client.Login("locky", DemoServer::kPassword).status, 200);
}

TEST_F(ApiServerTest, KeysetPagesAreDisjointOrderedAndComplete) {
  ApiClient admin = As("admin");
  std::vector<std::string> ids = AllListed(admin);
  EXPECT_EQ(ids.size(), 1500u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  Reply gold = admin.Get("/api/v1/customers?tier=gold&limit=500");
  ASSERT_EQ(gold.status, 200);
  for (auto item : gold.json["items"].get_array()) EXPECT_EQ(Str(item["tier"]), "gold");
  Reply risky = admin.Get("/api/v1/customers?min_churn_risk=0.5&limit=500");
  for (auto item : risky.json["items"].get_array()) EXPECT_GE(double(item["churn_risk"]), 0.5);
  EXPECT_EQ(admin.Get("/api/v1/customers?limit=0").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/customers?limit=abc").status, 400);
  Reply bad_tier = admin.Get("/api/v1/customers?risk_level=C9");
  EXPECT_EQ(bad_tier.status, 400);
  EXPECT_EQ(Str(bad_tier.json["error"]["field"]), "risk_level");
}

TEST_F(ApiServerTest, SearchFindsByNumberMobileIdAndName) {
  ApiClient admin = As("admin");
  Reply page = admin.Get("/api/v1/customers?limit=1");
  auto first = page.json["items"].at(0);
  std::string id = Str(first["customer_id"]), mobile = Str(first["mobile"]), id_number = Str(first["id_number"]);
  std::string name = Str(first["name"]);
  for (const std::string& q : {id, mobile, id_number}) {
    Reply found = admin.Get("/api/v1/customers?q=" + q);
    ASSERT_EQ(found.status, 200);
    ASSERT_GE(found.json["items"].get_array().size(), 1u) << q;
    EXPECT_EQ(Str(found.json["items"].at(0)["customer_id"]), id);
  }
  Reply by_name = admin.Get("/api/v1/customers?q=" + httplib::detail::encode_query_param(name.substr(0, 3)));
  EXPECT_GE(by_name.json["items"].get_array().size(), 1u);
}

TEST_F(ApiServerTest, BrokersAndBranchManagersSeeOnlyTheirScope) {
  ApiClient broker = As("broker");
  std::vector<std::string> listed = AllListed(broker);
  ASSERT_FALSE(listed.empty());
  ApiClient admin = As("admin");
  for (const std::string& id : listed) {
    Reply full = admin.Get("/api/v1/customers/" + id);
    EXPECT_EQ(Str(full.json["profile"]["broker_id"]), demo_->broker_staff);
  }
  std::string foreign = CustomerOf(demo_->broker_staff, /*other=*/true);
  Reply hidden = broker.Get("/api/v1/customers/" + foreign);
  EXPECT_EQ(hidden.status, 404);
  Reply unknown = broker.Get("/api/v1/customers/C99999999");
  EXPECT_EQ(hidden.body, std::string(unknown.body).replace(unknown.body.find("C99999999"), 9, foreign))
      << "out of scope must look exactly like unknown";
  EXPECT_EQ(broker.Get("/api/v1/customers/" + foreign + "/timeline").status, 404);
  EXPECT_EQ(broker.Patch("/api/v1/customers/" + foreign, R"({"occupation":"x"})").status, 404);
  // Search and the at-risk list never leak either.
  Reply search = broker.Get("/api/v1/customers?q=" + foreign);
  EXPECT_EQ(search.json["items"].get_array().size(), 0u);
  Reply churn = broker.Get("/api/v1/analytics/churn?limit=1000");
  for (auto item : churn.json["items"].get_array()) EXPECT_EQ(Str(item["broker_id"]), demo_->broker_staff);
  ApiClient manager = As("manager");
  for (const std::string& id : AllListed(manager)) {
    Reply one = admin.Get("/api/v1/customers/" + id);
    EXPECT_EQ(Str(one.json["profile"]["branch_id"]), demo_->manager_branch);
  }
  ApiClient research = As("research");
  EXPECT_EQ(research.Get("/api/v1/customers").status, 403);
  EXPECT_EQ(research.Get("/api/v1/analytics/clusters").status, 200);
}

TEST_F(ApiServerTest, PersonalFieldsAreMaskedByRole) {
  std::string id = CustomerOf(demo_->broker_staff);
  ApiClient admin = As("admin"), broker = As("broker"), hq = As("hq");
  Reply full = admin.Get("/api/v1/customers/" + id);
  std::string id_number = Str(full.json["profile"]["id_number"]);
  std::string mobile = Str(full.json["profile"]["mobile"]);
  ASSERT_EQ(id_number.size(), 18u);
  Reply by_broker = broker.Get("/api/v1/customers/" + id);
  // Neither the ID number's region nor its birth-date digits show, and the birth date
  // shows only its year: the number cannot be rebuilt from the rest of the view.
  EXPECT_EQ(Str(by_broker.json["profile"]["id_number"]), std::string(14, '*') + id_number.substr(14));
  std::string birth = Str(full.json["profile"]["birth_date"]);
  ASSERT_EQ(birth.size(), 10u);
  EXPECT_EQ(Str(by_broker.json["profile"]["birth_date"]), birth.substr(0, 4) + "-**-**");
  EXPECT_EQ(by_broker.body.find(id_number.substr(6, 8)), std::string::npos);
  EXPECT_EQ(by_broker.body.find(id_number.substr(0, 6)), std::string::npos);
  EXPECT_EQ(Str(by_broker.json["profile"]["mobile"]), mobile);  // brokers call their customers
  Reply by_hq = hq.Get("/api/v1/customers/" + id);
  EXPECT_EQ(Str(by_hq.json["profile"]["mobile"]), mobile.substr(0, 3) + "****" + mobile.substr(7));
  EXPECT_EQ(by_hq.body.find(id_number), std::string::npos);
  Reply list = hq.Get("/api/v1/customers?limit=500");
  EXPECT_EQ(list.body.find(mobile), std::string::npos);
}

TEST_F(ApiServerTest, ExportsTheCurrentFilterMaskedAndInScope) {
  ApiClient broker = As("broker");
  Reply csv = broker.Get("/api/v1/customers/export?format=csv&status=active");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.headers.find("Content-Disposition")->second.find("customers.csv"), std::string::npos);
  std::vector<std::string> lines;
  std::stringstream stream(csv.body);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("\xEF\xBB\xBF" "customer_id,name,", 0), 0u) << lines[0];
  std::vector<std::string> listed = AllListed(broker, "&status=active");
  EXPECT_EQ(lines.size() - 1, listed.size());
  std::regex masked_id(",\\*{14}[0-9X]{4},"), masked_birth(",\\d{4}-\\*\\*-\\*\\*,");
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(std::regex_search(lines[i], masked_id)) << lines[i];
    EXPECT_TRUE(std::regex_search(lines[i], masked_birth)) << lines[i];
  }
  Reply xlsx = broker.Get("/api/v1/customers/export?format=xlsx&headers=zh");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip container, as .xlsx files are
  EXPECT_EQ(broker.Get("/api/v1/customers/export?format=pdf").status, 400);
}

TEST_F(ApiServerTest, The360ViewHoldsEverySection) {
  ApiClient admin = As("admin");
  std::string id = CustomerOf(demo_->broker_staff);
  Reply view = admin.Get("/api/v1/customers/" + id);
  ASSERT_EQ(view.status, 200);
  for (const char* section : {"profile", "household", "accounts", "assets", "recent_trades", "timeline", "tasks",
                              "scores", "live"}) {
    EXPECT_FALSE(view.json[section].error()) << section;
  }
  EXPECT_FALSE(Str(view.json["scores"]["tier"]).empty());
  EXPECT_GE(view.json["accounts"].get_array().size(), 1u);
  EXPECT_EQ(admin.Get("/api/v1/customers/" + id + "/accounts").status, 200);
  EXPECT_EQ(admin.Get("/api/v1/customers/" + id + "/assets?limit=5").json["items"].get_array().size(), 5u);
  EXPECT_EQ(admin.Get("/api/v1/customers/" + id + "/trades?limit=3").status, 200);
  EXPECT_EQ(admin.Get("/api/v1/customers/NOPE").status, 404);
}

TEST_F(ApiServerTest, CreateAndUpdateCustomersWithFieldErrors) {
  ApiClient admin = As("admin");
  std::string body = R"({"customer_id":"C90000001","name":"测试客户","gender":"F","id_type":"resident_id",
    "id_number":"11010519491231002X","mobile":"13800138000","province":"北京","city":"北京",
    "open_date":"2026-11-01","status":"active","branch_id":")" + demo_->manager_branch + R"("})";
  Reply created = admin.Post("/api/v1/customers", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(admin.Post("/api/v1/customers", body).status, 409);
  Reply bad_id = admin.Post("/api/v1/customers", std::string(body).replace(body.find("002X"), 4, "0021"));
  EXPECT_EQ(bad_id.status, 422);
  EXPECT_EQ(Str(bad_id.json["error"]["field"]), "id_number");
  Reply typo = admin.Post("/api/v1/customers", R"({"customer_id":"C90000002","nmae":"x"})");
  EXPECT_EQ(typo.status, 422);
  EXPECT_EQ(Str(typo.json["error"]["field"]), "nmae");
  Reply patched = admin.Patch("/api/v1/customers/C90000001", R"({"mobile":"13900139000","occupation":"工程师"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Str(admin.Get("/api/v1/customers/C90000001").json["profile"]["mobile"]), "13900139000");
  Reply bad_mobile = admin.Patch("/api/v1/customers/C90000001", R"({"mobile":"12345"})");
  EXPECT_EQ(bad_mobile.status, 422);
  EXPECT_EQ(Str(bad_mobile.json["error"]["field"]), "mobile");
  Reply key_change = admin.Patch("/api/v1/customers/C90000001", R"({"customer_id":"C1"})");
  EXPECT_EQ(key_change.status, 422);
  ApiClient broker = As("broker");
  Reply other_scope = broker.Post("/api/v1/customers", std::string(body).replace(body.find("C90000001"), 9, "C90000003"));
  EXPECT_EQ(other_scope.status, 403);
  ApiClient hq = As("hq");
  EXPECT_EQ(hq.Patch("/api/v1/customers/C90000001", R"({"occupation":"x"})").status, 403);
}

TEST_F(ApiServerTest, EventsAreIdempotentReportedPerItemAndVisibleAtOnce) {
  std::string id = CustomerOf(demo_->broker_staff);
  ApiClient admin = As("admin");
  std::string account = Str(admin.Get("/api/v1/customers/" + id).json["accounts"].at(0)["account_id"]);
  std::string trade = R"({"event_id":"evt-trade-1","type":"trade","data":{"trade_id":"T-LIVE-1","customer_id":")" + id +
                      R"(","account_id":")" + account + R"(","trade_time":"2026-10-30T14:55:00+08:00","market":"SZ",
      "symbol":"000001","product_type":"stock","side":"sell","quantity":500,"price":12.345,"amount":6172.5,
      "commission":3.09,"channel":"app"}})";
  std::string bad = R"({"event_id":"evt-bad","type":"trade","data":{"trade_id":"T-BAD","customer_id":")" + id +
                    R"(","account_id":"NOT-MINE","trade_time":"2026-10-30T14:55:00","market":"SZ","symbol":"000001",
      "product_type":"stock","side":"sell","quantity":1,"price":1,"amount":1,"commission":0,"channel":"app"}})";
  Reply first = admin.Post("/api/v1/events", "[" + trade + "," + bad + R"(,{"event_id":"x","type":"nope","data":{}}])");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(int64_t(first.json["accepted"]), 1);
  EXPECT_EQ(int64_t(first.json["rejected"]), 2);
  EXPECT_EQ(Str(first.json["results"].at(1)["field"]), "account_id");
  EXPECT_EQ(Str(first.json["results"].at(2)["field"]), "type");
  Reply view = admin.Get("/api/v1/customers/" + id);
  EXPECT_EQ(Str(view.json["recent_trades"].at(0)["trade_id"]), "T-LIVE-1");
  int64_t trades_before = int64_t(view.json["live"]["trade_count"]);
  Reply replay = admin.Post("/api/v1/events", "[" + trade + "]");
  EXPECT_EQ(int64_t(replay.json["duplicates"]), 1);
  EXPECT_EQ(int64_t(admin.Get("/api/v1/customers/" + id).json["live"]["trade_count"]), trades_before);
  // NDJSON, a page view, and a malformed line that fails alone.
  std::string ndjson = R"({"event_id":"evt-view-1","type":"interaction","data":{"interaction_id":"I-VIEW-1","customer_id":")" + id +
                       R"(","occurred_at":"2026-10-30T20:00:00","channel":"app","direction":"inbound","type":"web_visit","subject":"/funds"}})"
                       "\n{not json}\n";
  Reply nd = admin.Post("/api/v1/events", ndjson, "application/x-ndjson");
  EXPECT_EQ(int64_t(nd.json["accepted"]), 1);
  EXPECT_EQ(int64_t(nd.json["rejected"]), 1);
  EXPECT_EQ(Str(admin.Get("/api/v1/customers/" + id + "/timeline?channel=app").json["items"].at(0)["interaction_id"]),
            "I-VIEW-1");
  EXPECT_EQ(admin.Post("/api/v1/events", "[{").status, 400);
  EXPECT_EQ(admin.Post("/api/v1/events", "{}").status, 400);
}

// The 360 view is served from memory: a PATCH through the server shows at once, and a
// change by another process (here a second connection, as `fincrm import` would make)
// shows once the server notices the data generation it did not produce.
TEST_F(ApiServerTest, CachedViewsFollowChangesFromThisAndOtherProcesses) {
  std::string id = CustomerOf(demo_->broker_staff);
  ApiClient admin = As("admin");
  ASSERT_EQ(admin.Get("/api/v1/customers/" + id).status, 200);
  ASSERT_EQ(admin.Patch("/api/v1/customers/" + id, R"({"city":"苏州"})").status, 200);
  EXPECT_EQ(Str(admin.Get("/api/v1/customers/" + id).json["profile"]["city"]), "苏州");

  auto store = OpenStore(demo_->db, {.migrate = false, .create = false});
  ASSERT_TRUE(store.ok());
  Customer changed = *(*store)->GetCustomer(id);
  changed.city = "无锡";
  {
    auto writer = *(*store)->BeginWrite();
    ASSERT_TRUE(writer->Put(changed).ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  std::string city;
  for (int attempt = 0; attempt < 60 && city != "无锡"; ++attempt) {
    city = Str(admin.Get("/api/v1/customers/" + id).json["profile"]["city"]);
    if (city != "无锡") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(city, "无锡") << "the view never showed the other process's change";
}

TEST_F(ApiServerTest, IntegrationKeysMayOnlyIngest) {
  ApiClient feed(demo_->port);
  httplib::Headers key = {{"X-API-Key", demo_->api_key}};
  Reply posted = feed.Post("/api/v1/events", "[]", "application/json", key);
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(feed.Get("/api/v1/customers", key).status, 403);
  EXPECT_EQ(feed.Post("/api/v1/events", "[]", "application/json", {{"X-API-Key", "fk_wrong"}}).status, 401);
  ApiClient broker = As("broker");
  EXPECT_EQ(broker.Post("/api/v1/events", "[]").status, 403);
}

TEST_F(ApiServerTest, LoggingAContactShowsInTheTimeline) {
  std::string id = CustomerOf(demo_->broker_staff);
  ApiClient broker = As("broker");
  Reply logged = broker.Post("/api/v1/customers/" + id + "/interactions",
                             R"({"channel":"broker","direction":"outbound","type":"return_visit","subject":"回访: 基金定投"})");
  ASSERT_EQ(logged.status, 201) << logged.body;
  Reply timeline = broker.Get("/api/v1/customers/" + id + "/timeline?limit=5");
  EXPECT_EQ(Str(timeline.json["items"].at(0)["subject"]), "回访: 基金定投");
  Reply bad = broker.Post("/api/v1/customers/" + id + "/interactions", R"({"channel":"pigeon"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Str(bad.json["error"]["field"]), "channel");
}

TEST_F(ApiServerTest, AnalyticsRoutesAnswer) {
  ApiClient hq = As("hq");
  EXPECT_GE(hq.Get("/api/v1/analytics/clusters").json["items"].get_array().size(), 2u);
  Reply ladder = hq.Get("/api/v1/analytics/ladder");
  ASSERT_GE(ladder.json["items"].get_array().size(), 5u);
  std::string last = Str(ladder.json["items"].at(ladder.json["items"].get_array().size() - 1)["month_end"]);
  std::string first = Str(ladder.json["items"].at(0)["month_end"]);
  Reply moves = hq.Get("/api/v1/analytics/ladder/moves?from=" + first + "&to=" + last);
  EXPECT_EQ(moves.status, 200) << moves.body;
  EXPECT_GE(moves.json["items"].get_array().size(), 1u);
  EXPECT_EQ(hq.Get("/api/v1/analytics/ladder/moves?from=bad&to=x").status, 400);
  Reply cube = hq.Get("/api/v1/analytics/cube?measures=commission,trade_count&by=branch,month&top=5");
  ASSERT_EQ(cube.status, 200) << cube.body;
  EXPECT_EQ(cube.json["rows"].get_array().size(), 5u);
  EXPECT_EQ(hq.Get("/api/v1/analytics/cube?by=planet").status, 400);
  Reply kpi = hq.Get("/api/v1/analytics/kpi?level=branch");
  ASSERT_GE(kpi.json["items"].get_array().size(), 1u);
  EXPECT_EQ(int64_t(kpi.json["items"].at(0)["rank"]), 1);
  Reply card = hq.Get("/api/v1/analytics/models/churn");
  ASSERT_EQ(card.status, 200);
  EXPECT_FALSE(Str(card.json["rules_text"]).empty());
  EXPECT_EQ(hq.Get("/api/v1/analytics/models/nope").status, 404);
  EXPECT_GE(hq.Get("/api/v1/analytics/churn?limit=10").json["items"].get_array().size(), 1u);
  Reply histogram = hq.Get("/api/v1/analytics/churn/distribution");
  ASSERT_EQ(histogram.json["items"].get_array().size(), 10u);
  int64_t scored = 0;
  for (auto bucket : histogram.json["items"].get_array()) scored += int64_t(bucket["customers"]);
  EXPECT_GT(scored, 1000);  // of the 1,500 demo customers, the live ones have scores
  EXPECT_GE(hq.Get("/api/v1/branches").json["items"].get_array().size(), 1u);
  EXPECT_GE(hq.Get("/api/v1/staff").json["items"].get_array().size(), 1u);
}

TEST_F(ApiServerTest, ReadsAndWritesAreAuditedAndTheChainVerifies) {
  std::string id = CustomerOf(demo_->broker_staff);
  ApiClient broker = As("broker");
  ASSERT_EQ(broker.Get("/api/v1/customers/" + id).status, 200);
  ApiClient compliance = As("compliance");
  Reply entries = compliance.Get("/api/v1/audit?actor=broker&action=customer.read&customer_id=" + id);
  ASSERT_EQ(entries.status, 200);
  ASSERT_GE(entries.json["items"].get_array().size(), 1u);
  EXPECT_EQ(Str(entries.json["items"].at(0)["source"]), "127.0.0.1");
  Reply verified = compliance.Get("/api/v1/audit/verify");
  EXPECT_TRUE(bool(verified.json["intact"])) << verified.body;
  EXPECT_EQ(broker.Get("/api/v1/audit").status, 403);
}

TEST_F(ApiServerTest, HostileInputNeverBreaksTheServer) {
  ApiClient admin = As("admin");
  std::string customer = CustomerOf(demo_->broker_staff);
  const std::string injections[] = {"' OR 1=1 --", "\"; DROP TABLE customers; --", "%27%20OR%201%3D1", "\\u0000",
                                    "C00000001' UNION SELECT password_hash FROM users --"};
  for (const std::string& text : injections) {
    std::string q = httplib::detail::encode_query_param(text);
    for (const std::string& path : {"/api/v1/customers?q=" + q, "/api/v1/customers?branch_id=" + q,
                                    "/api/v1/customers?tier=" + q + "&after=" + q, "/api/v1/customers/" + q,
                                    "/api/v1/audit?actor=" + q, "/api/v1/analytics/cube?by=" + q,
                                    "/api/v1/analytics/kpi?period=" + q}) {
      Reply reply = admin.Get(path);
      EXPECT_LT(reply.status, 500) << path << " " << reply.body;
      EXPECT_EQ(reply.body.find("argon2"), std::string::npos);
    }
    Reply login = admin.Post("/api/v1/auth/login", R"({"login":")" + text + R"(","password":"x"})");
    EXPECT_LT(login.status, 500);
    JsonWriter occupation;
    occupation.BeginObject().Field("occupation", text).EndObject();
    Reply patch = admin.Patch("/api/v1/customers/" + customer, occupation.str());
    EXPECT_LT(patch.status, 500) << patch.body;
  }
  EXPECT_EQ(admin.Get("/api/v1/customers?limit=500").json["items"].get_array().size(), 500u);
  for (const std::string& body : std::vector<std::string>{"", "{", "[1,2", "null", "\"text\"", "{\"login\": 5}", "{\"login\":{\"a\":1}}",
                                  std::string("{\"login\":\"a\0b\"}", 16)}) {
    Reply reply = admin.Post("/api/v1/auth/login", body);
    EXPECT_GE(reply.status, 400) << body;
    EXPECT_LT(reply.status, 500) << body;
    EXPECT_FALSE(reply.json["error"]["code"].error()) << reply.body;
  }
  Reply wrong_type = admin.Patch("/api/v1/customers/" + customer, R"({"gender": true})");
  EXPECT_EQ(wrong_type.status, 422);
  // A body over the limit is refused from its Content-Length, before it is read.
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(demo_->port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    std::string head = "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100000000\r\n\r\n[";
    ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
    char buffer[4096];
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    ::close(fd);
    ASSERT_GT(got, 12);
    EXPECT_EQ(std::string(buffer, 12), "HTTP/1.1 413");
    EXPECT_NE(std::string(buffer, got).find("payload_too_large"), std::string::npos);
  }
  Reply after = admin.Get("/healthz");
  EXPECT_EQ(after.status, 200);
}

// A churn alert: a customer whose stored risk was low is now scored high by the
// model; the next rescoring records an alert, a task for the broker and a signed
// webhook delivery.
TEST(ApiAlertsTest, RisingChurnRiskRaisesAnAlertATaskAndASignedWebhook) {
  std::string target;
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.webhook_allowed_hosts = {"127.0.0.1"}; };  // the test's receiver
  demo.Start(1500, [&](Store& store) {
    CustomerQuery risky;
    risky.by_churn_risk = true;
    risky.limit = 1;
    auto top = store.ListCustomers(risky);
    ASSERT_TRUE(top.ok() && !top->empty());
    ASSERT_GE(top->front().churn_risk, 0.5);
    target = top->front().customer.customer_id;
    auto score = store.GetCustomerScore(target);
    CustomerScore lowered = **score;
    lowered.churn_risk = 0.01;  // as if the last analysis had found it safe
    auto writer = store.BeginWrite();
    ASSERT_TRUE((*writer)->Put(lowered).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  });
  // The subscriber.
  httplib::Server receiver;
  std::mutex mutex;
  std::string received_body, received_signature;
  receiver.Post("/hook", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex);
    received_body = request.body;
    received_signature = request.get_header_value("X-FinCRM-Signature");
    response.status = 204;
  });
  int receiver_port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  struct StopReceiver {
    httplib::Server& server;
    std::thread& thread;
    ~StopReceiver() {
      server.stop();
      if (thread.joinable()) thread.join();
    }
  } stop_receiver{receiver, serving};
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::string secret = "0123456789abcdef-secret";
  Reply hook = admin.Post("/api/v1/webhooks", R"({"url":"http://127.0.0.1:)" + std::to_string(receiver_port) +
                                                  R"(/hook","secret":")" + secret + R"(","event_types":"churn_risk"})");
  ASSERT_EQ(hook.status, 201) << hook.body;
  std::string event = R"([{"event_id":"evt-complaint","type":"interaction","data":{"interaction_id":"I-C-1","customer_id":")" +
                      target + R"(","occurred_at":"2026-10-30T09:00:00","channel":"call_center","direction":"inbound","type":"complaint","subject":"slow app"}}])";
  Reply ingested = admin.Post("/api/v1/events", event);
  ASSERT_EQ(ingested.status, 200) << ingested.body;
  ASSERT_EQ(int64_t(ingested.json["accepted"]), 1) << ingested.body;
  auto raised = demo.server->live().RescoreNow();
  ASSERT_TRUE(raised.ok()) << raised.status().message();
  EXPECT_EQ(*raised, 1);
  Reply alerts = admin.Get("/api/v1/alerts?customer_id=" + target);
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  ASSERT_EQ(alerts.json["items"].get_array().size(), 1u) << alerts.body;
  EXPECT_GE(double(alerts.json["items"].at(0)["value"]), 0.5);
  Reply tasks = admin.Get("/api/v1/customers/" + target + "/tasks?status=open");
  ASSERT_EQ(tasks.json["items"].get_array().size(), 1u);
  Reply view = admin.Get("/api/v1/customers/" + target);
  EXPECT_GE(double(view.json["scores"]["churn_risk"]), 0.5);
  EXPECT_EQ(Str(tasks.json["items"].at(0)["assignee_staff_id"]), Str(view.json["profile"]["broker_id"]));
  std::string body, signature;
  for (int i = 0; i < 100 && body.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard lock(mutex);
    body = received_body;
    signature = received_signature;
  }
  ASSERT_FALSE(body.empty()) << "the webhook was not delivered";
  EXPECT_EQ(signature, "sha256=" + HmacSha256Hex(secret, body));
  EXPECT_NE(body.find(target), std::string::npos);
  Reply deliveries;
  for (int i = 0; i < 50; ++i) {
    deliveries = admin.Get("/api/v1/webhooks/deliveries");
    if (Str(deliveries.json["items"].at(0)["state"]) == "delivered") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Str(deliveries.json["items"].at(0)["state"]), "delivered");
  EXPECT_EQ(int64_t(deliveries.json["items"].at(0)["last_status"]), 204);
  // A second rescoring does not raise it again.
  std::string again = event;
  again.replace(again.find("evt-complaint"), 13, "evt-complaint-2");
  again.replace(again.find("I-C-1"), 5, "I-C-2");
  Reply second = admin.Post("/api/v1/events", again);
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(int64_t(second.json["accepted"]), 1) << second.body;
  EXPECT_EQ(*demo.server->live().RescoreNow(), 0);
  demo.Stop();
}

TEST(SessionRateLimitTest, TooManyAttemptsFromOneAddressAreRefused) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.File("s.db"), true);
  ASSERT_TRUE((*store)->Migrate().ok());
  SessionOptions options;
  options.attempts_per_minute_per_address = 3;
  SessionRegistry sessions(options);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sessions.Login(**store, "x", "password-1", "10.0.0.1").status, 401);
  EXPECT_EQ(sessions.Login(**store, "x", "password-1", "10.0.0.1").status, 429);
  EXPECT_EQ(sessions.Login(**store, "x", "password-1", "10.0.0.2").status, 401);  // per address
}

TEST(ApiAuditTest, TamperingWithTheTrailIsDetected) {
  DemoServer demo;
  demo.Start(300);
  ApiClient compliance(demo.port);
  ASSERT_EQ(compliance.Login("compliance", DemoServer::kPassword).status, 200);
  for (int i = 0; i < 3; ++i) compliance.Get("/api/v1/customers?limit=5");
  ASSERT_TRUE(bool(compliance.Get("/api/v1/audit/verify").json["intact"]));
  {
    auto store = SqliteStore::Open(demo.db, false);
    ASSERT_TRUE((*store)->Execute("UPDATE audit_log SET actor = 'someone-else' WHERE sequence = 2").ok());
  }
  Reply verified = compliance.Get("/api/v1/audit/verify");
  EXPECT_FALSE(bool(verified.json["intact"]));
  EXPECT_EQ(int64_t(verified.json["first_bad"]), 2);
  demo.Stop();
}

// Finding 8: deleting the last 5 entries left `audit verify` saying "intact". With a
// key and a checkpoint file the server seals every entry and signs its head after
// each commit; the API and the CLI both find the truncation.
TEST(ApiAuditTest, TruncationIsFoundAgainstTheServersSignedCheckpoints) {
  DemoServer demo;
  std::string key_file = demo.dir.File("audit.key"), checkpoints = demo.dir.File("audit.checkpoints");
  {
    std::FILE* file = std::fopen(key_file.c_str(), "w");
    std::fputs(AuditKey::Generate().c_str(), file);
    std::fclose(file);
  }
  demo.adjust = [&](ApiServerOptions& options) {
    options.audit_key_file = key_file;
    options.audit_checkpoint_file = checkpoints;
  };
  demo.Start(300);
  ApiClient compliance(demo.port);
  ASSERT_EQ(compliance.Login("compliance", DemoServer::kPassword).status, 200);
  for (int i = 0; i < 8; ++i) compliance.Get("/api/v1/customers?limit=5");
  Reply intact = compliance.Get("/api/v1/audit/verify");
  ASSERT_TRUE(bool(intact.json["intact"])) << intact.body;
  EXPECT_TRUE(bool(intact.json["keyed"]));
  EXPECT_GE(int64_t(intact.json["checkpoint_sequence"]), 8);
  int64_t entries = int64_t(intact.json["entries"]);
  demo.Stop();  // the last checkpoint is the head at shutdown
  {
    auto store = SqliteStore::Open(demo.db, false);
    ASSERT_TRUE((*store)->Execute("DELETE FROM audit_log WHERE sequence > " + std::to_string(entries - 5)).ok());
  }
  demo.StartServer();
  ApiClient again(demo.port);
  ASSERT_EQ(again.Login("compliance", DemoServer::kPassword).status, 200);
  Reply truncated = again.Get("/api/v1/audit/verify");
  EXPECT_FALSE(bool(truncated.json["intact"])) << truncated.body;
  EXPECT_NE(Str(truncated.json["problem"]).find("were removed"), std::string::npos) << truncated.body;
  demo.Stop();
}


}  // namespace
}  // namespace fincrm::testing

namespace fincrm::testing {
namespace {

std::string TradeEvent(const std::string& event_id, const std::string& trade_id, const std::string& customer,
                       const std::string& account, const std::string& time) {
  return R"({"event_id":")" + event_id + R"(","type":"trade","data":{"trade_id":")" + trade_id +
         R"(","customer_id":")" + customer + R"(","account_id":")" + account + R"(","trade_time":")" + time +
         R"(","market":"SH","symbol":"600000","product_type":"stock","side":"buy","quantity":100,"price":10.5,
         "amount":1050,"commission":0.53,"channel":"app"}})";
}

// The journal is applied only when a test asks (ApplyJournalNow) or at a bound it sets.
void ApplyOnlyWhenAsked(DemoServer& demo) {
  demo.ingest.apply_when_idle = std::chrono::hours(1);
  demo.ingest.apply_at_age = std::chrono::hours(1);
}

// The customer's first account, read through the 360 view.
std::string FirstAccount(ApiClient& client, const std::string& customer) {
  Reply view = client.Get("/api/v1/customers/" + customer);
  EXPECT_EQ(view.status, 200) << view.body;
  return view.status == 200 ? Str(view.json["accounts"].at(0)["account_id"]) : std::string();
}

// Trades, snapshots and contacts are committed to the event journal and applied to the
// customer tables in batches; before and after that the reads are the same, replays
// stay duplicates, and a stop leaves nothing behind that the next start does not apply.
TEST(ApiJournalTest, JournaledEventsAreAppliedAndSurviveARestart) {
  DemoServer demo;
  ApplyOnlyWhenAsked(demo);
  demo.Start(300);
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::string customer = "C00000007";
  std::string account = FirstAccount(admin, customer);
  ASSERT_FALSE(account.empty());
  std::string contact = R"({"event_id":"j-contact-1","type":"interaction","data":{"interaction_id":"I-J-1",
    "customer_id":")" + customer + R"(","occurred_at":"2026-11-20T10:00:00","channel":"call_center",
    "direction":"outbound","type":"return_visit","subject":"回访: 基金定投","notes":"line one\nline two: 50%"}})";
  Reply posted = admin.Post("/api/v1/events", "[" + TradeEvent("j-1", "T-J-1", customer, account, "2026-11-20T09:31:00") +
                                                  "," + contact + "]");
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(int64_t(posted.json["accepted"]), 2);
  EXPECT_EQ(demo.server->ingestor().journal_events(), 3) << "the two events and the request's audit entry";
  auto trades_of = [&](Reply r) {
    std::set<std::string> ids;
    for (const auto& t : r.json["items"]) ids.insert(Str(t["trade_id"]));
    return ids;
  };
  EXPECT_TRUE(trades_of(admin.Get("/api/v1/customers/" + customer + "/trades")).count("T-J-1")) << "merged before applying";
  EXPECT_EQ(Str(admin.Get("/api/v1/customers/" + customer + "/timeline").json["items"].at(0)["notes"]), "line one\nline two: 50%");

  ASSERT_TRUE(demo.server->ingestor().ApplyJournalNow().ok());
  EXPECT_EQ(demo.server->ingestor().journal_events(), 0);
  EXPECT_EQ(demo.server->ingestor().apply_failures(), 0);
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    ASSERT_TRUE(store.ok());
    auto stored = (*store)->RecentTrades(customer, 5);
    ASSERT_TRUE(stored.ok());
    ASSERT_FALSE(stored->empty());
    EXPECT_EQ(stored->front().trade_id, "T-J-1");
    EXPECT_EQ(stored->front().amount.fen, 105000);
    auto contacts = (*store)->RecentInteractions(customer, 1);
    ASSERT_TRUE(contacts.ok() && !contacts->empty());
    EXPECT_EQ(contacts->front().subject, "回访: 基金定投");
    auto journal = (*store)->OpenJournal();
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    EXPECT_TRUE((*journal)->Read(0, 10)->empty());
    EXPECT_EQ(*(*store)->JournalAppliedThrough(), 3);
    EXPECT_TRUE(*(*store)->EventSeen("j-1"));
  }
  EXPECT_TRUE(trades_of(admin.Get("/api/v1/customers/" + customer + "/trades")).count("T-J-1")) << "read from the table";
  Reply replay = admin.Post("/api/v1/events", "[" + TradeEvent("j-1", "T-J-1", customer, account, "2026-11-20T09:31:00") + "]");
  EXPECT_EQ(int64_t(replay.json["duplicates"]), 1);

  // Journaled but not applied when the server stops: the next start shows and applies it.
  Reply second = admin.Post("/api/v1/events", "[" + TradeEvent("j-2", "T-J-2", customer, account, "2026-11-21T09:31:00") + "]");
  ASSERT_EQ(int64_t(second.json["accepted"]), 1);
  demo.Stop();
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    auto journal = (*store)->OpenJournal();
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    auto left = (*journal)->Read(0, 10);
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(std::count_if(left->begin(), left->end(), [](const JournalEntry& e) { return e.event_id == "j-2"; }), 1)
        << "left in the journal by the stop";
  }
  demo.ingest.apply_when_idle = std::chrono::milliseconds(50);
  demo.StartServer();
  ApiClient again(demo.port);
  ASSERT_EQ(again.Login("admin", DemoServer::kPassword).status, 200);
  EXPECT_TRUE(trades_of(again.Get("/api/v1/customers/" + customer + "/trades")).count("T-J-2"));
  EXPECT_EQ(int64_t(again.Post("/api/v1/events", "[" + TradeEvent("j-2", "T-J-2", customer, account,
                                                                   "2026-11-21T09:31:00") + "]").json["duplicates"]), 1);
  for (int i = 0; i < 100 && demo.server->ingestor().journal_events() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(demo.server->ingestor().journal_events(), 0) << "applied after the restart";
  EXPECT_TRUE(trades_of(again.Get("/api/v1/customers/" + customer + "/trades")).count("T-J-2"));
}

// Batches from several connections overlap (the same event ids sent again and again)
// while the journal is applied every few dozen milliseconds: each id is accepted once,
// every other copy is a duplicate, and the tables end with each trade exactly once.
TEST(ApiJournalTest, OverlappingBatchesWhileApplyingAcceptEachEventOnce) {
  DemoServer demo;
  demo.ingest.apply_at_events = 150;
  demo.ingest.apply_when_idle = std::chrono::milliseconds(20);
  demo.ingest.apply_at_age = std::chrono::milliseconds(50);
  demo.Start(300);
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::vector<std::pair<std::string, std::string>> owners;  // customer, account: trades spread over slices
  for (int c = 11; c <= 20; ++c) {
    std::string customer = "C000000" + std::to_string(c);
    Reply view = admin.Get("/api/v1/customers/" + customer);
    ASSERT_EQ(view.status, 200) << view.body;
    owners.emplace_back(customer, Str(view.json["accounts"].at(0)["account_id"]));
  }

  constexpr int kIds = 600, kThreads = 4, kBatches = 10, kPerBatch = 60;
  std::atomic<int64_t> accepted{0}, duplicates{0}, failures{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      ApiClient client(demo.port);
      if (client.Login("admin", DemoServer::kPassword).status != 200) {
        ++failures;
        return;
      }
      for (int b = 0; b < kBatches; ++b) {
        std::string body = "[";
        for (int i = 0; i < kPerBatch; ++i) {
          int k = (t * 150 + b * 45 + i) % kIds;
          if (i) body += ",";
          const auto& [customer, account] = owners[k % owners.size()];
          body += TradeEvent("cc-" + std::to_string(k), "T-CC-" + std::to_string(k), customer, account,
                             "2026-11-20T10:" + std::to_string(10 + k % 50) + ":00");
        }
        Reply reply = client.Post("/api/v1/events", body + "]");
        if (reply.status != 200) {
          ADD_FAILURE() << reply.status << " " << reply.body;
          ++failures;
          continue;
        }
        accepted += int64_t(reply.json["accepted"]);
        duplicates += int64_t(reply.json["duplicates"]);
      }
    });
  }
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<int> sent;
  for (int t = 0; t < kThreads; ++t)
    for (int b = 0; b < kBatches; ++b)
      for (int i = 0; i < kPerBatch; ++i) sent.insert((t * 150 + b * 45 + i) % kIds);
  EXPECT_EQ(accepted.load(), static_cast<int64_t>(sent.size()));
  EXPECT_EQ(accepted.load() + duplicates.load(), int64_t{kThreads} * kBatches * kPerBatch);
  EXPECT_GT(demo.server->ingestor().applied_events(), 0) << "applied while the batches arrived";

  ASSERT_TRUE(demo.server->ingestor().ApplyJournalNow().ok());
  EXPECT_EQ(demo.server->ingestor().apply_failures(), 0);
  auto store = OpenStore(demo.db, {.migrate = false, .create = false});
  ASSERT_TRUE(store.ok());
  std::multiset<std::string> stored, served;
  for (const auto& [customer, account] : owners) {
    auto trades = (*store)->RecentTrades(customer, 100000);
    ASSERT_TRUE(trades.ok());
    for (const Trade& trade : *trades) {
      if (trade.trade_id.rfind("T-CC-", 0) == 0) stored.insert(trade.trade_id);
    }
    Reply listed = admin.Get("/api/v1/customers/" + customer + "/trades?limit=500");
    ASSERT_EQ(listed.status, 200);
    for (const auto& t : listed.json["items"]) {
      std::string id = Str(t["trade_id"]);
      if (id.rfind("T-CC-", 0) == 0) served.insert(id);
    }
  }
  EXPECT_EQ(stored.size(), sent.size());
  for (int k : sent) EXPECT_EQ(stored.count("T-CC-" + std::to_string(k)), 1u) << k;
  EXPECT_EQ(served.size(), sent.size());
  for (const std::string& id : served) EXPECT_EQ(served.count(id), 1u) << id << " served twice";
}


// The journal is its own file: while another connection holds the tables' write lock
// (as an application does for seconds), trades are still committed and shown, the
// request's audit entry is committed with them, and a profile change — written to
// the tables directly — waits for the lock instead of failing.
TEST(ApiJournalTest, IngestCommitsWhileTheTablesAreLocked) {
  DemoServer demo;
  ApplyOnlyWhenAsked(demo);
  demo.Start(200);
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::string customer = "C00000009";
  std::string account = FirstAccount(admin, customer);
  ASSERT_FALSE(account.empty());

  auto holder = SqliteStore::Open(demo.db, false);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Execute("BEGIN IMMEDIATE").ok());
  Reply posted = admin.Post("/api/v1/events", "[" + TradeEvent("lk-1", "T-LK-1", customer, account,
                                                               "2026-11-20T09:35:00") + ",{\"event_id\":\"lk-bad\"}]");
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(int64_t(posted.json["accepted"]), 1);
  Reply trades = admin.Get("/api/v1/customers/" + customer + "/trades");
  ASSERT_EQ(trades.status, 200);
  EXPECT_EQ(Str(trades.json["items"].at(0)["trade_id"]), "T-LK-1");

  std::atomic<int> profile_status{0};
  std::thread profile([&] {
    ApiClient client(demo.port);
    if (client.Login("admin", DemoServer::kPassword).status != 200) return;
    profile_status = client.Post("/api/v1/events", R"([{"event_id":"lk-profile","type":"customer_profile",
        "data":{"customer_id":")" + customer + R"(","occupation":"教师"}}])").status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(profile_status.load(), 0) << "waits while the tables are locked";
  ASSERT_TRUE((*holder)->Execute("ROLLBACK").ok());
  profile.join();
  EXPECT_EQ(profile_status.load(), 200);
  EXPECT_EQ(Str(admin.Get("/api/v1/customers/" + customer).json["profile"]["occupation"]), "教师");

  ASSERT_TRUE(demo.server->ingestor().ApplyJournalNow().ok());
  ApiClient compliance(demo.port);
  ASSERT_EQ(compliance.Login("compliance", DemoServer::kPassword).status, 200);
  Reply audit = compliance.Get("/api/v1/audit?action=events.ingest");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::multiset<std::string> details;
  for (const auto& entry : audit.json["items"]) details.insert(Str(entry["detail"]));
  EXPECT_EQ(details.count("accepted=1 duplicates=0 rejected=1"), 1u) << audit.body;
  EXPECT_EQ(details.count("accepted=1 duplicates=0 rejected=0"), 1u) << audit.body;
  EXPECT_TRUE(bool(compliance.Get("/api/v1/audit/verify").json["intact"]));
}

// An application commits the rows and its position in the store; the journal is
// trimmed after. Entries still in the journal at or below that position (a crash came
// between) are neither shown twice nor applied again at the next start.
TEST(ApiJournalTest, EntriesAlreadyAppliedAreSkippedAfterACrashBeforeTheTrim) {
  DemoServer demo;
  ApplyOnlyWhenAsked(demo);
  demo.Start(200);
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::string customer = "C00000012";
  std::string account = FirstAccount(admin, customer);
  ASSERT_FALSE(account.empty());
  ASSERT_EQ(admin.Post("/api/v1/events", "[" + TradeEvent("cr-1", "T-CR-1", customer, account, "2026-11-20T09:40:00") +
                                             "]").status, 200);
  std::vector<JournalEntry> journaled;
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    auto journal = (*store)->OpenJournal();
    ASSERT_TRUE(journal.ok());
    journaled = *(*journal)->Read(0, 10);
  }
  ASSERT_EQ(journaled.size(), 2u);  // the trade and the request's audit entry
  ASSERT_TRUE(demo.server->ingestor().ApplyJournalNow().ok());
  demo.Stop();
  int64_t audit_entries = 0;
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    EXPECT_EQ(*(*store)->JournalAppliedThrough(), journaled.back().sequence);
    auto journal = (*store)->OpenJournal();
    ASSERT_TRUE((*journal)->Append(journaled).ok()) << "put back, as if the trim had not happened";
    audit_entries = *(*store)->Count(EntityKind::kAudit);
  }
  demo.StartServer();
  EXPECT_EQ(demo.server->ingestor().journal_events(), 0);
  ApiClient again(demo.port);
  ASSERT_EQ(again.Login("admin", DemoServer::kPassword).status, 200);
  int shown = 0;
  Reply listed = again.Get("/api/v1/customers/" + customer + "/trades?limit=500");
  ASSERT_EQ(listed.status, 200) << listed.body;
  for (const auto& t : listed.json["items"]) {
    shown += Str(t["trade_id"]) == "T-CR-1";
  }
  EXPECT_EQ(shown, 1);
  Reply replay = again.Post("/api/v1/events", "[" + TradeEvent("cr-1", "T-CR-1", customer, account, "2026-11-20T09:40:00") + "]");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(int64_t(replay.json["duplicates"]), 1);
  ASSERT_TRUE(demo.server->ingestor().ApplyJournalNow().ok());
  demo.Stop();
  auto store = OpenStore(demo.db, {.migrate = false, .create = false});
  // The login's and the replay's entries are new; the journaled one was not chained again.
  int64_t ingest_entries = 0;
  ASSERT_TRUE((*store)->ForEach([&](const AuditEntry& entry) {
    ingest_entries += entry.action == "events.ingest";
    return true;
  }).ok());
  EXPECT_EQ(ingest_entries, 2);
  EXPECT_GT(*(*store)->Count(EntityKind::kAudit), audit_entries);
}

// At `max_unapplied_events` commits wait for the applier, even when no other reason
// to apply (size, age, idleness) has come due.
TEST(ApiJournalTest, CommitsWaitForTheApplierAtTheUnappliedBound) {
  DemoServer demo;
  ApplyOnlyWhenAsked(demo);
  demo.ingest.apply_at_events = 100000;
  demo.ingest.max_unapplied_events = 100;
  demo.Start(200);
  ApiClient admin(demo.port);
  ASSERT_EQ(admin.Login("admin", DemoServer::kPassword).status, 200);
  std::string customer = "C00000014";
  std::string account = FirstAccount(admin, customer);
  ASSERT_FALSE(account.empty());
  for (int batch = 0; batch < 3; ++batch) {
    std::string body = "[";
    for (int i = 0; i < 60; ++i) {
      int k = batch * 60 + i;
      body += std::string(i ? "," : "") + TradeEvent("bp-" + std::to_string(k), "T-BP-" + std::to_string(k), customer,
                                                     account, "2026-11-20T11:" + std::to_string(10 + k % 50) + ":00");
    }
    Reply reply = admin.Post("/api/v1/events", body + "]");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(int64_t(reply.json["accepted"]), 60);
    EXPECT_LE(demo.server->ingestor().journal_events(), 100 + 61) << "batch " << batch;
  }
  // The third batch found 122 entries (two batches and their audit entries) waiting.
  EXPECT_GE(demo.server->ingestor().applied_events(), 122);
}

}  // namespace
}  // namespace fincrm::testing
