// Fuzzes the API's router and every route behind it, in-process through the same gate
// as the network (ApiServer::Serve): arbitrary methods, request targets (paths and
// query strings, percent-encoded or not), content types, origins, callers and bodies,
// over a small analysed demo brokerage with a login of each role.
//
// Input: byte 0 picks the caller (anonymous — or, with bit 3 set, the first customer's
// investor login — admin by bearer or by cookie, broker, branch manager, agent,
// research analyst, the integration key); byte 1 the method,
// the content type and the Origin; then the request target up to the first newline;
// the rest is the body. Seeds (corpus/router) hold a valid request for every route.
//
// Besides "no crash, no sanitizer report", every answer must be a status of 200-499
// or 503 (a 500 means a handler failed on input it should have refused), and a JSON
// answer must parse.
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "analytics/analysis_pipeline.h"
#include "api/api_server.h"
#include "api/password_hasher.h"
#include "api/sessions.h"
#include "ingest/demo_data_generator.h"
#include "ingest/row_sink.h"
#include "storage/open_store.h"

namespace {

using namespace fincrm;

constexpr const char* kPassword = "fuzz-password-1";

struct Caller {
  const char* login;
  UserRole role;
  std::string token;
};

class Harness {
 public:
  Harness() {
    dir_ = std::filesystem::temp_directory_path() / ("fincrm-router-fuzz-" + RandomToken(6));
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "fuzz.db").string();
    auto store = OpenStore(db_);
    if (!store.ok()) Die(store.status().message());
    auto sink = StoreSink(**store);
    DemoDataOptions demo;
    demo.customers = 40;
    demo.months = 6;
    if (!GenerateDemoData(demo, *sink).ok()) Die("demo data");
    AnalysisOptions analysis;
    analysis.clusters = 3;
    if (!RunAnalysis(**store, analysis).ok()) Die("analysis");
    CustomerQuery first;
    first.limit = 1;
    auto customers = (*store)->ListCustomers(first);
    if (!customers.ok() || customers->empty()) Die("no customer");
    const Customer& customer = customers->front().customer;
    auto hash = HashPassword(kPassword);
    if (!hash.ok()) Die("hash");
    for (Caller& caller : callers_) {
      StaffUser user{caller.login, caller.role, "", "", *hash, 0, 0, {}, CurrentTime()};
      if (caller.role == UserRole::kBranchManager) user.branch_id = customer.branch_id;
      if (caller.role == UserRole::kBroker) user.staff_id = customer.broker_id;
      if (!(*store)->AddUser(user).ok()) Die("user");
      users_.push_back(user);
    }
    // The first customer's portal login: the investor's routes see their own data.
    investor_id_ = customer.customer_id;
    StaffUser investor{std::string(kInvestorLoginPrefix) + investor_id_, UserRole::kInvestor, "", "", *hash, 0, 0, {}, CurrentTime()};
    if (!(*store)->AddUser(investor).ok()) Die("investor");
    users_.push_back(investor);
    api_key_ = "fk_fuzzkey_" + RandomToken(16);
    if (!(*store)->AddApiKey({"fuzzkey", "fuzz feed", Sha256Hex(api_key_), "events:write cti sms", 0, CurrentTime()}).ok()) {
      Die("api key");
    }
    store->reset();
    ApiServerOptions options;
    options.db_path = db_;
    options.http.port = 0;
    options.webhooks = false;
    options.scheduler = false;  // no background jobs between inputs
    options.live.rescore_seconds = 3600;
    options.sessions.attempts_per_minute_per_address = 1000000;
    server_ = std::make_unique<ApiServer>(options);
    if (!server_->Start().ok()) Die("start");
    for (int i = 0; i < 1200 && !server_->live().ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    SignIn(true);
  }

  void Run(const uint8_t* data, size_t size) {
    if (size < 2) return;
    static constexpr std::array<const char*, 8> kMethods = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "get"};
    static constexpr std::array<const char*, 6> kTypes = {"application/json", "application/x-ndjson", "",
                                                          "application/x-www-form-urlencoded", "text/plain",
                                                          "application/json; charset=utf-8"};
    HttpRequest request;
    request.method = kMethods[data[1] & 7];
    request.content_type = kTypes[(data[1] >> 3) % kTypes.size()];
    switch (data[1] >> 6) {
      case 1: request.origin = "http://fincrm.test"; break;
      case 2: request.origin = "https://evil.example"; break;
      case 3: request.origin = "null"; break;
      default: break;
    }
    request.host = "fincrm.test";
    request.remote_address = "10.0.0." + std::to_string(data[0] >> 3);
    std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
    size_t newline = rest.find('\n');
    ParseRequestTarget(rest.substr(0, newline), request);
    if (newline != std::string_view::npos) request.body = std::string(rest.substr(newline + 1));
    unsigned who = data[0] & 7;
    if (who == 1 || who >= 3) {
      if (who != 2 && who != 7) {
        const Caller& caller = callers_[who == 1 ? 0 : who - 2];
        request.authorization = "Bearer " + caller.token;
      }
    }
    if (who == 2) request.cookie = "theme=dark; fincrm_session=" + callers_[0].token;
    if (who == 0 && (data[0] & 8)) request.authorization = "Bearer " + investor_token_;
    if (who == 7) request.api_key = api_key_;

    HttpResponse response = server_->Serve(request);
    if (response.stream) response.stream->ClientGone();  // no client reads it here
    if (response.status < 200 || response.status > 599 || (response.status >= 500 && response.status != 503)) {
      std::fprintf(stderr, "%s %s answered %d: %s\n", request.method.c_str(), request.path.c_str(), response.status,
                   response.body.c_str());
      std::abort();
    }
    if (response.content_type == "application/json" && !response.body.empty()) {
      auto parsed = parser_.parse(response.body);
      if (parsed.error()) {
        std::fprintf(stderr, "%s %s: not JSON: %s\n", request.method.c_str(), request.path.c_str(), response.body.c_str());
        std::abort();
      }
    }
    // Inputs may sign a caller out, disable them or change their password: put the
    // logins back so that later inputs still reach the routes behind sign-in.
    if (request.path.find("/users") != std::string::npos || request.path.find("/auth") != std::string::npos) {
      RestoreLogins();
    }
  }

 private:
  [[noreturn]] static void Die(const std::string& what) {
    std::fprintf(stderr, "router fuzz set-up failed: %s\n", what.c_str());
    std::exit(1);
  }

  HttpResponse Call(const char* method, const std::string& target, const std::string& body, const std::string& token) {
    HttpRequest request;
    request.method = method;
    request.content_type = "application/json";
    request.remote_address = "127.0.0.1";
    ParseRequestTarget(target, request);
    request.body = body;
    if (!token.empty()) request.authorization = "Bearer " + token;
    return server_->Serve(request);
  }

  void SignIn(bool all) {
    for (Caller& caller : callers_) {
      if (!all && !caller.token.empty() && Call("GET", "/api/v1/auth/me", "", caller.token).status == 200) continue;
      HttpResponse reply =
          Call("POST", "/api/v1/auth/login", std::string("{\"login\":\"") + caller.login + "\",\"password\":\"" + kPassword + "\"}", "");
      if (reply.status != 200) Die(std::string("sign-in of ") + caller.login + ": " + reply.body);
      auto parsed = parser_.parse(reply.body);
      std::string_view token;
      if (parsed.error() || parsed["token"].get_string().get(token)) Die("no token");
      caller.token = std::string(token);
    }
    if (all || Call("GET", "/api/v1/portal/me", "", investor_token_).status != 200) {
      HttpResponse reply = Call("POST", "/api/v1/portal/login",
                                "{\"customer_id\":\"" + investor_id_ + "\",\"password\":\"" + kPassword + "\"}", "");
      if (reply.status != 200) Die("portal sign-in: " + reply.body);
      auto parsed = parser_.parse(reply.body);
      std::string_view token;
      if (parsed.error() || parsed["token"].get_string().get(token)) Die("no investor token");
      investor_token_ = std::string(token);
    }
  }

  void RestoreLogins() {
    auto store = OpenStore(db_);
    if (!store.ok()) Die(store.status().message());
    for (const StaffUser& user : users_) (void)(*store)->UpdateUser(user);
    SignIn(false);
  }

  std::filesystem::path dir_;
  std::string db_;
  std::string api_key_;
  std::array<Caller, 6> callers_ = {Caller{"fuzz-admin", UserRole::kAdmin, ""},
                                    Caller{"fuzz-broker", UserRole::kBroker, ""},
                                    Caller{"fuzz-manager", UserRole::kBranchManager, ""},
                                    Caller{"fuzz-agent", UserRole::kAgent, ""},
                                    Caller{"fuzz-research", UserRole::kResearchAnalyst, ""},
                                    Caller{"fuzz-compliance", UserRole::kCompliance, ""}};
  std::string investor_id_, investor_token_;
  std::vector<StaffUser> users_;
  std::unique_ptr<ApiServer> server_;
  simdjson::dom::parser parser_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();  // lives as long as the process, like a server
  harness->Run(data, size);
  return 0;
}
