// The findings of the second outside probe (issue 19), each as the request that worked
// against a real server: files next to the web root, the sign-in limit behind a proxy,
// research analysts and customers, tasks of a moved customer, profile changes by an
// integration key, impossible trades, formulas in exports, and export files on disk.
// (The connection and body limits are tested on the server process itself, in
// tests/cli/http_limits_test.py.)
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_test_support.h"
#include "api/scratch_directory.h"
#include "api/web_console_assets.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// "GET .db" (a target without its leading '/') was joined onto the root's name and
// served "<root>.db"; a symbolic link inside the root reached outside it.
TEST(WebRootTest, RawRequestTargetsStayInsideTheRoot) {
  DemoServer demo;
  std::string root = demo.dir.File("web");
  std::filesystem::create_directories(root + "/assets");
  WriteFile(root + "/index.html", "<!doctype html><title>FinCRM</title>");
  WriteFile(root + "/assets/app.js", "console.log(1)");
  WriteFile(demo.dir.File("web.db"), "SECRET-DATABASE");
  WriteFile(demo.dir.File("secret.txt"), "SECRET-TEXT");
  std::filesystem::create_symlink(demo.dir.File("secret.txt"), root + "/link.txt");
  demo.adjust = [&](ApiServerOptions& options) { options.web_root = root; };
  demo.Start(100);
  auto get = [&](const std::string& target) {
    return RawExchange(demo.port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  };
  EXPECT_EQ(get("/assets/app.js").substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(get("/customers/C00000001").substr(0, 12), "HTTP/1.1 200") << "client-side routes get the console";
  for (const char* target : {".db", "web.db", "../secret.txt", "./secret.txt", "*", "http://x/../secret.txt"}) {
    std::string answer = get(target);
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 400") << target << ": " << answer;
    EXPECT_EQ(answer.find("SECRET"), std::string::npos) << target;
  }
  for (const char* target : {"/link.txt", "/../web.db", "/%2e%2e/web.db", "/assets/../../secret.txt", "/..\\secret.txt",
                             "/%5c..%5csecret.txt", "/assets/%00.js", "/./index.html"}) {
    std::string answer = get(target);
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 404") << target << ": " << answer;
    EXPECT_EQ(answer.find("SECRET"), std::string::npos) << target;
  }
  demo.Stop();
}

// `fincrm serve` with no --web-root serves the console built into the binary, and says
// how to build it when this binary was built without one.
TEST(WebRootTest, WithoutARootTheBuiltInConsoleIsServed) {
  DemoServer demo;
  demo.Start(100);
  ApiClient client(demo.port);
  auto page = client.Get("/");
  auto client_route = client.Get("/customers/C00000001");
  if (EmbeddedWebAssetCount() > 0) {
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<!doctype html>"), std::string::npos);
    EXPECT_EQ(client_route.status, 200) << "client-side routes get the console";
    const WebAsset* index = FindEmbeddedWebAsset("/index.html");
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(page.body, index->content);
    EXPECT_EQ(index->sha256.size(), 64u);
  } else {
    EXPECT_EQ(page.status, 404);
    EXPECT_NE(page.body.find("scripts/build-web.sh"), std::string::npos) << page.body;
  }
  EXPECT_EQ(client.Get("/assets/no-such-file.js").status, 404);
  EXPECT_EQ(client.Get("/api/v1/no-such-route").status, 404);
  demo.Stop();
}

// The console asks at start-up whether its session is still good: 200 either way, so
// the browser logs no error before anyone has signed in.
TEST(SessionRouteTest, AnswersWhetherSignedInWithoutA401) {
  DemoServer demo;
  demo.Start(100);
  ApiClient client(demo.port);
  auto anonymous = client.Get("/api/v1/auth/session");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.body, "{\"signed_in\":false}");
  ASSERT_EQ(client.Login("broker", DemoServer::kPassword).status, 200);
  auto signed_in = client.Get("/api/v1/auth/session");
  EXPECT_EQ(signed_in.status, 200);
  EXPECT_NE(signed_in.body.find("\"signed_in\":true"), std::string::npos);
  EXPECT_NE(signed_in.body.find("\"staff_id\":\"" + demo.broker_staff + "\""), std::string::npos) << signed_in.body;
  EXPECT_EQ(signed_in.body.substr(signed_in.body.find("\"me\":") + 5, client.Get("/api/v1/auth/me").body.size()),
            client.Get("/api/v1/auth/me").body)
      << "the same principal as /auth/me";
  ApiClient forged(demo.port);
  forged.set_token("not-a-session-token");
  EXPECT_EQ(forged.Get("/api/v1/auth/session").body, "{\"signed_in\":false}");
  demo.Stop();
}

// Behind the documented TLS proxy every user shared one sign-in bucket (the proxy's
// address). A trusted proxy's X-Forwarded-For names the client; anyone else's header
// is ignored, and a client cannot escape its bucket by writing the header itself.
TEST(TrustedProxyTest, SignInLimitsAndAuditFollowTheForwardedClient) {
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) {
    options.http.trusted_proxies = {"127.0.0.1"};
    options.sessions.attempts_per_minute_per_address = 3;
  };
  demo.Start(100);
  ApiClient proxy(demo.port);
  auto attempt = [&](const std::string& forwarded, const std::string& login) {
    return proxy.Post("/api/v1/auth/login", "{\"login\":\"" + login + "\",\"password\":\"wrong-password\"}",
                      "application/json", {{"X-Forwarded-For", forwarded}}).status;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("10.1.1.1", "nobody" + std::to_string(i)), 401);
  EXPECT_EQ(attempt("10.1.1.1", "nobody9"), 429) << "the forwarded client's own bucket is spent";
  EXPECT_EQ(attempt("10.1.1.2", "nobody10"), 401) << "another client behind the same proxy is not limited";
  EXPECT_EQ(attempt("10.9.9.9, 10.1.1.1", "nobody11"), 429) << "an address the client prepended is not believed";
  EXPECT_EQ(attempt("not-an-address, 10.1.1.2", "nobody12"), 401);
  // From an address that is no trusted proxy the header means nothing.
  auto untrusted = [&](int i) {
    std::string body = "{\"login\":\"other" + std::to_string(i) + "\",\"password\":\"wrong-password\"}";
    return RawExchange(demo.port,
                       "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                       "application/json\r\nX-Forwarded-For: 10.7.7." + std::to_string(i) +
                           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                       "127.0.0.3")
        .substr(0, 12);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(untrusted(i), "HTTP/1.1 401");
  EXPECT_EQ(untrusted(3), "HTTP/1.1 429");
  // The audit trail records the client, not the proxy.
  ApiClient admin(demo.port);
  Reply signed_in = admin.Post("/api/v1/auth/login",
                               std::string("{\"login\":\"admin\",\"password\":\"") + DemoServer::kPassword + "\"}",
                               "application/json", {{"X-Forwarded-For", "10.1.1.5"}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  admin.set_token(Str(signed_in.json["token"]));
  Reply audit = admin.Get("/api/v1/audit?action=auth.login&limit=10");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::set<std::string> sources;
  for (auto entry : audit.json["items"].get_array()) sources.insert(Str(entry["source"]));
  EXPECT_TRUE(sources.count("10.1.1.5")) << audit.body;
  EXPECT_FALSE(sources.count("127.0.0.1")) << audit.body;
  demo.Stop();
}

class HardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_ = new DemoServer;
    demo_->Start(300, [](Store& store) {
      // An open follow-up task for each broker's first customer.
      CustomerQuery all;
      all.limit = 100000;
      auto everyone = store.ListCustomers(all);
      ASSERT_TRUE(everyone.ok());
      auto writer = *store.BeginWrite();
      std::set<std::string> done;
      for (const CustomerListItem& item : *everyone) {
        const Customer& c = item.customer;
        if (c.broker_id.empty() || !done.insert(c.broker_id).second) continue;
        FollowUpTask task{0, c.customer_id, c.broker_id, c.branch_id, "回访 " + c.name, "open", CurrentTime(),
                          ShanghaiDate(CurrentTime()), 0};
        ASSERT_TRUE(writer->Add(task).ok());
      }
      ASSERT_TRUE(writer->Commit().ok());
    });
  }
  static void TearDownTestSuite() {
    demo_->Stop();
    delete demo_;
    demo_ = nullptr;
  }
  ApiClient As(const std::string& login) { return demo_->As(login); }
  static DemoServer* demo_;
};
DemoServer* HardeningTest::demo_ = nullptr;

// docs/api.md says research analysts see no customers: every analytics route answers
// them with aggregates only, whichever branch they name (a loop over the branches once
// listed 15,757 customers with their personal data).
TEST_F(HardeningTest, ResearchAnalystsGetAggregatesOnlyWhateverTheyName) {
  ApiClient admin = As("admin"), research = As("research");
  Reply branches = admin.Get("/api/v1/branches");
  ASSERT_EQ(branches.status, 200);
  int named = 0;
  for (auto branch : branches.json["items"].get_array()) {
    std::string id = Str(branch["branch_id"]);
    for (std::string path : {"/api/v1/analytics/churn?limit=1000&branch_id=" + id,
                             "/api/v1/analytics/churn?min_churn_risk=0&branch_id=" + id,
                             "/api/v1/alerts?limit=500&customer_id=&branch_id=" + id}) {
      Reply reply = research.Get(path);
      ASSERT_EQ(reply.status, 200) << path << ": " << reply.body;
      EXPECT_EQ(reply.json["items"].get_array().size(), 0u) << path;
      EXPECT_EQ(reply.body.find("\"name\""), std::string::npos) << path;
    }
    ++named;
  }
  EXPECT_GT(named, 0);
  for (const char* path : {"/api/v1/customers", "/api/v1/tasks", "/api/v1/customers/C00000001",
                           "/api/v1/customers/export", "/api/v1/customers/C00000001/timeline"}) {
    EXPECT_EQ(research.Get(path).status, 403) << path;
  }
  EXPECT_EQ(research.Get("/api/v1/alerts?customer_id=C00000001").status, 404);
  // Aggregates stay theirs.
  Reply cube = research.Get("/api/v1/analytics/cube?measures=commission&by=branch");
  ASSERT_EQ(cube.status, 200);
  EXPECT_GT(cube.json["rows"].get_array().size(), 0u);
}

// A broker kept seeing the tasks, with the customer's name, of a customer moved to
// another broker. Now the scope is the customer's current broker, and open tasks
// move with the customer.
TEST_F(HardeningTest, TasksFollowAMovedCustomer) {
  ApiClient admin = As("admin"), broker = As("broker"), broker2 = As("broker2");
  auto task_customers = [](ApiClient& client) {
    std::set<std::string> customers;
    Reply tasks = client.Get("/api/v1/tasks?limit=1000");
    EXPECT_EQ(tasks.status, 200) << tasks.body;
    for (auto task : tasks.json["items"].get_array()) customers.insert(Str(task["customer_id"]));
    return customers;
  };
  std::set<std::string> before = task_customers(broker);
  ASSERT_FALSE(before.empty());
  std::string moved = *before.begin();
  Reply patched = admin.Patch("/api/v1/customers/" + moved, "{\"broker_id\":\"" + demo_->broker2_staff + "\"}");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(task_customers(broker).count(moved), 0u) << "the old broker no longer sees the task";
  EXPECT_EQ(broker.Get("/api/v1/customers/" + moved + "/tasks").status, 404);
  EXPECT_EQ(task_customers(broker2).count(moved), 1u) << "the new broker does";
  Reply tasks = broker2.Get("/api/v1/customers/" + moved + "/tasks");
  ASSERT_EQ(tasks.status, 200);
  for (auto task : tasks.json["items"].get_array()) {
    if (Str(task["status"]) == "open") EXPECT_EQ(Str(task["assignee_staff_id"]), demo_->broker2_staff);
  }
  // And back, so that the suite's other tests see the demo as it was.
  ASSERT_EQ(admin.Patch("/api/v1/customers/" + moved, "{\"broker_id\":\"" + demo_->broker_staff + "\"}").status, 200);
  EXPECT_EQ(task_customers(broker).count(moved), 1u);
}

// Profile changes posted with an API key were audited as a batch count only.
TEST_F(HardeningTest, ProfileChangesByAnIntegrationKeyAreAuditedPerCustomer) {
  ApiClient feed(demo_->port);
  std::string body = R"([{"event_id":"h19-profile-1","type":"customer_profile","data":{"customer_id":"C00000011",
      "occupation":"engineer","address":"上海市浦东新区世纪大道 100 号"}}])";
  Reply posted = feed.Post("/api/v1/events", body, "application/json", {{"X-API-Key", demo_->api_key}});
  ASSERT_EQ(posted.status, 200) << posted.body;
  ASSERT_EQ(int64_t(posted.json["accepted"]), 1) << posted.body;
  ApiClient compliance = As("compliance");
  bool found = false;
  for (int attempt = 0; attempt < 100 && !found; ++attempt) {
    Reply audit = compliance.Get("/api/v1/audit?action=customer.update&customer_id=C00000011");
    ASSERT_EQ(audit.status, 200) << audit.body;
    for (auto entry : audit.json["items"].get_array()) {
      if (Str(entry["actor"]) != "apikey:testkey") continue;
      EXPECT_EQ(Str(entry["detail"]), "fields=occupation,address event=h19-profile-1");
      found = true;
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // applied with the journal
  }
  EXPECT_TRUE(found);
}

// Trades whose amounts do not fit quantity × price, absurd commissions and times in
// 1900 or 2099 were accepted. Each is rejected on its own; the valid ones are kept.
TEST_F(HardeningTest, ImpossibleTradesAreRejectedOneByOne) {
  ApiClient admin = As("admin");
  std::string customer = "C00000012";
  Reply view = admin.Get("/api/v1/customers/" + customer);
  ASSERT_EQ(view.status, 200);
  std::string account = Str(view.json["accounts"].at(0)["account_id"]);
  auto trade = [&](const std::string& id, const std::string& time, const std::string& amount,
                   const std::string& commission) {
    return R"({"event_id":"h19-)" + id + R"(","type":"trade","data":{"trade_id":"T-H19-)" + id +
           R"(","customer_id":")" + customer + R"(","account_id":")" + account + R"(","trade_time":")" + time +
           R"(","market":"SH","symbol":"600000","product_type":"stock","side":"buy","quantity":100,"price":10.5,"amount":)" +
           amount + R"(,"commission":)" + commission + R"(,"channel":"app"}})";
  };
  std::string body = "[" + trade("ok", "2026-11-20T09:31:00", "1050", "5") + "," +
                     trade("amount", "2026-11-20T09:32:00", "1050000000", "5") + "," +
                     trade("commission", "2026-11-20T09:33:00", "1050", "900") + "," +
                     trade("1900", "1900-01-02T09:31:00", "1050", "5") + "," +
                     trade("2099", "2099-01-02T09:31:00", "1050", "5") + "]";
  Reply posted = admin.Post("/api/v1/events", body);
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(int64_t(posted.json["accepted"]), 1);
  EXPECT_EQ(int64_t(posted.json["rejected"]), 4);
  std::vector<std::string> fields;
  for (auto result : posted.json["results"].get_array()) {
    fields.push_back(Str(result["status"]) == "rejected" ? Str(result["field"]) : Str(result["status"]));
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"accepted", "data.amount", "data.commission", "data.trade_time", "data.trade_time"}));
  Reply trades = admin.Get("/api/v1/customers/" + customer + "/trades?limit=1000");
  ASSERT_EQ(trades.status, 200);
  std::set<std::string> ids;
  for (auto t : trades.json["items"].get_array()) ids.insert(Str(t["trade_id"]));
  EXPECT_TRUE(ids.count("T-H19-ok"));
  EXPECT_FALSE(ids.count("T-H19-amount"));
}

// Cells beginning with = + - @ ran as formulas when an export was opened in a spreadsheet.
TEST_F(HardeningTest, ExportedCellsDoNotRunAsFormulas) {
  ApiClient admin = As("admin");
  std::string customer = "C00000013";
  std::string formula = "=HYPERLINK(\\\"http://evil.example/\\\",\\\"点击\\\")";
  Reply patched = admin.Patch("/api/v1/customers/" + customer, "{\"address\":\"" + formula + "\",\"occupation\":\"@SUM(1)\"}");
  ASSERT_EQ(patched.status, 200) << patched.body;
  Reply csv = admin.Get("/api/v1/customers/export?format=csv");
  ASSERT_EQ(csv.status, 200);
  std::string line;
  std::istringstream lines(csv.body);
  while (std::getline(lines, line) && line.find(customer) == std::string::npos) {
  }
  ASSERT_NE(line.find(customer), std::string::npos);
  EXPECT_NE(line.find("\"'=HYPERLINK("), std::string::npos) << line;
  EXPECT_NE(line.find(",'@SUM(1),"), std::string::npos) << line;
  EXPECT_EQ(line.find(",=") , std::string::npos) << line;
  EXPECT_EQ(line.find(",@"), std::string::npos) << line;
}

// Export files were created world-readable in the shared temporary folder and left
// there when the process died.
TEST(ScratchDirectoryTest, PrivateFilesRemovedHoweverTheirRequestEnds) {
  TempDir parent;
  // A scratch directory of a process that died without removing it.
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  std::string abandoned = parent.File("fincrm-scratch-" + std::to_string(child) + "-abcdef");
  std::filesystem::create_directories(abandoned);
  WriteFile(abandoned + "/export.csv", "personal data");
  std::string alive = parent.File("fincrm-scratch-" + std::to_string(getpid()) + "-zzzzzz");
  std::filesystem::create_directories(alive);

  auto scratch = ScratchDirectory::Create(std::filesystem::path(parent.File("x")).parent_path());
  ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(abandoned)) << "a dead process's scratch directory is removed";
  EXPECT_TRUE(std::filesystem::exists(alive)) << "a live process's is not";
  struct stat info {};
  ASSERT_EQ(stat((*scratch)->path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  std::filesystem::path file;
  {
    auto made = (*scratch)->NewFile(".csv");
    ASSERT_TRUE(made.ok());
    file = (*made)->path();
    ASSERT_EQ(stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(file.parent_path(), (*scratch)->path());
    WriteFile(file.string(), "rows");  // the exporter reopens it: the mode stays
    ASSERT_EQ(stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
  }
  EXPECT_FALSE(std::filesystem::exists(file)) << "removed when its holder ends";
  std::filesystem::path directory = (*scratch)->path();
  scratch->reset();
  EXPECT_FALSE(std::filesystem::exists(directory));
}

}  // namespace
}  // namespace fincrm::testing
