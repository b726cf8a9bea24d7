// The FinCRM HTTP API (`fincrm serve`): routes under /api/v1, /healthz, /metrics and
// the OpenAPI document, on top of the store, the event ingestor and live analytics.
//
// Every request passes the same gate (Dispatch): route match, sign-in (bearer token,
// session cookie or API key), the route's permission (access_policy.h), then the
// handler with the caller's scope; metrics and the top-level error handling wrap it.
// Handlers never check roles themselves.
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <thread>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/access_policy.h"
#include "api/audit_recorder.h"
#include "api/customer_view_cache.h"
#include "api/http_server.h"
#include "api/module_event_bus.h"
#include "api/search_guard.h"
#include "api/service_module.h"
#include "api/sessions.h"
#include "service/event_ingestor.h"
#include "storage/change_feed.h"
#include "service/jobs/service_jobs.h"
#include "service/live_analytics.h"

namespace fincrm {

struct ApiServerOptions {
  std::string db_path;
  HttpServerOptions http;
  SessionOptions sessions;
  SearchGuardOptions search;
  LiveAnalyticsOptions live;
  EventIngestorOptions ingest;
  size_t max_events_per_request = 10000;
  size_t customer_view_cache_bytes = size_t{1024} << 20;
  bool secure_cookies = false;  // set the cookie's Secure flag (behind TLS)
  std::string web_root;         // static files of the web console; empty = the console built into the binary
  bool webhooks = true;         // deliver webhooks from this process
  // Origins ("https://crm.example.com") whose pages may write besides this server's own
  // (its Host header): for a console served from another name through a proxy.
  std::vector<std::string> allowed_origins;
  // The key that seals the audit trail (audit_trail.h), and the append-only file that
  // receives its signed checkpoints; both outside the database. Empty: unkeyed.
  std::string audit_key_file;
  std::string audit_checkpoint_file;
  // Webhook hosts delivered to although they resolve to loopback or private addresses.
  std::vector<std::string> webhook_allowed_hosts;
  // The clock of business rules in modules (SLA due times) and of the scheduled jobs;
  // tests set it.
  std::function<Timestamp()> business_clock = CurrentTime;
  // The scheduler and its jobs (service/jobs/service_jobs.h); rescoring among them
  // runs every live.rescore_seconds.
  bool scheduler = true;
  ServiceJobOptions jobs;
};

class ApiServer {
 public:
  // The service modules' routes join the server's own, behind the same gate.
  explicit ApiServer(ApiServerOptions options,
                     std::vector<std::unique_ptr<ServiceModule>> modules = DefaultServiceModules());
  ~ApiServer();

  // Opens the store (migrating it), starts live analytics, ingest, audit and HTTP.
  Status Start();
  int port() const { return http_ ? http_->port() : 0; }
  // Graceful: stops accepting, finishes requests, commits pending events and audit
  // entries, rescoring what arrived.
  void Stop();

  // Serves one request in-process through the same gate as the network (route,
  // sign-in, permission, errors, metrics): for the router's fuzz target.
  HttpResponse Serve(HttpRequest& request) { return Dispatch(request); }

  LiveAnalytics& live() { return *live_; }
  EventIngestor& ingestor() { return *ingestor_; }
  // Every route as "METHOD /pattern", for the check that the OpenAPI document covers them.
  std::vector<std::string> RouteList() const;
  AuditRecorder& audit() { return *audit_; }
  ModuleEventBus& module_events() { return *events_; }

  struct Context;  // one request: the request, its principal, this thread's store
  using Handler = HttpResponse (ApiServer::*)(Context&);

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" segments capture
    std::string pattern;
    Permission permission;
    Handler handler;
    bool quick;  // a few index lookups, never waits: runs on the I/O thread
    bool json_body;  // takes a JSON body: other content types get 415
    ModuleHandler module_handler;  // set instead of `handler` for a module's route
  };
  struct RouteMetrics;

  HttpResponse Dispatch(HttpRequest& request);
  // Who a request's credentials name: a session (bearer token, else the cookie), else
  // an API key. No principal when none holds.
  struct Credentials {
    std::optional<Principal> principal;
    std::string token;
    bool by_cookie = false;
  };
  Credentials Authenticate(const HttpRequest& request, Store& store);
  // The body a request may send, decided from its header (HttpHeaderGate).
  HeaderVerdict AdmitBody(const HttpRequest& head);
  // Bodies of requests that have not signed in (the sign-in's own is a few hundred bytes).
  static constexpr int64_t kAnonymousBodyLimit = 64 << 10;
  static bool AcceptsBodyType(const Route& route, std::string_view content_type);
  // A write from another site's page, or signed in by cookie without saying which page.
  bool IsCrossSiteWrite(const HttpRequest& request, bool by_cookie) const;
  // Whether the request's Origin is this server (its Host) or an allowed origin.
  bool SameOrigin(const HttpRequest& request) const;
  void AddRoutes();
  void Add(std::string method, std::string pattern, Permission permission, Handler handler, bool quick = false);
  // The index of the route for the request (routes_.size() when none); `path_known`
  // tells a wrong method from an unknown path. Fills the request's path parameters.
  size_t MatchRoute(HttpRequest& request, bool* path_known) const;
  Store& ThreadStore();
  // Reads the change log past `position` (advancing it): the cached views of customers
  // changed by other writers go, with their profiles in the live facts refreshed;
  // logins whose rights changed elsewhere lose their sessions; memoized answers go.
  void FollowOutsideChanges(ChangeFeed& feed, Store& store, int64_t& position);
  void WarnIfTrailBehindCheckpoint(Store& store);
  Result<std::unique_ptr<Store>> OpenStore() const;
  // A server connection with a page cache of `cache_kib` (0: the default).
  Result<std::unique_ptr<Store>> OpenStore(int cache_kib) const;

  // System and auth
  HttpResponse Health(Context& c);
  HttpResponse Ping(Context& c);  // the trivial route: no store, no sign-in
  HttpResponse Metrics(Context& c);
  HttpResponse OpenApi(Context& c);
  HttpResponse Login(Context& c);
  HttpResponse PortalLogin(Context& c);
  HttpResponse SignIn(Context& c, const std::string& login, const std::string& password, bool investor);
  HttpResponse Logout(Context& c);
  HttpResponse Me(Context& c);
  HttpResponse Session(Context& c);
  HttpResponse Vocabulary(Context& c);
  [[noreturn]] static void NoSuchCustomer(std::string_view customer_id);
  // A customer's rows from the store merged with the journaled events not yet applied
  // to it (service/event_ingestor.h), newest first.
  std::vector<Trade> RecentTrades(Store& store, const std::string& customer_id, int limit);
  std::vector<Interaction> RecentInteractions(Store& store, const std::string& customer_id, int limit);
  std::vector<AssetSnapshot> AssetHistory(Store& store, const std::string& customer_id, int limit);
  // Customers (customer_routes.cc)
  HttpResponse ListCustomers(Context& c);
  // Rate limit and enumeration watch of customer searches (search_guard.h): returns
  // when the search may run, throws the 429 otherwise.
  void GuardSearch(Context& c, std::string_view q);
  HttpResponse ExportCustomers(Context& c);
  HttpResponse CreateCustomer(Context& c);
  HttpResponse GetCustomer360(Context& c);
  HttpResponse UpdateCustomer(Context& c);
  HttpResponse Timeline(Context& c);
  HttpResponse CreateInteraction(Context& c);
  HttpResponse Accounts(Context& c);
  HttpResponse Assets(Context& c);
  HttpResponse Trades(Context& c);
  HttpResponse CustomerTasks(Context& c);
  HttpResponse ListTasks(Context& c);
  HttpResponse IngestEvents(Context& c);
  // Organisation and analytics (analytics_routes.cc)
  HttpResponse Branches(Context& c);
  HttpResponse StaffList(Context& c);
  HttpResponse ChurnList(Context& c);
  HttpResponse ChurnDistribution(Context& c);
  HttpResponse Clusters(Context& c);
  HttpResponse LadderDistribution(Context& c);
  HttpResponse LadderMoves(Context& c);
  HttpResponse Cube(Context& c);
  HttpResponse Kpi(Context& c);
  HttpResponse ModelCard(Context& c);
  HttpResponse Alerts(Context& c);
  // Compliance and administration (admin_routes.cc)
  HttpResponse AuditLog(Context& c);
  HttpResponse AuditVerify(Context& c);
  HttpResponse Users(Context& c);
  HttpResponse CreateUser(Context& c);
  HttpResponse UpdateUser(Context& c);
  HttpResponse Webhooks(Context& c);
  HttpResponse CreateWebhook(Context& c);
  HttpResponse WebhookDeliveries(Context& c);
  HttpResponse StaticFile(Context& c);

  // The customer if it exists and the caller may see it; otherwise a 404 response.
  Result<Customer> VisibleCustomer(Context& c, std::string_view customer_id);

  ApiServerOptions options_;
  std::vector<std::unique_ptr<ServiceModule>> modules_;
  std::unique_ptr<ModuleEventBus> events_;
  std::vector<Route> routes_;
  std::unique_ptr<SessionRegistry> sessions_;
  std::unique_ptr<SearchGuard> search_guard_;
  std::unique_ptr<LiveAnalytics> live_;
  // Committed events reach the live facts after the commit that already dropped the
  // customers' cached views; a view built in between would show the store's new rows
  // with the old running totals, so the views go once more when the facts are in.
  struct LiveFactsThenViews final : IngestListener {
    LiveAnalytics* live;
    CustomerViewCache* views;
    void OnCommitted(const std::vector<const CustomerEvent*>& accepted) override {
      live->OnCommitted(accepted);
      CommittedChange change;
      for (const CustomerEvent* event : accepted) change.customers.push_back(event->customer_id());
      views->OnCommit(change);
    }
  };
  LiveFactsThenViews ingest_listener_;
  std::unique_ptr<EventIngestor> ingestor_;
  std::unique_ptr<AuditRecorder> audit_;
  std::optional<AuditKey> audit_key_;
  std::unique_ptr<class WebhookDispatcher> webhooks_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<class ScratchDirectory> scratch_;  // exports being written
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<RouteMetrics> metrics_;
  // Checkpoints the write-ahead log from its own thread, so that no commit (events,
  // audit) pays for copying pages back into the database file.
  std::thread checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool stopping_ = false;

  // Rendered 360 views (customer_view_cache.h).
  std::unique_ptr<CustomerViewCache> views_;
  std::string openapi_document_;  // docs/openapi.json with the modules' own paths
  std::atomic<int64_t> cache_hits_{0}, cache_misses_{0};

  // Analytics answers (ladder, moves, cube) by request and scope, valid while the data
  // generation is unchanged: they aggregate millions of rows and change only with data.
  HttpResponse Memoized(const std::string& key, int64_t version, const std::function<std::string()>& compute);
  static int64_t AnalysisVersion(Store& store);
  static int64_t DataVersion(Store& store);
  static std::string LadderJson(Store& store, const CustomerQuery& scope);
  static std::string LadderMovesJson(Store& store, Date from, Date to, const CustomerQuery& scope);
  void PrewarmDashboard();
  std::thread prewarm_;
  std::mutex memo_mutex_;
  struct MemoEntry {
    int64_t generation;
    std::string json;
  };
  std::unordered_map<std::string, MemoEntry> memo_;

};

// Thrown by handlers for a clean error response (caught in Dispatch).
struct ApiError {
  int status;
  std::string code;
  std::string message;
  std::string field;
};
// A Status as an ApiError: InvalidArgument 422, NotFound 404, AlreadyExists 409,
// FailedPrecondition 409, Unavailable 503, anything else 500.
[[noreturn]] void ThrowStatus(const Status& status);
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field);
HttpResponse JsonResponse(std::string body, int status = 200);

struct ApiServer::Context {
  HttpRequest& request;
  Principal principal;
  Store& store;
  std::string token;  // the session token used, if any
};

}  // namespace fincrm
