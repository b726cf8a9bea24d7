// A real `fincrm serve` for API tests: a demo brokerage (analysed, with logins of every
// role and an integration key) served on a free port, and a small client.
#pragma once

#include <httplib.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "api/api_server.h"
#include "support/temp_dir.h"

namespace fincrm::testing {

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  simdjson::dom::element json;  // valid while the Reply lives
  std::shared_ptr<simdjson::dom::parser> parser;
};

// A JSON string's text, or "<not a string>".
std::string Str(simdjson::dom::element e);

// A raw connection from `source` (any 127/8 address) to the server on `port`.
int ConnectFrom(const char* source, int port);
// Whether the server has closed the connection (a read sees the end, or a reset).
bool ClosedByServer(int fd);
// Sends `raw` (a request exactly as written) on a new connection from `source` and
// returns what the server answered, until it closed or 3 s passed.
std::string RawExchange(int port, const std::string& raw, const char* source = "127.0.0.1");

// Rows of an independent read-only SQL query over the served database, as text ("" for
// NULL): what the tests compare the API's answers with. QueryFirst: the first row's first value.
std::vector<std::vector<std::string>> QueryRows(const std::string& db_path, const std::string& sql);
std::string QueryFirst(const std::string& db_path, const std::string& sql);

class ApiClient {
 public:
  explicit ApiClient(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(60); }
  void set_token(std::string token) { token_ = std::move(token); }
  Reply Get(const std::string& path, const httplib::Headers& extra = {});
  Reply Post(const std::string& path, const std::string& body, const std::string& type = "application/json",
             const httplib::Headers& extra = {});
  Reply Patch(const std::string& path, const std::string& body, const std::string& type = "application/json",
              const httplib::Headers& extra = {});
  Reply Put(const std::string& path, const std::string& body, const std::string& type = "application/json",
            const httplib::Headers& extra = {});
  // Signs in and keeps the token for later requests.
  Reply Login(const std::string& login, const std::string& password);

 private:
  httplib::Headers With(const httplib::Headers& extra) const;
  httplib::Client client_;
  std::string token_;
};

// The served demo. Logins (password "password-123"): admin, hq (hq_analyst), manager
// (branch_manager of B001), broker (broker S00001), broker2 (another broker),
// agent, compliance, research (research_analyst).
struct DemoServer {
  static constexpr const char* kPassword = "password-123";
  TempDir dir;
  std::string db;
  std::string api_key;          // integration key (events only)
  std::string broker_staff;     // staff id of "broker"
  std::string broker2_staff;    // staff id of "broker2"
  std::string manager_branch;   // branch of "manager"
  std::unique_ptr<ApiServer> server;
  int port = 0;
  EventIngestorOptions ingest;  // set before Start
  std::function<void(ApiServerOptions&)> adjust;  // changes to the server's options, before Start
  // The modules the server runs (DefaultServiceModules() when unset), made at each start.
  std::function<std::vector<std::unique_ptr<ServiceModule>>()> modules;

  // A client signed in as `login` (EXPECTs the sign-in to succeed).
  ApiClient As(const std::string& login) const;
  // Every customer id the client's list returns, following next_after to the end.
  std::vector<std::string> AllListed(ApiClient& client, const std::string& filter = "") const;

  // Builds the database (customers, analysed) and starts the server.
  void Start(int customers, const std::function<void(Store&)>& before_start = {});
  // A new server process on the same database (after Stop).
  void StartServer();
  void Stop();
};

}  // namespace fincrm::testing
