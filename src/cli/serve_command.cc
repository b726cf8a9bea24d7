#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "api/api_server.h"
#include "api/sessions.h"
#include "cli/commands.h"
#include "storage/open_store.h"

namespace fincrm {

int RunServe(const ServeArgs& args) {
  if (args.db.empty()) {
    std::fprintf(stderr, "error: --db is required (or FINCRM_DB, or db = \"...\" in the --config file)\n");
    return kExitUsage;
  }
  ApiServerOptions options;
  options.db_path = args.db;
  size_t colon = args.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "error: --listen: expected HOST:PORT, got '%s'\n", args.listen.c_str());
    return kExitUsage;
  }
  options.http.address = args.listen.substr(0, colon);
  try {
    options.http.port = std::stoi(args.listen.substr(colon + 1));
  } catch (const std::exception&) {
    std::fprintf(stderr, "error: --listen: '%s' is not a port\n", args.listen.substr(colon + 1).c_str());
    return kExitUsage;
  }
  options.http.worker_threads = args.workers;
  options.http.max_connections_per_address = args.max_connections_per_address;
  options.http.max_connections = args.max_connections;
  options.http.trusted_proxies = args.trusted_proxies;
  auto nightly = ParseTimeOfDay(args.nightly_analysis_at);
  if (!nightly.ok()) {
    std::fprintf(stderr, "error: --nightly-analysis-at: %s\n", nightly.status().message().c_str());
    return kExitUsage;
  }
  options.jobs.nightly_analysis_minute = *nightly;
  options.jobs.second_level_after_seconds = args.sla_second_level_minutes * 60;
  options.jobs.suitability.validity_months = args.assessment_validity_months;
  options.jobs.nba_hold_out_percent = args.nba_hold_out_percent;
  CampaignOptions& campaigns = options.jobs.campaigns;
  campaigns.smtp.url = args.smtp_url;
  campaigns.smtp.from = args.smtp_from;
  campaigns.smtp.starttls = args.smtp_starttls;
  campaigns.smtp.user = args.smtp_user;
  if (const char* password = std::getenv("FINCRM_SMTP_PASSWORD")) campaigns.smtp.password = password;
  campaigns.sms.url = args.sms_gateway_url;
  campaigns.sms.provider = args.sms_provider == "tencent" ? SmsProvider::kTencent : SmsProvider::kAliyun;
  campaigns.sms.sign_name = args.sms_sign_name;
  campaigns.sms.app_id = args.sms_app_id;
  campaigns.public_url = args.public_url.empty() ? "http://" + args.listen : args.public_url;
  while (campaigns.public_url.ends_with('/')) campaigns.public_url.pop_back();
  campaigns.contact_limit = args.contact_limit;
  campaigns.outbox.per_second[CampaignChannel::kEmail] = args.email_per_second;
  campaigns.outbox.per_second[CampaignChannel::kSms] = args.sms_per_second;
  campaigns.outbox.retry_seconds = args.outbox_retry_seconds;
  {
    int from = -1, to = -1;
    char dash = 0;
    if (std::sscanf(args.sms_quiet_hours.c_str(), "%d%c%d", &from, &dash, &to) != 3 || dash != '-' || from < 0 ||
        from > 23 || to < 0 || to > 23) {
      std::fprintf(stderr, "error: --sms-quiet-hours: '%s' is not FROM-TO in hours 0-23 (21-8)\n",
                   args.sms_quiet_hours.c_str());
      return kExitUsage;
    }
    campaigns.outbox.sms_quiet_from_hour = from;
    campaigns.outbox.sms_quiet_to_hour = to;
  }
  campaigns.smtp.unsubscribe_base = campaigns.public_url + "/api/v1/unsubscribe/";
  options.http.max_body_bytes = args.max_body_mb << 20;
  options.live.churn_threshold = args.churn_threshold;
  options.live.rescore_seconds = args.rescore_seconds;
  options.ingest.apply_at_age = std::chrono::seconds(args.journal_max_age_seconds);
  options.ingest.max_unapplied_events = args.journal_max_pending;
  options.sessions.idle_minutes = args.session_idle_minutes;
  options.secure_cookies = args.secure_cookies;
  options.customer_view_cache_bytes = static_cast<size_t>(args.view_cache_mb) << 20;
  options.web_root = args.web_root;
  options.audit_key_file = args.audit_key_file;
  options.audit_checkpoint_file = args.audit_checkpoint_file;
  options.allowed_origins = args.allowed_origins;
  options.webhook_allowed_hosts = args.webhook_allowed_hosts;

  // Signals are taken by sigwait below, so every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ApiServer server(options);
  Status started = server.Start();
  if (!started.ok()) return Fail(started);
  std::printf("FinCRM is serving %s at http://%s:%d/ (API under /api/v1, OpenAPI at /api/v1/openapi.json)\n",
              args.db.c_str(), options.http.address.c_str(), server.port());
  std::printf("Stop with Ctrl-C or SIGTERM; acknowledged writes are committed before exit.\n");
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "fincrm serve: signal %d, shutting down\n", signal);
  server.Stop();
  return kExitOk;
}

int RunApiKeyAdd(const std::string& db, const std::string& name, const std::vector<std::string>& permissions) {
  // What each --permission lets a key do; one key may have several.
  std::string scopes;
  for (const std::string& permission : permissions.empty() ? std::vector<std::string>{"events"} : permissions) {
    std::string scope = permission == "events" ? "events:write" : permission == "cti" ? "cti" : permission == "sms" ? "sms" : "";
    if (scope.empty()) {
      std::fprintf(stderr, "error: --permission: '%s' is not one of: events, cti, sms\n", permission.c_str());
      return kExitUsage;
    }
    if (scopes.find(scope) == std::string::npos) scopes += (scopes.empty() ? "" : " ") + scope;
  }
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  ApiKey key;
  key.key_id = RandomToken(6);
  std::string secret = "fk_" + key.key_id + "_" + RandomToken(24);
  key.name = name;
  key.key_hash = Sha256Hex(secret);
  key.scopes = scopes;
  key.created_at = CurrentTime();
  Status added = (*store)->AddApiKey(key);
  if (!added.ok()) return Fail(added);
  std::printf("%s\n", secret.c_str());
  std::fprintf(stderr, "API key %s for '%s' (%s). It is shown once: store it now.\n", key.key_id.c_str(),
               name.c_str(), scopes.c_str());
  return kExitOk;
}

}  // namespace fincrm
