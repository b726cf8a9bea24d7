#include "api/api_server.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "api/audit_trail.h"
#include "api/scratch_directory.h"
#include "api/openapi_document.h"
#include "api/request_json.h"
#include "api/route_support.h"
#include "api/webhook_dispatcher.h"
#include "analytics/value_ladder.h"
#include "core/staff_user.h"
#include "core/json_writer.h"
#include "core/thread_name.h"
#include "storage/change_feed.h"
#include "storage/holding_store.h"
#include "storage/open_store.h"

namespace fincrm {

// Request counts by status class and latency histograms per route (Prometheus).
struct ApiServer::RouteMetrics {
  static constexpr std::array<double, 11> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0};
  struct PerRoute {
    std::array<std::atomic<int64_t>, 6> by_class{};  // 1xx..5xx by index 1..5
    std::array<std::atomic<int64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<int64_t> micros_sum{0};
  };
  explicit RouteMetrics(size_t routes) : per_route(routes + 1) {}  // last: unmatched
  std::vector<PerRoute> per_route;
};

[[noreturn]] void ThrowStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: throw ApiError{422, "invalid", status.message(), status.field()};
    case StatusCode::kNotFound: throw ApiError{404, "not_found", status.message(), status.field()};
    case StatusCode::kAlreadyExists: throw ApiError{409, "conflict", status.message(), status.field()};
    case StatusCode::kFailedPrecondition: throw ApiError{409, "conflict", status.message(), status.field()};
    case StatusCode::kUnavailable: throw ApiError{503, "unavailable", status.message(), status.field()};
    default: throw ApiError{500, "internal", status.message(), status.field()};
  }
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  json.Field("code", code).Field("message", message).Field("field", field);
  json.EndObject().EndObject();
  return {status, "application/json", json.Take(), {}};
}

HttpResponse JsonResponse(std::string body, int status) { return {status, "application/json", std::move(body), {}}; }

ApiServer::ApiServer(ApiServerOptions options, std::vector<std::unique_ptr<ServiceModule>> modules)
    : options_(std::move(options)),
      modules_(std::move(modules)),
      views_(std::make_unique<CustomerViewCache>(options_.customer_view_cache_bytes)),
      openapi_document_(OpenApiDocument()) {
  AddRoutes();
  for (auto& module : modules_) {
    for (ModuleRoute& route : module->Routes()) {
      Add(std::move(route.method), std::move(route.pattern), route.permission, nullptr, route.quick);
      routes_.back().module_handler = std::move(route.handler);
    }
  }
}

ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<Store>> ApiServer::OpenStore() const {
  // The first open (Start) applies migrations; the others only connect.
  return OpenStore(0);
}

Result<std::unique_ptr<Store>> ApiServer::OpenStore(int cache_kib) const {
  auto store = ::fincrm::OpenStore(options_.db_path,
                                   {.migrate = false, .create = false, .server_connection = true, .cache_kib = cache_kib});
  if (store.ok()) {
    CustomerViewCache* views = views_.get();
    (*store)->SetCommitListener([views](const CommittedChange& change) { views->OnCommit(change); });
  }
  return store;
}

Status ApiServer::Start() {
  auto document = OpenApiWithModulePaths(OpenApiDocument(), modules_);
  if (!document.ok()) return document.status();
  openapi_document_ = std::move(*document);
  // A webhook subscriber that hangs up mid-request must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  auto scratch = ScratchDirectory::Create();
  if (!scratch.ok()) return scratch.status();
  scratch_ = std::move(*scratch);
  {
    auto store = ::fincrm::OpenStore(options_.db_path, {.migrate = true, .create = false});
    if (!store.ok()) return store.status();
    if (!options_.audit_key_file.empty()) {
      auto key = AuditKey::Load(options_.audit_key_file);
      if (!key.ok()) return key.status();
      audit_key_ = std::move(*key);
    } else {
      std::fprintf(stderr,
                   "fincrm serve: warning: no audit key (--audit-key-file): the audit trail is chained with plain "
                   "SHA-256 and without signed checkpoints, so a rewrite or truncation by someone with write access "
                   "to the database goes unnoticed\n");
    }
    FINCRM_RETURN_IF_ERROR(CheckAuditKey(**store, audit_key_ ? &*audit_key_ : nullptr));
    WarnIfTrailBehindCheckpoint(**store);
    // The baseline for noticing other processes' commits (the watcher below).
    auto generation = (*store)->DataGeneration();
    if (!generation.ok()) return generation.status();
    views_->CheckGeneration(*generation);
  }
  auto open = [this] { return OpenStore(); };
  metrics_ = std::make_unique<RouteMetrics>(routes_.size());
  sessions_ = std::make_unique<SessionRegistry>(options_.sessions);
  search_guard_ = std::make_unique<SearchGuard>(options_.search);
  LiveAnalyticsOptions live = options_.live;
  live.scheduled_rescoring = options_.scheduler;
  live_ = std::make_unique<LiveAnalytics>(open, live);
  live_->Start();
  ingest_listener_.live = live_.get();
  ingest_listener_.views = views_.get();
  const AuditKey* key = audit_key_ ? &*audit_key_ : nullptr;
  // holding_snapshot events go to the holdings module's store (on the ingest's writer thread).
  EventIngestorOptions ingest = options_.ingest;
  if (!ingest.store_holdings) {
    auto holdings = std::make_shared<std::unique_ptr<HoldingStore>>();
    ingest.store_holdings = [holdings, db = options_.db_path](const std::vector<Holding>& lines) -> Status {
      if (!*holdings) {
        auto opened = OpenHoldingStore(db);
        if (!opened.ok()) return opened.status();
        *holdings = std::move(*opened);
      }
      return (*holdings)->PutLines(lines);
    };
  }
  ingestor_ = std::make_unique<EventIngestor>(open, &ingest_listener_, ingest, AuditSealer(key));
  audit_ = std::make_unique<AuditRecorder>(open, AuditRecorderOptions{audit_key_, options_.audit_checkpoint_file});
  if (options_.webhooks) {
    webhooks_ = std::make_unique<WebhookDispatcher>(open, WebhookTargetPolicy{options_.webhook_allowed_hosts});
  }
  // Events through the ingest, waiting for their commit; the first rejection names its field.
  auto submit = [this](std::vector<CustomerEvent> events) -> Status {
    auto results = ingestor_->Submit(std::move(events));
    if (!results.ok()) return results.status();
    for (const EventResult& result : *results) {
      if (result.outcome == EventOutcome::kRejected) return InvalidArgument(result.message, result.field);
    }
    return Status::Ok();
  };
  // A retry is the same event.
  auto interaction_event = [](const Interaction& interaction) {
    return CustomerEvent{"interaction:" + interaction.interaction_id, EventType::kInteraction, interaction};
  };
  auto record_interaction = [submit, interaction_event](const Interaction& interaction) -> Status {
    return submit({interaction_event(interaction)});
  };
  auto record_interactions = [submit, interaction_event](const std::vector<Interaction>& interactions) -> Status {
    constexpr size_t kBatch = 5000;
    for (size_t begin = 0; begin < interactions.size(); begin += kBatch) {
      std::vector<CustomerEvent> events;
      for (size_t i = begin; i < std::min(interactions.size(), begin + kBatch); ++i) {
        events.push_back(interaction_event(interactions[i]));
      }
      FINCRM_RETURN_IF_ERROR(submit(std::move(events)));
    }
    return Status::Ok();
  };
  auto change_profile = [submit](const std::string& change_id, const ProfileChange& change) -> Status {
    return submit({{"profile:" + change_id, EventType::kCustomerProfile, change}});
  };
  auto recent_interactions = [this](Store& store, const std::string& customer_id, int limit) {
    return RecentInteractions(store, customer_id, limit);
  };
  auto read_live_facts = [this](const std::function<void(const FactTables&, const CubeContext&)>& read) {
    return live_->ReadFacts(read);
  };
  // The modules declare their jobs and handlers before they start.
  ServiceJobOptions job_options = options_.jobs;
  job_options.rescore = [this]() -> Result<int> { return live_->ready() ? live_->RescoreNow() : Result<int>(0); };
  job_options.rescore_every_seconds = options_.live.rescore_seconds;
  std::vector<Job> jobs = SchedulerJobs(job_options, modules_);
  std::vector<ModuleEventHandler> handlers;
  for (auto& module : modules_) {
    for (ModuleEventHandler& handler : module->EventHandlers()) handlers.push_back(std::move(handler));
  }
  events_ = std::make_unique<ModuleEventBus>(std::move(handlers));
  ModuleEnvironment environment{options_.db_path,      audit_.get(),        options_.business_clock,
                                record_interaction,     record_interactions, change_profile,
                                recent_interactions,
                                [this](const std::string& login) { return sessions_->EndSessionsOf(login); },
                                read_live_facts,
                                [bus = events_.get()](ModuleEvent event) { bus->Publish(std::move(event)); }};
  for (auto& module : modules_) {
    Status started = module->Start(environment);
    if (!started.ok()) {
      return Status(started.code(), "the " + std::string(module->name()) + " module: " + started.message());
    }
  }
  events_->Start();
  if (options_.scheduler) {
    scheduler_ = std::make_unique<Scheduler>(options_.db_path, std::move(jobs), ThisRunner(), options_.business_clock);
    FINCRM_RETURN_IF_ERROR(scheduler_->Start());
  }
  auto feed = OpenChangeFeed(options_.db_path);
  if (!feed.ok()) return feed.status();
  auto position = (*feed)->LastChange();
  if (!position.ok()) return position.status();
  checkpointer_ = std::thread([this, feed = std::move(*feed), position = *position]() mutable {
    NameThisThread("fincrm-checkpt");
    auto store = OpenStore();
    if (!store.ok()) {
      std::fprintf(stderr, "fincrm serve: checkpointer: %s\n", store.status().message().c_str());
      return;
    }
    std::unique_lock lock(checkpoint_mutex_);
    // Every 250 ms: did another process or a direct SQL update change data (the views
    // and sessions it affects go)? Every second: a passive WAL checkpoint. Every ten
    // minutes: the change log's entries older than an hour are trimmed.
    for (int tick = 1; !stopping_; ++tick) {
      checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; });
      if (auto generation = (*store)->DataGeneration(); generation.ok()) views_->CheckGeneration(*generation);
      FollowOutsideChanges(*feed, **store, position);
      if (tick % 4 == 0) (void)CheckpointLog(**store);
      if (tick % 2400 == 0) (void)feed->TrimBefore(Timestamp{CurrentTime().seconds - 3600});
    }
  });
  prewarm_ = std::thread([this] {
    NameThisThread("fincrm-prewarm");
    PrewarmDashboard();
  });
  http_ = std::make_unique<HttpServer>(
      options_.http, [this](HttpRequest& r) { return Dispatch(r); },
      [this](const HttpRequest& r) {
        HttpRequest probe;  // matching fills path parameters; the request is matched again in Dispatch
        probe.method = r.method;
        probe.path = r.path;
        bool known = false;
        size_t index = MatchRoute(probe, &known);
        return index < routes_.size() && routes_[index].quick;
      },
      [this](const HttpRequest& head) { return AdmitBody(head); });
  return http_->Start();
}

// A trail shorter than its latest signed checkpoint lost entries while the server was
// down: said at once in the log (GET /api/v1/audit/verify and `fincrm audit verify`
// name them), without refusing to serve.
void ApiServer::WarnIfTrailBehindCheckpoint(Store& store) {
  if (!audit_key_ || options_.audit_checkpoint_file.empty()) return;
  if (access(options_.audit_checkpoint_file.c_str(), F_OK) != 0) return;  // the first start
  auto checkpoint = LatestCheckpoint(options_.audit_checkpoint_file, *audit_key_);
  if (!checkpoint.ok()) {
    std::fprintf(stderr, "fincrm serve: ALERT: audit checkpoints: %s\n", checkpoint.status().message().c_str());
    return;
  }
  auto head = AuditHead(store);
  int64_t reached = head.ok() && *head ? (*head)->sequence : 0;
  if (*checkpoint && reached < (*checkpoint)->sequence) {
    std::fprintf(stderr,
                 "fincrm serve: ALERT: the audit trail ends at entry %lld but its signed checkpoint of %s saw entry "
                 "%lld: entries were removed\n",
                 static_cast<long long>(reached), FormatTimestamp((*checkpoint)->at).c_str(),
                 static_cast<long long>((*checkpoint)->sequence));
  }
}

void ApiServer::FollowOutsideChanges(ChangeFeed& feed, Store& store, int64_t& position) {
  constexpr int kBatch = 10000;
  auto changes = feed.ChangesAfter(position, kBatch);
  if (!changes.ok() || changes->empty()) return;
  // Entries trimmed before this server read them, or more than a batch at once: what
  // changed is not known one by one, so nothing cached is kept.
  bool everything = changes->front().seq != position + 1 || changes->size() == kBatch;
  CommittedChange outside;
  std::vector<Customer> refreshed;
  int foreign = 0;
  for (const ChangeRecord& change : *changes) {
    if (change.origin == ThisProcessChangeOrigin()) continue;  // this process dropped them at its commit
    ++foreign;
    if (change.entity == "user") {
      int ended = sessions_->EndSessionsOf(change.key);
      if (ended > 0) {
        std::fprintf(stderr, "fincrm serve: the rights of login %s changed elsewhere: %d sessions ended\n",
                     change.key.c_str(), ended);
      }
    } else if (change.entity == "customer" && !everything) {
      outside.customers.push_back(change.key);
      if (auto customer = store.GetCustomer(change.key); customer.ok()) refreshed.push_back(std::move(*customer));
    } else {
      everything = true;
    }
  }
  position = changes->back().seq;
  if (changes->size() == kBatch) {
    if (auto last = feed.LastChange(); last.ok()) position = *last;
  }
  if (foreign == 0 && !everything) return;
  if (everything) views_->Clear();
  else views_->OnCommit(outside);
  live_->RefreshCustomers(refreshed);
  std::lock_guard memo(memo_mutex_);
  memo_.clear();
}

void ApiServer::Stop() {
  if (http_) http_->Stop();
  if (scheduler_) scheduler_->Stop();  // before live analytics, which its rescoring calls
  if (ingestor_) ingestor_->Stop();
  if (live_) live_->Stop();
  if (audit_) audit_->Stop();
  if (webhooks_) webhooks_->Stop();
  if (events_) events_->Stop();  // before the modules whose handlers it runs
  for (auto& module : modules_) module->Stop();
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wake_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (prewarm_.joinable()) prewarm_.join();
  http_.reset();
}

Store& ApiServer::ThreadStore() {
  // Connections are per thread (store.h); a worker keeps its own for its lifetime.
  thread_local std::unique_ptr<Store> store;
  thread_local const ApiServer* owner = nullptr;
  if (!store || owner != this) {
    auto opened = OpenStore(16384);
    if (!opened.ok()) ThrowStatus(opened.status());
    store = std::move(*opened);
    owner = this;
  }
  return *store;
}

std::vector<std::string> ApiServer::RouteList() const {
  std::vector<std::string> out;
  for (const Route& route : routes_) out.push_back(route.method + " " + route.pattern);
  return out;
}

void ApiServer::Add(std::string method, std::string pattern, Permission permission, Handler handler, bool quick) {
  // Writes take a JSON body (sign-out takes none): a form or text body is refused with
  // 415 before the handler, which also keeps cross-site HTML forms out. The one-click
  // unsubscribe is a form post by the mail client (RFC 8058), harmless from anywhere.
  bool json_body = (method == "POST" || method == "PATCH" || method == "PUT") && pattern != "/api/v1/auth/logout" &&
                   !pattern.starts_with("/api/v1/unsubscribe/");
  Route route{std::move(method), {}, pattern, permission, handler, quick, json_body};
  std::string_view rest = pattern;
  while (!rest.empty()) {
    rest.remove_prefix(1);  // '/'
    size_t slash = rest.find('/');
    route.segments.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash);
  }
  routes_.push_back(std::move(route));
}

void ApiServer::AddRoutes() {
  using P = Permission;
  Add("GET", "/healthz", P::kPublic, &ApiServer::Health, /*quick=*/true);
  Add("GET", "/metrics", P::kPublic, &ApiServer::Metrics, /*quick=*/true);
  Add("GET", "/api/v1/ping", P::kPublic, &ApiServer::Ping, /*quick=*/true);
  Add("GET", "/api/v1/openapi.json", P::kPublic, &ApiServer::OpenApi, /*quick=*/true);
  Add("POST", "/api/v1/auth/login", P::kPublic, &ApiServer::Login);
  Add("POST", "/api/v1/auth/logout", P::kSignedIn, &ApiServer::Logout);
  Add("POST", "/api/v1/portal/login", P::kPublic, &ApiServer::PortalLogin);
  Add("GET", "/api/v1/auth/me", P::kSignedIn, &ApiServer::Me, /*quick=*/true);
  Add("GET", "/api/v1/auth/session", P::kPublic, &ApiServer::Session, /*quick=*/true);
  Add("GET", "/api/v1/vocabulary", P::kPublic, &ApiServer::Vocabulary, /*quick=*/true);
  Add("GET", "/api/v1/customers", P::kReadCustomers, &ApiServer::ListCustomers);
  Add("POST", "/api/v1/customers", P::kWriteCustomers, &ApiServer::CreateCustomer);
  Add("GET", "/api/v1/customers/export", P::kReadCustomers, &ApiServer::ExportCustomers);
  Add("GET", "/api/v1/customers/{customer_id}", P::kReadCustomers, &ApiServer::GetCustomer360, /*quick=*/true);
  Add("PATCH", "/api/v1/customers/{customer_id}", P::kWriteCustomers, &ApiServer::UpdateCustomer);
  Add("GET", "/api/v1/customers/{customer_id}/timeline", P::kReadCustomers, &ApiServer::Timeline);
  Add("GET", "/api/v1/customers/{customer_id}/interactions", P::kReadCustomers, &ApiServer::Timeline);
  Add("POST", "/api/v1/customers/{customer_id}/interactions", P::kWriteCustomers, &ApiServer::CreateInteraction);
  Add("GET", "/api/v1/customers/{customer_id}/accounts", P::kReadCustomers, &ApiServer::Accounts, /*quick=*/true);
  Add("GET", "/api/v1/customers/{customer_id}/assets", P::kReadCustomers, &ApiServer::Assets);
  Add("GET", "/api/v1/customers/{customer_id}/trades", P::kReadCustomers, &ApiServer::Trades);
  Add("GET", "/api/v1/customers/{customer_id}/tasks", P::kReadCustomers, &ApiServer::CustomerTasks, /*quick=*/true);
  Add("GET", "/api/v1/tasks", P::kReadCustomers, &ApiServer::ListTasks);
  Add("POST", "/api/v1/events", P::kIngestEvents, &ApiServer::IngestEvents);
  Add("GET", "/api/v1/branches", P::kReadOrganisation, &ApiServer::Branches);
  Add("GET", "/api/v1/staff", P::kReadOrganisation, &ApiServer::StaffList);
  Add("GET", "/api/v1/analytics/churn", P::kReadAnalytics, &ApiServer::ChurnList);
  Add("GET", "/api/v1/analytics/churn/distribution", P::kReadAnalytics, &ApiServer::ChurnDistribution);
  Add("GET", "/api/v1/analytics/clusters", P::kReadAnalytics, &ApiServer::Clusters);
  Add("GET", "/api/v1/analytics/ladder", P::kReadAnalytics, &ApiServer::LadderDistribution);
  Add("GET", "/api/v1/analytics/ladder/moves", P::kReadAnalytics, &ApiServer::LadderMoves);
  Add("GET", "/api/v1/analytics/cube", P::kReadAnalytics, &ApiServer::Cube);
  Add("GET", "/api/v1/analytics/kpi", P::kReadAnalytics, &ApiServer::Kpi);
  Add("GET", "/api/v1/analytics/models/{name}", P::kReadAnalytics, &ApiServer::ModelCard);
  Add("GET", "/api/v1/alerts", P::kReadAnalytics, &ApiServer::Alerts);
  Add("GET", "/api/v1/audit", P::kReadAudit, &ApiServer::AuditLog);
  Add("GET", "/api/v1/audit/verify", P::kReadAudit, &ApiServer::AuditVerify);
  Add("GET", "/api/v1/users", P::kManageUsers, &ApiServer::Users);
  Add("POST", "/api/v1/users", P::kManageUsers, &ApiServer::CreateUser);
  Add("PATCH", "/api/v1/users/{login}", P::kManageUsers, &ApiServer::UpdateUser);
  Add("GET", "/api/v1/webhooks", P::kManageUsers, &ApiServer::Webhooks);
  Add("POST", "/api/v1/webhooks", P::kManageUsers, &ApiServer::CreateWebhook);
  Add("GET", "/api/v1/webhooks/deliveries", P::kManageUsers, &ApiServer::WebhookDeliveries);
}

size_t ApiServer::MatchRoute(HttpRequest& request, bool* path_known) const {
  std::vector<std::string_view> segments;
  std::string_view rest = request.path;
  while (!rest.empty()) {
    rest.remove_prefix(1);
    size_t slash = rest.find('/');
    segments.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash);
  }
  *path_known = false;
  for (size_t r = 0; r < routes_.size(); ++r) {
    const Route& route = routes_[r];
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t s = 0; s < segments.size() && match; ++s) {
      match = route.segments[s].starts_with('{') || route.segments[s] == segments[s];
    }
    if (!match) continue;
    *path_known = true;
    if (route.method != request.method) continue;
    request.path_params.clear();
    for (size_t s = 0; s < segments.size(); ++s) {
      if (route.segments[s].starts_with('{')) {
        request.path_params.emplace_back(route.segments[s].substr(1, route.segments[s].size() - 2),
                                         std::string(segments[s]));
      }
    }
    return r;
  }
  return routes_.size();
}

ApiServer::Credentials ApiServer::Authenticate(const HttpRequest& request, Store& store) {
  Credentials who;
  std::string_view token;
  if (request.authorization.starts_with("Bearer ")) token = std::string_view(request.authorization).substr(7);
  if (token.empty()) {
    token = request.Cookie("fincrm_session");
    who.by_cookie = !token.empty();
  }
  if (!token.empty()) {
    who.principal = sessions_->Resolve(token);
    if (who.principal) who.token = std::string(token);
  }
  if (!who.principal && !request.api_key.empty()) who.principal = sessions_->ResolveApiKey(store, request.api_key);
  return who;
}

// Runs on the I/O thread once a request's header is in and before its body is read:
// bodies of requests that may not run are never read, and whoever has not signed in
// may send only a small one (the sign-in's). 60 anonymous bodies of 31 MiB once took
// the server to 2.2 GB.
HeaderVerdict ApiServer::AdmitBody(const HttpRequest& head) {
  HeaderVerdict verdict{kAnonymousBodyLimit, {}};
  try {
    HttpRequest probe;
    probe.method = head.method;
    probe.path = head.path;
    bool known = false;
    size_t index = probe.path.starts_with('/') ? MatchRoute(probe, &known) : routes_.size();
    if (index == routes_.size() || routes_[index].permission == Permission::kPublic) return verdict;
    Credentials who = Authenticate(head, ThreadStore());
    if (!who.principal) {
      verdict.answer = ErrorResponse(401, "unauthenticated", "sign in first (session expired or missing)", "");
    } else if (!Allows(*who.principal, routes_[index].permission)) {
      verdict.answer = ErrorResponse(403, "forbidden", "your role may not do this", "");
    } else {
      verdict.body_limit = options_.http.max_body_bytes;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fincrm serve: admitting %s %s failed: %s\n", head.method.c_str(), head.path.c_str(),
                 error.what());
    verdict.answer = ErrorResponse(500, "internal", "the server failed to handle the request", "");
  }
  return verdict;
}

HttpResponse ApiServer::Dispatch(HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  size_t route_index = routes_.size();
  HttpResponse response;
  try {
    bool path_known = false;
    // Only the origin form ("/path?query") names a resource here: "*", an absolute URL
    // or a bare name ("GET .db") is refused before any lookup.
    if (!request.path.starts_with('/')) {
      throw ApiError{400, "bad_request", "the request target must be an absolute path starting with '/'", ""};
    }
    route_index = MatchRoute(request, &path_known);
    if (route_index == routes_.size()) {
      if (request.method == "GET" && !request.path.starts_with("/api/")) {
        Context context{request, {}, ThreadStore(), {}};
        response = StaticFile(context);
      } else {
        response = path_known ? ErrorResponse(405, "method_not_allowed", "this path does not take " + request.method, "")
                              : ErrorResponse(404, "not_found", "no such route: " + request.path, "");
      }
    } else {
      const Route& route = routes_[route_index];
      Context context{request, {}, ThreadStore(), {}};
      bool may_run = route.permission == Permission::kPublic;
      bool by_cookie = false;
      if (route.json_body && !AcceptsBodyType(route, request.content_type)) {
        throw ApiError{415, "unsupported_media_type",
                       route.pattern == "/api/v1/events"
                           ? "send the body as application/json or application/x-ndjson"
                           : "send the body as application/json",
                       "Content-Type"};
      }
      if (!may_run) {
        Credentials who = Authenticate(request, context.store);
        bool signed_in = who.principal.has_value();
        by_cookie = who.by_cookie;
        if (signed_in) {
          context.principal = std::move(*who.principal);
          context.token = std::move(who.token);
        }
        if (!signed_in) {
          response = ErrorResponse(401, "unauthenticated", "sign in first (session expired or missing)", "");
        } else if (!Allows(context.principal, route.permission)) {
          response = ErrorResponse(403, "forbidden", "your role may not do this", "");
        } else {
          may_run = true;
        }
      }
      if (may_run && IsCrossSiteWrite(request, by_cookie)) {
        response = ErrorResponse(403, "cross_origin",
                                 request.origin.empty() ? "a write signed in by cookie must carry the Origin header"
                                                        : "writes from " + request.origin + " are not accepted",
                                 "Origin");
        may_run = false;
      }
      if (may_run && route.handler) {
        response = (this->*route.handler)(context);
      } else if (may_run) {
        ModuleCall call{context.request, context.principal, context.store, *audit_};
        response = route.module_handler(call);
      }
    }
  } catch (const ApiError& error) {
    response = ErrorResponse(error.status, error.code, error.message, error.field);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fincrm serve: %s %s failed: %s\n", request.method.c_str(), request.path.c_str(),
                 error.what());
    response = ErrorResponse(500, "internal", "the server failed to handle the request", "");
  }
  auto& metrics = metrics_->per_route[route_index];
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.by_class[std::clamp(response.status / 100, 1, 5)]++;
  size_t bucket = 0;
  while (bucket < RouteMetrics::kBuckets.size() && seconds > RouteMetrics::kBuckets[bucket]) ++bucket;
  metrics.buckets[bucket]++;
  metrics.micros_sum += static_cast<int64_t>(seconds * 1e6);
  return response;
}

bool ApiServer::AcceptsBodyType(const Route& route, std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  while (!media.empty() && media.front() == ' ') media.erase(media.begin());
  std::transform(media.begin(), media.end(), media.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (media == "application/json") return true;
  return route.pattern == "/api/v1/events" && (media == "application/x-ndjson" || media == "application/ndjson");
}

// Cross-site request forgery: a browser sends the session cookie with any request to
// this host, but it also says which page sent a write (Origin). A write signed in by
// cookie must come from this server's own pages; any write that names another origin
// is refused, whatever signed it in.
bool ApiServer::IsCrossSiteWrite(const HttpRequest& request, bool by_cookie) const {
  if (request.method == "GET" || request.method == "HEAD") return false;
  if (request.origin.empty()) return by_cookie;
  return !SameOrigin(request);
}

bool ApiServer::SameOrigin(const HttpRequest& request) const {
  for (const std::string& allowed : options_.allowed_origins) {
    if (EqualsIgnoreAsciiCase(allowed, request.origin)) return true;
  }
  // "scheme://host[:port]" against the Host header: a proxy in front may change the
  // scheme (TLS ends there) but keeps the host, as the operations guide asks.
  std::string_view origin = request.origin;
  size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos || request.host.empty()) return false;
  return EqualsIgnoreAsciiCase(origin.substr(scheme + 3), request.host);
}

HttpResponse ApiServer::Health(Context& c) {
  JsonWriter json;
  auto version = c.store.SchemaVersion();
  json.BeginObject()
      .Field("status", version.ok() ? "ok" : "degraded")
      .Field("schema_version", version.ok() ? int64_t{*version} : int64_t{0})
      .Field("live_analytics", live_->state())
      .Field("events_ready", live_->ready())
      .EndObject();
  return JsonResponse(json.Take(), version.ok() ? 200 : 503);
}

HttpResponse ApiServer::Ping(Context&) { return JsonResponse("{\"status\":\"ok\",\"service\":\"fincrm\"}"); }

HttpResponse ApiServer::Metrics(Context&) {
  std::string out;
  out += "# HELP fincrm_http_requests_total Requests by route and status class.\n";
  out += "# TYPE fincrm_http_requests_total counter\n";
  auto route_name = [&](size_t r) {
    return r < routes_.size() ? routes_[r].method + " " + routes_[r].pattern : std::string("unmatched");
  };
  for (size_t r = 0; r < metrics_->per_route.size(); ++r) {
    for (int k = 1; k <= 5; ++k) {
      int64_t n = metrics_->per_route[r].by_class[k];
      if (n) out += "fincrm_http_requests_total{route=\"" + route_name(r) + "\",status=\"" + std::to_string(k) + "xx\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP fincrm_http_request_duration_seconds Request latency by route.\n";
  out += "# TYPE fincrm_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < metrics_->per_route.size(); ++r) {
    auto& m = metrics_->per_route[r];
    int64_t cumulative = 0;
    for (size_t b = 0; b <= RouteMetrics::kBuckets.size(); ++b) cumulative += m.buckets[b];
    if (cumulative == 0) continue;
    std::string labels = "route=\"" + route_name(r) + "\"";
    int64_t running = 0;
    for (size_t b = 0; b < RouteMetrics::kBuckets.size(); ++b) {
      running += m.buckets[b];
      char le[32];
      std::snprintf(le, sizeof le, "%g", RouteMetrics::kBuckets[b]);
      out += "fincrm_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(running) + "\n";
    }
    out += "fincrm_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.6f", m.micros_sum.load() / 1e6);
    out += "fincrm_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
    out += "fincrm_http_request_duration_seconds_count{" + labels + "} " + std::to_string(cumulative) + "\n";
  }
  auto gauge = [&](const char* name, const char* help, int64_t value, const char* type = "counter") {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(value) + "\n";
  };
  gauge("fincrm_events_committed_total", "Events durably committed by ingest.", ingestor_->committed_events());
  gauge("fincrm_event_journal_pending", "Journaled events not yet applied to the customer tables.",
        ingestor_->journal_events(), "gauge");
  gauge("fincrm_event_journal_applied_total", "Journaled events applied to the customer tables.",
        ingestor_->applied_events());
  gauge("fincrm_event_journal_apply_seconds_total", "Time spent applying the journal.",
        ingestor_->apply_milliseconds() / 1000);
  gauge("fincrm_event_journal_apply_failures_total", "Journaled rows the database refused when applied (logged).",
        ingestor_->apply_failures());
  gauge("fincrm_event_commits_total", "Ingest transactions (group commits).", ingestor_->commits());
  gauge("fincrm_audit_entries_appended_total", "Audit entries appended by this process.", audit_->appended());
  gauge("fincrm_churn_alerts_total", "Churn alerts raised by live rescoring.", live_->alerts_raised());
  gauge("fincrm_churn_rescores_total", "Live churn rescoring passes.", live_->rescores());
  gauge("fincrm_customer_view_cache_hits_total", "360 views served from the cache.", cache_hits_.load());
  gauge("fincrm_customer_view_cache_misses_total", "360 views built from the store.", cache_misses_.load());
  gauge("fincrm_customer_view_cache_entries", "Customers with a cached 360 view.", static_cast<int64_t>(views_->Entries()));
  gauge("fincrm_customer_view_cache_bytes", "Memory held by cached 360 views (compressed).", static_cast<int64_t>(views_->Bytes()));
  gauge("fincrm_customer_view_cache_clears_total", "Times the view cache was emptied (another process changed data).", views_->Clears());
  gauge("fincrm_http_connections_refused_total", "Connections closed at once: a cap was reached and none was idle.",
        http_->refused_connections());
  gauge("fincrm_http_connections_shed_total", "Idle connections closed to make room for new ones.",
        http_->shed_connections());
  gauge("fincrm_http_connections_open", "Open client connections.", http_->open_connections(), "gauge");
  gauge("fincrm_http_connections_max", "The cap on open client connections.", http_->connection_cap(), "gauge");
  gauge("fincrm_sessions_active", "Signed-in sessions.", static_cast<int64_t>(sessions_->active_sessions()), "gauge");
  gauge("fincrm_search_enumerations_flagged_total", "Sessions flagged for searching by many numbers.",
        search_guard_->flagged());
  return {200, "text/plain; version=0.0.4", std::move(out), {}};
}

HttpResponse ApiServer::OpenApi(Context&) { return JsonResponse(openapi_document_); }

// Staff sign in here and investors through the portal: each route signs in only its own
// kind of login, and the other kind gets the same answer as a wrong password.
HttpResponse ApiServer::SignIn(Context& c, const std::string& login, const std::string& password, bool investor) {
  LoginOutcome outcome;
  if (login.starts_with(kInvestorLoginPrefix) != investor) {
    outcome = {401, "invalid_credentials", "wrong login or password", {}, {}, {}};
  } else {
    outcome = sessions_->Login(c.store, login, password, c.request.remote_address);
    if (outcome.status == 200 && (outcome.principal.role == UserRole::kInvestor) != investor) {
      sessions_->Logout(outcome.token);
      outcome = {401, "invalid_credentials", "wrong login or password", {}, {}, {}};
    }
  }
  audit_->Record(login, outcome.status == 200 ? "auth.login" : "auth.login_failed",
                 investor ? login.substr(kInvestorLoginPrefix.size()) : "", outcome.status == 200 ? "" : outcome.code,
                 c.request.remote_address);
  if (outcome.status != 200) return ErrorResponse(outcome.status, outcome.code, outcome.message, "");
  JsonWriter json;
  json.BeginObject()
      .Field("token", outcome.token)
      .Field("login", outcome.principal.login)
      .Field("role", EnumCode(outcome.principal.role))
      .Field("branch_id", outcome.principal.branch_id)
      .Field("staff_id", outcome.principal.staff_id);
  if (investor) json.Field("customer_id", outcome.principal.customer_id);
  json.Field("expires_at", FormatTimestamp(outcome.expires_at)).EndObject();
  HttpResponse response = JsonResponse(json.Take());
  std::string cookie = "fincrm_session=" + outcome.token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(options_.sessions.absolute_hours * 3600);
  if (options_.secure_cookies) cookie += "; Secure";
  response.headers.emplace_back("Set-Cookie", std::move(cookie));
  return response;
}

HttpResponse ApiServer::Login(Context& c) {
  std::string login, password;
  for (const JsonField& field : JsonBody(c.request)) {
    if (field.name == "login") login = field.text;
    if (field.name == "password") password = field.text;
  }
  if (login.empty()) throw ApiError{422, "invalid", "is required", "login"};
  if (password.empty()) throw ApiError{422, "invalid", "is required", "password"};
  return SignIn(c, login, password, false);
}

// {"customer_id", "password"}: the customer number and the password the customer set.
HttpResponse ApiServer::PortalLogin(Context& c) {
  std::string customer_id, password;
  for (const JsonField& field : JsonBody(c.request)) {
    if (field.name == "customer_id") customer_id = field.text;
    else if (field.name == "password") password = field.text;
    else throw ApiError{422, "invalid", "unknown field", field.name};
  }
  if (customer_id.empty()) throw ApiError{422, "invalid", "is required", "customer_id"};
  if (password.empty()) throw ApiError{422, "invalid", "is required", "password"};
  return SignIn(c, std::string(kInvestorLoginPrefix) + customer_id, password, true);
}

HttpResponse ApiServer::Logout(Context& c) {
  if (!c.token.empty()) sessions_->Logout(c.token);
  audit_->Record(c.principal.login, "auth.logout", "", "", c.request.remote_address);
  HttpResponse response = JsonResponse("{\"signed_out\":true}");
  response.headers.emplace_back("Set-Cookie", "fincrm_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  return response;
}

namespace {

void WritePrincipal(JsonWriter& json, const Principal& principal) {
  FieldVisibility visible = VisibilityFor(principal.role);
  json.BeginObject()
      .Field("login", principal.login)
      .Field("role", EnumCode(principal.role))
      .Field("branch_id", principal.branch_id)
      .Field("staff_id", principal.staff_id);
  json.Key("permissions").BeginObject();
  json.Field("read_customers", Allows(principal, Permission::kReadCustomers))
      .Field("write_customers", Allows(principal, Permission::kWriteCustomers))
      .Field("read_analytics", Allows(principal, Permission::kReadAnalytics))
      .Field("read_audit", Allows(principal, Permission::kReadAudit))
      .Field("read_tickets", Allows(principal, Permission::kReadTickets))
      .Field("manage_knowledge", Allows(principal, Permission::kManageKnowledge))
      .Field("write_tickets", Allows(principal, Permission::kWriteTickets))
      .Field("manage_users", Allows(principal, Permission::kManageUsers))
      .Field("ingest_events", Allows(principal, Permission::kIngestEvents))
      .Field("check_suitability", Allows(principal, Permission::kCheckSuitability))
      .Field("read_suitability_report", Allows(principal, Permission::kReadSuitabilityReport))
      .Field("read_research", Allows(principal, Permission::kReadResearch))
      .Field("write_research", Allows(principal, Permission::kWriteResearch))
      .Field("review_research", Allows(principal, Permission::kReviewResearch))
      .Field("publish_research", Allows(principal, Permission::kPublishResearch))
      .Field("portal", Allows(principal, Permission::kPortal))
      .Field("manage_campaigns", Allows(principal, Permission::kManageCampaigns))
      .Field("read_campaigns", Allows(principal, Permission::kReadCampaigns));
  json.EndObject();
  if (!principal.customer_id.empty()) json.Field("customer_id", principal.customer_id);
  json.Key("unmasked").BeginObject();
  json.Field("id_number", visible.id_number).Field("mobile", visible.mobile).Field("email", visible.email)
      .Field("address", visible.address);
  json.EndObject().EndObject();
}

}  // namespace

HttpResponse ApiServer::Me(Context& c) {
  JsonWriter json;
  WritePrincipal(json, c.principal);
  return JsonResponse(json.Take());
}

// Whether the caller is signed in, answered 200 either way: a page asking at start-up
// whether its cookie is still good is not an error (a 401 there is a red line in every
// browser's console before anyone has signed in).
HttpResponse ApiServer::Session(Context& c) {
  Credentials who = Authenticate(c.request, c.store);
  JsonWriter json;
  json.BeginObject().Field("signed_in", who.principal.has_value());
  if (who.principal) {
    json.Key("me");
    WritePrincipal(json, *who.principal);
  }
  json.EndObject();
  return JsonResponse(json.Take());
}

namespace {

template <class E>
void WriteVocabulary(JsonWriter& json) {
  std::string name(EnumInfo<E>::kTypeName);
  std::replace(name.begin(), name.end(), ' ', '_');
  json.Key(name).BeginObject();
  for (const EnumName& entry : EnumNames<E>()) json.Field(entry.code, entry.zh);
  json.EndObject();
}

std::string VocabularyJson() {
  JsonWriter json;
  json.BeginObject();
  WriteVocabulary<Gender>(json);
  WriteVocabulary<IdType>(json);
  WriteVocabulary<CustomerStatus>(json);
  WriteVocabulary<RiskLevel>(json);
  WriteVocabulary<ProductRisk>(json);
  WriteVocabulary<IncomeBand>(json);
  WriteVocabulary<StaffRole>(json);
  WriteVocabulary<Relation>(json);
  WriteVocabulary<AccountType>(json);
  WriteVocabulary<Market>(json);
  WriteVocabulary<ProductType>(json);
  WriteVocabulary<TradeSide>(json);
  WriteVocabulary<TradeChannel>(json);
  WriteVocabulary<InteractionChannel>(json);
  WriteVocabulary<Direction>(json);
  WriteVocabulary<InteractionType>(json);
  WriteVocabulary<ProductCategory>(json);
  WriteVocabulary<UserRole>(json);
  WriteVocabulary<ValueTier>(json);
  json.EndObject();
  return json.Take();
}

}  // namespace

// The Chinese labels of every code the API writes, from the same tables the importer
// parses with, so the console never keeps a second copy.
HttpResponse ApiServer::Vocabulary(Context&) {
  static const std::string body = VocabularyJson();
  return JsonResponse(body);
}

Result<Customer> ApiServer::VisibleCustomer(Context& c, std::string_view customer_id) {
  auto customer = c.store.GetCustomer(customer_id);
  if (!customer.ok()) {
    if (customer.status().code() == StatusCode::kNotFound) NoSuchCustomer(customer_id);
    ThrowStatus(customer.status());
  }
  // Out of scope looks exactly like unknown: no hint that the customer exists.
  if (!InScope(c.principal, *customer)) NoSuchCustomer(customer_id);
  return customer;
}

void ApiServer::NoSuchCustomer(std::string_view customer_id) {
  throw ApiError{404, "not_found", "no customer '" + std::string(customer_id) + "'", "customer_id"};
}

}  // namespace fincrm
