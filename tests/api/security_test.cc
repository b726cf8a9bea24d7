// The findings of the outside probe (issue 12), each as the attack that worked, against
// a real server: masked numbers recovered by search, sessions outliving the decision
// that ended them, the lockout race, analytics outside the caller's scope, scoped
// search cut by the limit, and cross-site writes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "api/api_test_support.h"
#include "api/webhook_dispatcher.h"
#include "api/webhook_target.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

// Every customer of the database, read from the store directly.
std::vector<CustomerListItem> EveryCustomer(const std::string& db) {
  auto store = OpenStore(db, {.migrate = false, .create = false});
  CustomerQuery all;
  all.limit = 100000;
  return *(*store)->ListCustomers(all);
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_ = new DemoServer();
    demo_->adjust = [](ApiServerOptions& options) {
      options.search.burst = 40;
      options.search.per_minute = 40;
      options.search.number_lookups_per_window = 10;
      options.allowed_origins = {"https://crm.example.com"};
    };
    demo_->Start(1500);
  }
  static void TearDownTestSuite() {
    demo_->Stop();
    delete demo_;
  }
  static ApiClient As(const std::string& login) { return demo_->As(login); }
  static std::vector<CustomerListItem> Everyone() { return EveryCustomer(demo_->db); }
  // Adds a login through the API (as admin) and returns it signed in.
  static ApiClient NewLogin(const std::string& login, const std::string& role, const std::string& extra = "") {
    ApiClient admin = As("admin");
    Reply added = admin.Post("/api/v1/users", R"({"login":")" + login + R"(","role":")" + role +
                                                  R"(","password":")" + DemoServer::kPassword + "\"" + extra + "}");
    EXPECT_EQ(added.status, 201) << added.body;
    return As(login);
  }
  static DemoServer* demo_;
};
DemoServer* SecurityTest::demo_ = nullptr;

int64_t Sum(simdjson::dom::element items, const char* field) {
  int64_t total = 0;
  for (auto item : items.get_array()) total += int64_t(item[field]);
  return total;
}

// Finding 2: a role that sees mobiles masked found the full number by searching the
// 10,000 candidates. Now such a role finds nobody by mobile or ID number, and a
// session that tries many numbers is flagged, refused and reported.
TEST_F(SecurityTest, SearchIsNoOracleForMaskedNumbers) {
  CustomerListItem target = Everyone().front();
  ASSERT_FALSE(target.customer.mobile.empty());
  ApiClient hq = As("hq");  // sees mobiles and ID numbers masked
  EXPECT_EQ(hq.Get("/api/v1/customers?q=" + target.customer.mobile).json["items"].get_array().size(), 0u);
  EXPECT_EQ(hq.Get("/api/v1/customers?q=" + target.customer.id_number).json["items"].get_array().size(), 0u);
  EXPECT_EQ(hq.Get("/api/v1/customers?q=" + target.customer.customer_id).json["items"].get_array().size(), 1u);
  ApiClient agent = As("agent");  // sees mobiles, not ID numbers
  EXPECT_EQ(agent.Get("/api/v1/customers?q=" + target.customer.mobile).json["items"].get_array().size(), 1u);
  EXPECT_EQ(agent.Get("/api/v1/customers?q=" + target.customer.id_number).json["items"].get_array().size(), 0u);
  // Only the complete number matches.
  ApiClient admin = As("admin");
  EXPECT_EQ(admin.Get("/api/v1/customers?q=" + target.customer.mobile.substr(0, 10)).json["items"].get_array().size(), 0u);

  // Enumerating: the 11th number in the window is refused and reported.
  ApiClient prober = As("hq");
  std::string prefix = target.customer.mobile.substr(0, 7);
  int refused_at = 0;
  for (int i = 0; i < 15 && !refused_at; ++i) {
    char candidate[8];
    std::snprintf(candidate, sizeof candidate, "%04d", i);
    Reply reply = prober.Get("/api/v1/customers?q=" + prefix + candidate);
    if (reply.status == 429) {
      EXPECT_EQ(Str(reply.json["error"]["code"]), "search_enumeration");
      refused_at = i + 1;
    }
  }
  EXPECT_EQ(refused_at, 11);
  EXPECT_EQ(prober.Get("/api/v1/customers?q=" + prefix + "9999").status, 429);
  EXPECT_EQ(prober.Get("/api/v1/customers?q=" + target.customer.customer_id).status, 200);  // names, ids still work
  ApiClient compliance = As("compliance");
  Reply flagged = compliance.Get("/api/v1/audit?action=security.search_enumeration&actor=hq");
  ASSERT_EQ(flagged.status, 200);
  EXPECT_EQ(flagged.json["items"].get_array().size(), 1u);
  Reply searches = compliance.Get("/api/v1/audit?action=customer.search&actor=hq&limit=1000");
  EXPECT_GE(searches.json["items"].get_array().size(), 10u);  // every search is audited
  EXPECT_NE(As("admin").Get("/metrics").body.find("fincrm_search_enumerations_flagged_total 1"), std::string::npos);
}

TEST_F(SecurityTest, SearchesAreRateLimitedPerSession) {
  ApiClient agent = As("agent");
  int ok = 0, throttled = 0;
  for (int i = 0; i < 45; ++i) {
    Reply reply = agent.Get("/api/v1/customers?q=%E7%8E%8B");  // 王
    if (reply.status == 200) ++ok;
    if (reply.status == 429) {
      ++throttled;
      EXPECT_EQ(Str(reply.json["error"]["code"]), "too_many_searches");
    }
  }
  EXPECT_EQ(ok, 40);
  EXPECT_EQ(throttled, 5);
  EXPECT_EQ(As("agent").Get("/api/v1/customers?q=%E7%8E%8B").status, 200);  // another session is not held up
}

// Finding 6: a broker searching a common surname got 12 of their 16 matches (the scope
// was applied after the limit).
TEST_F(SecurityTest, ScopedSearchFindsEveryOwnMatch) {
  std::map<std::string, std::set<std::string>> by_first_character;  // of the broker's customers
  for (const CustomerListItem& item : Everyone()) {
    if (item.customer.broker_id != demo_->broker_staff) continue;
    by_first_character[item.customer.name.substr(0, 3)].insert(item.customer.customer_id);
  }
  auto largest = std::max_element(by_first_character.begin(), by_first_character.end(),
                                  [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
  ASSERT_NE(largest, by_first_character.end());
  ASSERT_GE(largest->second.size(), 2u);
  ApiClient broker = As("broker");
  Reply found = broker.Get("/api/v1/customers?limit=" + std::to_string(largest->second.size()) +
                           "&q=" + httplib::detail::encode_query_param(largest->first));
  ASSERT_EQ(found.status, 200) << found.body;
  std::set<std::string> ids;
  for (auto item : found.json["items"].get_array()) ids.insert(Str(item["customer_id"]));
  EXPECT_EQ(ids, largest->second);
  ApiClient research = As("research");
  EXPECT_EQ(research.Get("/api/v1/customers?q=" + httplib::detail::encode_query_param(largest->first)).status, 403);
}

// Finding 3: after an admin disabled a user, changed their role or reset their
// password, the user's session kept working.
TEST_F(SecurityTest, DisablingChangingTheRoleOrResettingThePasswordEndsSessions) {
  ApiClient admin = As("admin");
  ApiClient disabled = NewLogin("victim-disabled", "agent");
  ApiClient by_cookie(demo_->port);
  ASSERT_EQ(by_cookie.Login("victim-disabled", DemoServer::kPassword).status, 200);
  ASSERT_EQ(disabled.Get("/api/v1/auth/me").status, 200);
  ASSERT_EQ(admin.Patch("/api/v1/users/victim-disabled", R"({"disabled":true})").status, 200);
  EXPECT_EQ(disabled.Get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(by_cookie.Get("/api/v1/customers?limit=1").status, 401);

  ApiClient moved = NewLogin("victim-role", "agent");
  ASSERT_EQ(moved.Get("/api/v1/customers?limit=1").status, 200);
  ASSERT_EQ(admin.Patch("/api/v1/users/victim-role", R"({"role":"research_analyst"})").status, 200);
  EXPECT_EQ(moved.Get("/api/v1/customers?limit=1").status, 401);
  ApiClient again = As("victim-role");
  EXPECT_EQ(Str(again.Get("/api/v1/auth/me").json["role"]), "research_analyst");
  EXPECT_EQ(again.Get("/api/v1/customers?limit=1").status, 403);

  ApiClient reset = NewLogin("victim-reset", "agent");
  ASSERT_EQ(admin.Patch("/api/v1/users/victim-reset", R"({"password":"a-brand-new-password"})").status, 200);
  EXPECT_EQ(reset.Get("/api/v1/auth/me").status, 401);
  ApiClient fresh(demo_->port);
  EXPECT_EQ(fresh.Login("victim-reset", "a-brand-new-password").status, 200);
  // Unlocking takes no right away: sessions stay.
  ApiClient kept = NewLogin("victim-unlock", "agent");
  ASSERT_EQ(admin.Patch("/api/v1/users/victim-unlock", R"({"unlock":true})").status, 200);
  EXPECT_EQ(kept.Get("/api/v1/auth/me").status, 200);
  ApiClient compliance = As("compliance");
  Reply audit = compliance.Get("/api/v1/audit?action=user.update&limit=100");
  EXPECT_NE(audit.body.find("victim-disabled disabled (2 sessions ended)"), std::string::npos) << audit.body;
}

// Finding 4: 40 concurrent wrong passwords were all evaluated (40 x 401, no 423).
TEST_F(SecurityTest, TheLockoutHoldsUnderConcurrentGuesses) {
  NewLogin("victim-race", "agent");
  std::atomic<int> unauthorised{0}, locked{0}, other{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 40; ++i) {
    guessers.emplace_back([&, i] {
      ApiClient client(demo_->port);
      Reply reply = client.Login("victim-race", "guess-number-" + std::to_string(i));
      (reply.status == 401 ? unauthorised : reply.status == 423 ? locked : other)++;
    });
  }
  for (std::thread& t : guessers) t.join();
  EXPECT_EQ(unauthorised.load(), 5);
  EXPECT_EQ(locked.load(), 35);
  EXPECT_EQ(other.load(), 0);
  ApiClient client(demo_->port);
  EXPECT_EQ(client.Login("victim-race", DemoServer::kPassword).status, 423);
}

// Login enumeration: an unknown login answers as a known one would, locks included,
// and a disabled login says so only to the right password.
TEST_F(SecurityTest, AnswersDoNotTellWhetherALoginExists) {
  NewLogin("victim-lock-parity", "agent");
  ApiClient client(demo_->port);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.Login("nobody-by-this-name", "wrong-password").status, 401);
    EXPECT_EQ(client.Login("victim-lock-parity", "wrong-password").status, 401);
  }
  Reply unknown = client.Login("nobody-by-this-name", "wrong-password");
  Reply known = client.Login("victim-lock-parity", "wrong-password");
  EXPECT_EQ(unknown.status, 423);
  EXPECT_EQ(known.status, 423);
  EXPECT_EQ(Str(unknown.json["error"]["code"]), Str(known.json["error"]["code"]));
  ApiClient admin = As("admin");
  NewLogin("victim-off", "agent");
  ASSERT_EQ(admin.Patch("/api/v1/users/victim-off", R"({"disabled":true})").status, 200);
  EXPECT_EQ(client.Login("victim-off", "wrong-password").status, 401);
  Reply right = client.Login("victim-off", DemoServer::kPassword);
  EXPECT_EQ(right.status, 403);
  EXPECT_EQ(Str(right.json["error"]["code"]), "login_disabled");
}

// Finding 5: a branch manager's KPI at broker level listed 63 brokers of other
// branches; a broker's dashboard showed the whole brokerage's ladder.
TEST_F(SecurityTest, EveryAnalyticsRouteAnswersInTheCallersScope) {
  std::vector<CustomerListItem> everyone = Everyone();
  // Every answer here must be a 200 with a body (an error body has no items to count).
  auto Ok = [](ApiClient& client, const std::string& path) {
    Reply reply = client.Get(path);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    return reply;
  };
  ApiClient admin = As("admin"), manager = As("manager"), broker = As("broker"), research = As("research");
  std::set<std::string> branch_staff;
  Reply staff = Ok(admin, "/api/v1/staff?branch_id=" + demo_->manager_branch);
  for (auto s : staff.json["items"].get_array()) {
    branch_staff.insert(Str(s["staff_id"]));
  }
  // KPI
  Reply all_brokers = Ok(admin, "/api/v1/analytics/kpi?level=broker");
  Reply manager_brokers = Ok(manager, "/api/v1/analytics/kpi?level=broker");
  ASSERT_EQ(manager_brokers.status, 200);
  EXPECT_GT(all_brokers.json["items"].get_array().size(), manager_brokers.json["items"].get_array().size());
  EXPECT_GE(manager_brokers.json["items"].get_array().size(), 1u);
  for (auto row : manager_brokers.json["items"].get_array()) EXPECT_TRUE(branch_staff.count(Str(row["unit"]))) << Str(row["unit"]);
  Reply manager_branches = Ok(manager, "/api/v1/analytics/kpi?level=branch");
  ASSERT_EQ(manager_branches.json["items"].get_array().size(), 1u);
  EXPECT_EQ(Str(manager_branches.json["items"].at(0)["unit"]), demo_->manager_branch);
  Reply broker_kpi = Ok(broker, "/api/v1/analytics/kpi?level=broker");
  ASSERT_EQ(broker_kpi.json["items"].get_array().size(), 1u);
  EXPECT_EQ(Str(broker_kpi.json["items"].at(0)["unit"]), demo_->broker_staff);
  EXPECT_EQ(Ok(broker, "/api/v1/analytics/kpi?level=branch").json["items"].get_array().size(), 0u);
  EXPECT_EQ(Ok(research, "/api/v1/analytics/kpi?level=broker").json["items"].get_array().size(),
            all_brokers.json["items"].get_array().size());

  // The ladder's latest month counts exactly the scope's customers by their tier.
  auto latest_month = [](const Reply& ladder) {
    std::map<std::string, int64_t> tiers;
    std::string last;
    for (auto row : ladder.json["items"].get_array()) last = std::max(last, Str(row["month_end"]));
    for (auto row : ladder.json["items"].get_array()) {
      if (Str(row["month_end"]) == last) tiers[Str(row["tier"])] += int64_t(row["customers"]);
    }
    return tiers;
  };
  auto expected_tiers = [&](auto in_scope) {
    std::map<std::string, int64_t> tiers;
    for (const CustomerListItem& item : everyone) {
      if (in_scope(item.customer) && !item.tier.empty()) ++tiers[item.tier];
    }
    return tiers;
  };
  Reply broker_ladder = Ok(broker, "/api/v1/analytics/ladder");
  EXPECT_EQ(latest_month(broker_ladder),
            expected_tiers([&](const Customer& c) { return c.broker_id == demo_->broker_staff; }));
  EXPECT_EQ(latest_month(Ok(manager, "/api/v1/analytics/ladder")),
            expected_tiers([&](const Customer& c) { return c.branch_id == demo_->manager_branch; }));
  Reply all_ladder = Ok(admin, "/api/v1/analytics/ladder");
  EXPECT_EQ(latest_month(all_ladder), expected_tiers([](const Customer&) { return true; }));
  EXPECT_EQ(latest_month(Ok(research, "/api/v1/analytics/ladder")), latest_month(all_ladder));
  std::string first = Str(all_ladder.json["items"].at(0)["month_end"]);
  std::string last = Str(all_ladder.json["items"].at(all_ladder.json["items"].get_array().size() - 1)["month_end"]);
  std::string moves = "/api/v1/analytics/ladder/moves?from=" + first + "&to=" + last;
  int64_t broker_customers = 0, manager_customers = 0;
  for (const CustomerListItem& item : everyone) {
    broker_customers += item.customer.broker_id == demo_->broker_staff;
    manager_customers += item.customer.branch_id == demo_->manager_branch;
  }
  EXPECT_LE(Sum(Ok(broker, moves).json["items"], "customers"), broker_customers);
  EXPECT_GT(Sum(Ok(broker, moves).json["items"], "customers"), 0);
  EXPECT_LE(Sum(Ok(manager, moves).json["items"], "customers"), manager_customers);
  EXPECT_GT(Sum(Ok(admin, moves).json["items"], "customers"), manager_customers);

  // Churn distribution and clusters count the scope's customers.
  int64_t broker_scored = Sum(Ok(broker, "/api/v1/analytics/churn/distribution").json["items"], "customers");
  EXPECT_GT(broker_scored, 0);
  EXPECT_LE(broker_scored, broker_customers);
  EXPECT_GT(Sum(Ok(admin, "/api/v1/analytics/churn/distribution").json["items"], "customers"), broker_customers);
  int64_t broker_clustered = Sum(Ok(broker, "/api/v1/analytics/clusters").json["items"], "size");
  EXPECT_GT(broker_clustered, 0);
  EXPECT_LE(broker_clustered, broker_customers);
  EXPECT_LE(Sum(Ok(manager, "/api/v1/analytics/clusters").json["items"], "size"), manager_customers);
  EXPECT_EQ(Sum(Ok(research, "/api/v1/analytics/clusters").json["items"], "size"),
            Sum(Ok(admin, "/api/v1/analytics/clusters").json["items"], "size"));
  // Research analysts read no customer, not even on the at-risk list.
  EXPECT_EQ(Ok(research, "/api/v1/analytics/churn?limit=100").json["items"].get_array().size(), 0u);

  // The cube: a broker's rows are their own; a branch manager's their branch's.
  Reply broker_cube = Ok(broker, "/api/v1/analytics/cube?measures=commission&by=broker");
  ASSERT_EQ(broker_cube.status, 200) << broker_cube.body;
  ASSERT_EQ(broker_cube.json["rows"].get_array().size(), 1u);
  EXPECT_EQ(Str(broker_cube.json["rows"].at(0)["keys"].at(0)), demo_->broker_staff);
  Reply manager_cube = Ok(manager, "/api/v1/analytics/cube?measures=commission&by=branch&where=channel=app");
  ASSERT_EQ(manager_cube.status, 200) << manager_cube.body;
  ASSERT_EQ(manager_cube.json["rows"].get_array().size(), 1u);
  EXPECT_EQ(Str(manager_cube.json["rows"].at(0)["keys"].at(0)), demo_->manager_branch);
  // Naming another branch gives nothing more.
  std::string other_branch;
  for (const CustomerListItem& item : everyone) {
    if (item.customer.branch_id != demo_->manager_branch) other_branch = item.customer.branch_id;
  }
  Reply other = Ok(manager, "/api/v1/analytics/cube?measures=commission&by=branch&where=branch=" + other_branch);
  EXPECT_EQ(other.json["rows"].get_array().size(), 0u) << other.body;
}

// The cube class through the API: every dimension as a group and as a filter with
// every code /api/v1/vocabulary lists for it, plus empty, unknown and malformed values.
TEST_F(SecurityTest, EveryCubeDimensionAndVocabularyCodeAnswers) {
  ApiClient hq = As("hq");
  Reply vocabulary = hq.Get("/api/v1/vocabulary");
  std::map<std::string, std::string> vocabulary_of = {
      {"tier", "value_tier"}, {"risk_level", "risk_level"}, {"channel", "trade_channel"},
      {"product_type", "product_type"}, {"market", "market"}};
  const char* dimensions[] = {"day", "month", "quarter", "year", "branch", "broker", "province",
                              "tier", "cluster", "risk_level", "channel", "product_type", "market", "age_band"};
  for (const char* d : dimensions) {
    Reply grouped = hq.Get(std::string("/api/v1/analytics/cube?measures=commission,trade_count,active_customers&by=") + d);
    ASSERT_EQ(grouped.status, 200) << d << ": " << grouped.body;
    std::vector<std::string> values;
    if (vocabulary_of.count(d)) {
      simdjson::dom::object codes;
      ASSERT_FALSE(vocabulary.json[vocabulary_of[d]].get_object().get(codes)) << d;
      for (auto [code, label] : codes) {
        values.emplace_back(code);
        values.push_back(Str(label));
      }
    } else {
      for (auto row : grouped.json["rows"].get_array()) values.push_back(Str(row["keys"].at(0)));
    }
    ASSERT_FALSE(values.empty()) << d;
    for (const std::string& value : values) {
      for (const char* op : {"=", "!="}) {
        std::string where = httplib::detail::encode_query_param(std::string(d) + op + value);
        Reply filtered = hq.Get("/api/v1/analytics/cube?measures=commission&by=branch&where=" + where);
        EXPECT_EQ(filtered.status, 200) << d << op << value << ": " << filtered.body;
      }
    }
    for (const char* bad : {"=", "=no-such-value", "==x"}) {
      Reply refused = hq.Get("/api/v1/analytics/cube?measures=commission&by=branch&where=" +
                             httplib::detail::encode_query_param(std::string(d) + bad));
      EXPECT_EQ(refused.status, 400) << d << bad << ": " << refused.body;
      EXPECT_EQ(Str(refused.json["error"]["field"]), "where") << d << bad;
    }
  }
  EXPECT_EQ(hq.Get("/api/v1/analytics/cube?where=;;;").status, 200);
  EXPECT_EQ(hq.Get("/api/v1/analytics/cube?where=channel").status, 400);
  EXPECT_EQ(hq.Get("/healthz").status, 200);
}

// Runs SQL on a connection of its own, as a DBA's sqlite3 shell would.
void OutsideSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Waits up to two seconds for `done`, polling.
template <class Done>
bool Eventually(Done done) {
  for (int i = 0; i < 40; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Finding 7: moving a customer to another broker with a direct SQL update left the old
// broker reading the 360 view (200) for as long as was watched.
TEST_F(SecurityTest, DirectSqlChangesReachTheCacheTheFactsAndTheSessions) {
  std::string id;
  for (const CustomerListItem& item : Everyone()) {
    if (item.customer.broker_id == demo_->broker_staff) id = item.customer.customer_id;
  }
  ASSERT_FALSE(id.empty());
  ApiClient broker = As("broker"), broker2 = As("broker2");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(broker.Get("/api/v1/customers/" + id).status, 200);  // cached now
  ASSERT_EQ(broker2.Get("/api/v1/customers/" + id).status, 404);
  OutsideSql(demo_->db, "UPDATE customers SET broker_id = '" + demo_->broker2_staff + "' WHERE customer_id = '" + id + "'");
  EXPECT_TRUE(Eventually([&] { return broker.Get("/api/v1/customers/" + id).status == 404; }))
      << "the old broker still reads the moved customer";
  EXPECT_EQ(broker2.Get("/api/v1/customers/" + id).status, 200);
  // The live facts follow: the cube counts the customer for the new broker.
  std::string by_customer = "/api/v1/analytics/cube?measures=new_customers&by=broker";
  auto count_of = [&](ApiClient& client) {
    Reply cube = client.Get(by_customer);
    return cube.json["rows"].get_array().size() ? int64_t(cube.json["rows"].at(0)["values"].at(0)) : 0;
  };
  int64_t before = count_of(broker2);
  OutsideSql(demo_->db, "UPDATE customers SET broker_id = '" + demo_->broker_staff + "' WHERE customer_id = '" + id + "'");
  EXPECT_TRUE(Eventually([&] { return count_of(broker2) == before - 1; }));
  EXPECT_TRUE(Eventually([&] { return broker.Get("/api/v1/customers/" + id).status == 200; }));
  // A login disabled by direct SQL loses its sessions too.
  ApiClient victim = NewLogin("victim-sql", "agent");
  ASSERT_EQ(victim.Get("/api/v1/auth/me").status, 200);
  OutsideSql(demo_->db, "UPDATE users SET disabled = 1 WHERE login = 'victim-sql'");
  EXPECT_TRUE(Eventually([&] { return victim.Get("/api/v1/auth/me").status == 401; }));
}

// Webhook SSRF: an admin could register http://127.0.0.1:22/ (201).
TEST_F(SecurityTest, WebhooksGoToPublicAddressesOnly) {
  ApiClient admin = As("admin");
  for (const char* url : {"http://127.0.0.1:22/", "http://localhost:8080/hook", "http://169.254.169.254/latest/meta-data",
                          "http://10.1.2.3/hook", "http://172.16.0.9/", "http://192.168.1.1:8443/x", "http://[::1]:22/",
                          "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/",
                          "http://user:pw@example.com/", "ftp://example.com/", "http:///nohost", "http://example.com:99999/"}) {
    Reply refused = admin.Post("/api/v1/webhooks", R"({"url":")" + std::string(url) + R"(","secret":"0123456789abcdef0123"})");
    EXPECT_EQ(refused.status, 422) << url << ": " << refused.body;
    EXPECT_EQ(Str(refused.json["error"]["field"]), "url") << url;
  }
  Reply loopback = admin.Post("/api/v1/webhooks", R"({"url":"http://127.0.0.1:22/","secret":"0123456789abcdef0123"})");
  EXPECT_NE(Str(loopback.json["error"]["message"]).find("loopback"), std::string::npos) << loopback.body;
  EXPECT_EQ(RefusedAddressKind("93.184.216.34"), "");
  EXPECT_EQ(RefusedAddressKind("2606:2800:220:1:248:1893:25c8:1946"), "");
  EXPECT_EQ(RefusedAddressKind("172.32.0.1"), "");  // just outside 172.16/12
  EXPECT_EQ(RefusedAddressKind("169.254.169.254"), "link-local");
  EXPECT_EQ(RefusedAddressKind("fd00::1"), "private");
}

// At delivery the host is resolved and checked again, and the attempt connects to the
// checked address: a subscription stored while its host was allowed (or before this
// check existed) is not delivered to a loopback address.
TEST(WebhookDeliveryTest, DeliveriesToRefusedAddressesAreNotMade) {
  testing::TempDir dir;
  std::string db = dir.File("hooks.db");
  httplib::Server receiver;
  std::atomic<int> received{0};
  receiver.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
    ++received;
    response.status = 204;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  int64_t delivery_id = 0;
  {
    auto store = *OpenStore(db);
    WebhookSubscription hook;
    hook.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
    hook.secret = "0123456789abcdef0123";
    hook.event_types = "churn_risk";
    hook.active = 1;
    hook.created_at = CurrentTime();
    int64_t id = *store->AddWebhook(hook);
    WebhookDelivery delivery;
    delivery.webhook_id = id;
    delivery.payload = "{}";
    delivery.state = "pending";
    delivery.updated_at = delivery.next_attempt_at = CurrentTime();
    auto writer = *store->BeginWrite();
    delivery_id = *writer->Add(delivery);
    ASSERT_TRUE(writer->Commit().ok());
  }
  auto open = [&]() { return OpenStore(db, {.migrate = false, .create = false}); };
  {
    WebhookDispatcher refusing(open, {}, 8, 3600 * 1000);
    ASSERT_TRUE(refusing.RunOnce().ok());
  }
  EXPECT_EQ(received.load(), 0);
  auto store = *OpenStore(db);
  auto deliveries = *store->ListDeliveries(0, 10);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].delivery_id, delivery_id);
  EXPECT_NE(deliveries[0].last_error.find("refused"), std::string::npos) << deliveries[0].last_error;
  EXPECT_NE(deliveries[0].last_error.find("loopback"), std::string::npos) << deliveries[0].last_error;
  {
    // Allowed by the operator: delivered (once its retry is due).
    auto writer = *store->BeginWrite();
    WebhookDelivery due = deliveries[0];
    due.next_attempt_at = CurrentTime();
    ASSERT_TRUE(writer->Put(due).ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  {
    WebhookDispatcher allowing(open, {{"127.0.0.1"}}, 8, 3600 * 1000);
    ASSERT_TRUE(allowing.RunOnce().ok());
  }
  EXPECT_EQ(received.load(), 1);
  receiver.stop();
  serving.join();
}

// Slow clients: 50 connections sending one header line every 2 s stayed open
// indefinitely. Now the header has a deadline, the body another, and one address may
// hold only so many connections; others are still served meanwhile.
TEST(SlowClientTest, SlowHeadersAndBodiesAreCutOffAndOneAddressIsCapped) {
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) {
    options.http.header_timeout_seconds = 1;
    options.http.body_timeout_seconds = 1;
    options.http.idle_timeout_seconds = 3;
    options.http.max_connections_per_address = 20;
  };
  demo.Start(200);
  std::vector<int> slow;
  for (int i = 0; i < 30; ++i) {
    int fd = ConnectFrom("127.0.0.2", demo.port);
    const char* start = "GET /api/v1/customers HTTP/1.1\r\n";
    (void)send(fd, start, std::strlen(start), MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Past the per-address cap of 20, 10 are closed: the newcomers, or (when the server
  // had not yet read their first bytes, so they still counted as idle) older ones shed
  // to make room.
  int refused = 0;
  for (int fd : slow) refused += ClosedByServer(fd);
  EXPECT_EQ(refused, 10) << "connections past the per-address cap of 20";
  // Another address is served while they hang.
  ApiClient other(demo.port);
  EXPECT_EQ(other.Get("/healthz").status, 200);
  // One header line every 400 ms: past the header's deadline of a second, all are closed.
  for (int round = 0; round < 5; ++round) {
    for (int fd : slow) (void)send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  int closed = 0;
  for (int fd : slow) closed += ClosedByServer(fd);
  EXPECT_EQ(closed, 30);
  for (int fd : slow) close(fd);
  // A body sent too slowly is cut off too.
  int body = ConnectFrom("127.0.0.2", demo.port);
  const char* header = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000\r\n\r\n{";
  ASSERT_GT(send(body, header, std::strlen(header), MSG_NOSIGNAL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_TRUE(ClosedByServer(body));
  close(body);
  // The address may connect again once its connections are gone, and the refusals
  // are counted.
  ApiClient admin = demo.As("admin");
  std::string metrics = admin.Get("/metrics").body;
  auto counter = [&](const std::string& name) {
    size_t at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::atoll(metrics.c_str() + at + name.size() + 2);
  };
  EXPECT_EQ(counter("fincrm_http_connections_refused_total") + counter("fincrm_http_connections_shed_total"), 10)
      << metrics;
  int again = ConnectFrom("127.0.0.2", demo.port);
  const char* request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  (void)send(again, request, std::strlen(request), MSG_NOSIGNAL);
  char reply[16] = {};
  timeval wait{2, 0};
  setsockopt(again, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  EXPECT_GT(recv(again, reply, sizeof reply - 1, 0), 0);
  EXPECT_EQ(std::string(reply).substr(0, 12), "HTTP/1.1 200");
  close(again);
  demo.Stop();
}

// What held against the probe, kept so: paths out of --web-root are refused; the
// per-object routes refuse other people's customers' tasks; webhooks and users are
// the admin's; logout ends the bearer token and the cookie alike.
TEST(WhatHeldTest, WebRootTraversalPerObjectRoutesAndLogout) {
  DemoServer demo;
  std::string root = demo.dir.File("web");
  std::filesystem::create_directories(root);
  {
    std::FILE* index = std::fopen((root + "/index.html").c_str(), "w");
    std::fputs("<!doctype html><title>FinCRM</title>", index);
    std::fclose(index);
    std::FILE* secret = std::fopen(demo.dir.File("secret.txt").c_str(), "w");
    std::fputs("not for the web", secret);
    std::fclose(secret);
  }
  demo.adjust = [&](ApiServerOptions& options) { options.web_root = root; };
  demo.Start(200);
  ApiClient anonymous(demo.port);
  EXPECT_EQ(anonymous.Get("/index.html").status, 200);
  for (const char* path : {"/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt",
                           "/..%5csecret.txt", "/%2e%2e%2f%2e%2e%2fetc/passwd"}) {
    Reply reply = anonymous.Get(path);
    EXPECT_EQ(reply.body.find("not for the web"), std::string::npos) << path;
    EXPECT_NE(reply.status, 200) << path;
  }
  // Per-object routes: a broker's request for another broker's customer's tasks.
  std::string foreign;
  for (const CustomerListItem& item : EveryCustomer(demo.db)) {
    if (item.customer.broker_id != demo.broker_staff) foreign = item.customer.customer_id;
  }
  ApiClient broker = demo.As("broker");
  EXPECT_EQ(broker.Get("/api/v1/customers/" + foreign + "/tasks").status, 404);
  EXPECT_EQ(broker.Get("/api/v1/customers/" + foreign + "/accounts").status, 404);
  Reply tasks = broker.Get("/api/v1/tasks?assignee_staff_id=" + demo.broker2_staff);
  for (auto task : tasks.json["items"].get_array()) EXPECT_EQ(Str(task["assignee_staff_id"]), demo.broker_staff);
  ApiClient agent = demo.As("agent");
  EXPECT_EQ(agent.Get("/api/v1/webhooks").status, 403);
  EXPECT_EQ(agent.Get("/api/v1/webhooks/deliveries").status, 403);
  EXPECT_EQ(agent.Get("/api/v1/users").status, 403);
  // Logout ends the session for its bearer token and its cookie.
  ApiClient login(demo.port);
  std::string token = Str(login.Login("admin", DemoServer::kPassword).json["token"]);
  ApiClient by_cookie(demo.port);
  httplib::Headers cookie = {{"Cookie", "fincrm_session=" + token}};
  ASSERT_EQ(by_cookie.Get("/api/v1/auth/me", cookie).status, 200);
  EXPECT_EQ(login.Post("/api/v1/auth/logout", "").status, 200);
  EXPECT_EQ(login.Get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(by_cookie.Get("/api/v1/auth/me", cookie).status, 401);
  demo.Stop();
}

// CSRF: a cookie-signed PATCH with a form body was accepted (200).
TEST_F(SecurityTest, CrossSiteWritesAreRefused) {
  ApiClient admin = As("admin");
  std::string id = Everyone().front().customer.customer_id;
  ApiClient login(demo_->port);
  Reply signed_in = login.Login("admin", DemoServer::kPassword);
  std::string token = Str(signed_in.json["token"]);
  ApiClient browser(demo_->port);  // no bearer token: the cookie only
  httplib::Headers cookie = {{"Cookie", "fincrm_session=" + token}};
  std::string self = "http://127.0.0.1:" + std::to_string(demo_->port);
  auto with = [&](httplib::Headers extra) {
    extra.insert(cookie.begin(), cookie.end());
    return extra;
  };
  Reply form = browser.Patch("/api/v1/customers/" + id, "occupation=x", "application/x-www-form-urlencoded",
                             with({{"Origin", self}}));
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(Str(form.json["error"]["code"]), "unsupported_media_type");
  EXPECT_EQ(browser.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})", "text/plain", with({{"Origin", self}})).status, 415);
  Reply evil = browser.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})", "application/json",
                             with({{"Origin", "https://evil.example"}}));
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(Str(evil.json["error"]["code"]), "cross_origin");
  EXPECT_EQ(browser.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})", "application/json", with({})).status, 403);
  EXPECT_EQ(browser.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})", "application/json",
                          with({{"Origin", "null"}})).status, 403);
  EXPECT_EQ(browser.Patch("/api/v1/customers/" + id, R"({"occupation":"工程师"})", "application/json; charset=utf-8",
                          with({{"Origin", self}})).status, 200);
  EXPECT_EQ(browser.Patch("/api/v1/customers/" + id, R"({"occupation":"工程师"})", "application/json",
                          with({{"Origin", "https://crm.example.com"}})).status, 200);  // --allowed-origin
  // Reads by cookie need no Origin; bearer-signed writes (scripts) need none either.
  EXPECT_EQ(browser.Get("/api/v1/customers/" + id, cookie).status, 200);
  EXPECT_EQ(admin.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})").status, 200);
  EXPECT_EQ(admin.Patch("/api/v1/customers/" + id, R"({"occupation":"x"})", "application/x-www-form-urlencoded").status, 415);
  // Sign-in takes JSON only, and not from another site's page.
  ApiClient anonymous(demo_->port);
  EXPECT_EQ(anonymous.Post("/api/v1/auth/login", R"({"login":"admin","password":"x"})", "text/plain").status, 415);
  EXPECT_EQ(anonymous.Post("/api/v1/auth/login", R"({"login":"admin","password":"x"})", "application/json",
                           {{"Origin", "https://evil.example"}}).status, 403);
}

}  // namespace
}  // namespace fincrm::testing
