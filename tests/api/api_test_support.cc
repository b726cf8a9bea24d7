#include "api/api_test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "analytics/analysis_pipeline.h"
#include "api/password_hasher.h"
#include "api/sessions.h"
#include "ingest/demo_data_generator.h"
#include "ingest/row_sink.h"
#include "storage/open_store.h"

namespace fincrm::testing {

std::string Str(simdjson::dom::element e) {
  std::string_view v;
  if (e.get_string().get(v)) return "<not a string>";
  return std::string(v);
}

std::vector<std::vector<std::string>> QueryRows(const std::string& db_path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db) << "\n" << sql;
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      const unsigned char* text = sqlite3_column_text(s, c);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

std::string QueryFirst(const std::string& db_path, const std::string& sql) {
  auto rows = QueryRows(db_path, sql);
  return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

int ConnectFrom(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source, &local.sin_addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server), 0);
  return fd;
}

bool ClosedByServer(int fd) {
  char byte;
  ssize_t n = recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

std::string RawExchange(int port, const std::string& raw, const char* source) {
  int fd = ConnectFrom(source, port);
  timeval wait{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  (void)send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<size_t>(n));
  close(fd);
  return answer;
}

namespace {
Reply Wrap(const httplib::Result& result) {
  Reply reply;
  if (!result) {
    reply.status = -1;
    reply.body = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  reply.headers = result->headers;
  reply.parser = std::make_shared<simdjson::dom::parser>();
  auto parsed = reply.parser->parse(reply.body);
  if (!parsed.error()) reply.json = parsed.value();
  return reply;
}
}  // namespace

httplib::Headers ApiClient::With(const httplib::Headers& extra) const {
  httplib::Headers headers = extra;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  return headers;
}

Reply ApiClient::Get(const std::string& path, const httplib::Headers& extra) {
  return Wrap(client_.Get(path, With(extra)));
}

Reply ApiClient::Post(const std::string& path, const std::string& body, const std::string& type,
                      const httplib::Headers& extra) {
  return Wrap(client_.Post(path, With(extra), body, type));
}

Reply ApiClient::Patch(const std::string& path, const std::string& body, const std::string& type,
                       const httplib::Headers& extra) {
  return Wrap(client_.Patch(path, With(extra), body, type.c_str()));
}

Reply ApiClient::Put(const std::string& path, const std::string& body, const std::string& type,
                     const httplib::Headers& extra) {
  return Wrap(client_.Put(path, With(extra), body, type.c_str()));
}

Reply ApiClient::Login(const std::string& login, const std::string& password) {
  Reply reply = Post("/api/v1/auth/login", "{\"login\":\"" + login + "\",\"password\":\"" + password + "\"}");
  if (reply.status == 200) token_ = std::string(std::string_view(reply.json["token"]));
  return reply;
}

void DemoServer::Start(int customers, const std::function<void(Store&)>& before_start) {
  db = dir.File("api.db");
  {
    auto store = OpenStore(db);
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto sink = StoreSink(**store);
    DemoDataOptions options;
    options.customers = customers;
    ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
    AnalysisOptions analysis;
    analysis.clusters = 4;
    auto summary = RunAnalysis(**store, analysis);
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    // Two brokers with customers, and a branch.
    auto brokers = (*store)->ListCustomers({});
    ASSERT_TRUE(brokers.ok());
    CustomerQuery all;
    all.limit = 100000;
    auto everyone = (*store)->ListCustomers(all);
    ASSERT_TRUE(everyone.ok());
    for (const CustomerListItem& item : *everyone) {
      const std::string& broker = item.customer.broker_id;
      if (broker.empty()) continue;
      if (broker_staff.empty()) broker_staff = broker;
      else if (broker2_staff.empty() && broker != broker_staff) broker2_staff = broker;
    }
    manager_branch = everyone->front().customer.branch_id;
    auto hash = HashPassword(kPassword);
    ASSERT_TRUE(hash.ok());
    auto add = [&](std::string login, UserRole role, std::string branch, std::string staff) {
      StaffUser user{std::move(login), role, std::move(branch), std::move(staff), *hash, 0, 0, {}, CurrentTime()};
      ASSERT_TRUE((*store)->AddUser(user).ok()) << user.login;
    };
    add("admin", UserRole::kAdmin, "", "");
    add("hq", UserRole::kHqAnalyst, "", "");
    add("manager", UserRole::kBranchManager, manager_branch, "");
    add("broker", UserRole::kBroker, "", broker_staff);
    add("broker2", UserRole::kBroker, "", broker2_staff);
    add("agent", UserRole::kAgent, "", "");
    add("compliance", UserRole::kCompliance, "", "");
    add("research", UserRole::kResearchAnalyst, "", "");
    add("locky", UserRole::kAgent, "", "");
    api_key = "fk_testkey_" + RandomToken(16);
    ASSERT_TRUE((*store)->AddApiKey({"testkey", "test feed", Sha256Hex(api_key), "events:write", 0, CurrentTime()}).ok());
    if (before_start) before_start(**store);
  }
  StartServer();
}

void DemoServer::StartServer() {
  ApiServerOptions options;
  options.ingest = ingest;
  options.db_path = db;
  options.http.port = 0;
  options.http.max_body_bytes = 1 << 20;
  options.live.rescore_seconds = 3600;  // tests rescore explicitly
  options.live.churn_threshold = 0.5;
  options.sessions.attempts_per_minute_per_address = 100000;  // SessionRateLimit tests the limit itself
  options.scheduler = false;  // tests run jobs explicitly (the scheduler's own tests turn it on)
  if (adjust) adjust(options);
  server = std::make_unique<ApiServer>(options, modules ? modules() : DefaultServiceModules());
  Status started = server->Start();
  ASSERT_TRUE(started.ok()) << started.message();
  port = server->port();
  for (int i = 0; i < 600 && !server->live().ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(server->live().ready()) << server->live().state();
}

ApiClient DemoServer::As(const std::string& login) const {
  ApiClient client(port);
  Reply reply = client.Login(login, kPassword);
  EXPECT_EQ(reply.status, 200) << login << ": " << reply.body;
  return client;
}

std::vector<std::string> DemoServer::AllListed(ApiClient& client, const std::string& filter) const {
  std::vector<std::string> ids;
  std::string after;
  for (int page = 0; page < 1000; ++page) {
    Reply reply = client.Get("/api/v1/customers?limit=200" + filter + (after.empty() ? "" : "&after=" + after));
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) break;
    for (auto item : reply.json["items"].get_array()) ids.push_back(Str(item["customer_id"]));
    if (reply.json["next_after"].is_null()) break;
    after = Str(reply.json["next_after"]);
  }
  return ids;
}

void DemoServer::Stop() {
  if (server) server->Stop();
  server.reset();
}

}  // namespace fincrm::testing
