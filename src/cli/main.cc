// fincrm: the single binary. This file only declares the command line (CLI11 is
// heavy to compile, so it stays in this one translation unit) and dispatches to the
// subcommand functions in commands.h.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdlib>

#include "cli/commands.h"
#include "core/crash_handler.h"

namespace {

// XGBoost trains on OpenMP threads, which by default spin at every barrier before they
// sleep. Where CPU time is rationed (a container's quota, a busy two-core host) the
// spinning threads spend the time the working ones need: churn and table training took
// 11.8 s spinning against 6.1 s waiting passively on two free cores, 27 s against 5 s
// under a one-CPU quota, and over 300 s in CI. libgomp reads OMP_WAIT_POLICY once, as
// it is loaded, before main, and the C library resets the environment after even a
// preinit function, so the only way to choose for the operator is to start again with
// it set. The process keeps its id; an operator's own setting is kept; if the
// executable cannot be found again the program simply carries on spinning.
void RestartWithPassiveOpenMpWaiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0) != 0) return;
  execv("/proc/self/exe", argv);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fincrm;
  RestartWithPassiveOpenMpWaiting(argv);
  InstallCrashHandler();
  CLI::App app{"FinCRM — customer relationship management and analytics for securities brokerages"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fincrm 0.1.0");

  std::string db;
  auto* init = app.add_subcommand("init", "Create a database or upgrade its schema");
  init->add_option("--db", db, "Database file")->required();

  ImportArgs import_args;
  auto* import = app.add_subcommand("import", "Import a CSV file (UTF-8 or GBK) of one kind");
  import->add_option("--db", import_args.db, "Database file")->required();
  import->add_option("KIND", import_args.kind,
                     "branches, staff, products, customers, households, accounts, assets, trades, "
                     "interactions or holdings (a snapshot: the whole file or nothing)")
      ->required();
  import->add_option("FILE", import_args.file, "CSV file with a header line")->required();
  import->add_option("--encoding", import_args.encoding, "auto (default), utf-8 or gbk");
  import->add_option("--rejects", import_args.rejects,
                     "Where to write rejected rows (default FILE.rejects.csv)");

  ExportArgs export_args;
  auto* export_cmd = app.add_subcommand("export", "Export one kind to CSV or, for *.xlsx, Excel");
  export_cmd->add_option("--db", export_args.db, "Database file")->required();
  export_cmd->add_option("KIND", export_args.kind,
                         "What to export: as for import, or analysis_runs, customer_scores, "
                         "tier_history, kpi_scores")
      ->required();
  export_cmd->add_option("--out", export_args.out, "Output file (.csv or .xlsx)")->required();
  export_cmd->add_option("--encoding", export_args.encoding, "utf-8 (default) or gbk");
  export_cmd->add_flag("--chinese-headers", export_args.chinese_headers, "Chinese column names");
  export_cmd->add_flag("--bom", export_args.bom, "Start UTF-8 CSV with a BOM (for Excel)");

  DemoDataArgs demo_args;
  auto* demo = app.add_subcommand("demo-data", "Generate a realistic demo brokerage");
  demo->add_option("--db", demo_args.db, "Database file to fill (must hold no customers)");
  demo->add_option("--csv", demo_args.csv_dir, "Write CSV files into this folder instead");
  demo->add_option("--customers", demo_args.customers, "Number of customers")->capture_default_str();
  demo->add_option("--seed", demo_args.seed, "Random seed (same seed, same data)")->capture_default_str();
  demo->add_option("--months", demo_args.months, "Months of history")->capture_default_str();
  demo->add_option("--end-date", demo_args.end_date, "Last day of history (default 2026-10-30)");
  demo->add_option("--calendar", demo_args.calendar_file,
                   "Business calendar whose trading days the history follows (default: Monday to Friday)");

  auto* stats = app.add_subcommand("stats", "Count the rows of every kind");
  stats->add_option("--db", db, "Database file")->required();

  // The audit key (audit_trail.h) for every command that writes to the audit trail.
  std::string audit_key_file, checkpoint_file, keygen_out;
  auto key_option = [&](CLI::App* command, std::string& target) {
    command->add_option("--audit-key-file", target, "File of the key that seals the audit trail")
        ->envname("FINCRM_AUDIT_KEY_FILE");
  };
  std::string customer_id;
  auto* customer = app.add_subcommand("customer", "Show one customer whole");
  customer->add_option("--db", db, "Database file")->required();
  key_option(customer, audit_key_file);
  customer->add_option("ID", customer_id, "Customer number (客户号)")->required();

  TrainArgs train_args;
  auto* train = app.add_subcommand("train", "Train and cross-validate a classifier on any CSV table");
  train->add_option("--csv", train_args.csv, "CSV file with a header line")->required();
  train->add_option("--label", train_args.label, "The column to predict")->required();
  train->add_option("--positive", train_args.positive, "The label value that counts as positive")->required();
  train->add_option("--folds", train_args.folds, "Cross-validation folds")->capture_default_str();
  train->add_option("--rounds", train_args.rounds, "Boosting rounds")->capture_default_str();
  train->add_option("--depth", train_args.depth, "Tree depth")->capture_default_str();
  train->add_option("--learning-rate", train_args.learning_rate, "Shrinkage per round")->capture_default_str();

  UserAddArgs user_args;
  auto* user = app.add_subcommand("user", "Manage logins");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a login (password from a prompt or --password-stdin)");
  user_add->add_option("--db", user_args.db, "Database file")->required();
  user_add->add_option("--login", user_args.login, "Login name")->required();
  user_add->add_option("--role", user_args.role,
                       "admin, hq_analyst, branch_manager, broker, agent, research_analyst, compliance, integration")
      ->required();
  user_add->add_option("--branch", user_args.branch, "Branch of a branch manager");
  user_add->add_option("--staff-id", user_args.staff_id, "Staff record of a broker");
  user_add->add_flag("--password-stdin", user_args.password_stdin, "Read the password from standard input");
  key_option(user_add, user_args.audit_key_file);
  auto* user_list = user->add_subcommand("list", "List logins");
  user_list->add_option("--db", db, "Database file")->required();

  auto* audit = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "Check the hash chain and name the first tampered entry");
  audit_verify->add_option("--db", db, "Database file")->required();
  key_option(audit_verify, audit_key_file);
  audit_verify->add_option("--checkpoint-file", checkpoint_file,
                           "Signed checkpoints to compare against (the server's checkpoint file or its log)")
      ->envname("FINCRM_AUDIT_CHECKPOINT_FILE");
  std::string expect_head;
  audit_verify->add_option("--expect-head", expect_head,
                           "A head printed by `fincrm audit head` earlier and kept elsewhere (or SEQUENCE:HASH): "
                           "the trail must still hold it");
  auto* audit_head = audit->add_subcommand("head", "Print the trail's newest entry's sequence and hash, to keep "
                                                   "elsewhere for `audit verify --expect-head`");
  audit_head->add_option("--db", db, "Database file")->required();
  auto* audit_keygen = audit->add_subcommand("keygen", "Create an audit key file (never overwrites one)");
  audit_keygen->add_option("--out", keygen_out, "Key file to create")->required();

  std::string model_name = "churn";
  auto* model = app.add_subcommand("model", "Show a stored model's card and decision-tree rules");
  model->add_option("--db", db, "Database file")->required();
  model->add_option("--name", model_name, "churn or tier_rules")->capture_default_str();

  auto* analyze = app.add_subcommand("analyze", "Recompute all analyses and store the results");
  analyze->add_option("--db", db, "Database file")->required();
  int clusters = 0;
  analyze->add_option("--clusters", clusters, "Number of customer segments (0: chosen by silhouette)")
      ->capture_default_str();

  CubeArgs cube_args;
  auto* cube = app.add_subcommand("cube", "Group trades, assets and customers by any dimensions (OLAP)");
  cube->add_option("--db", cube_args.db, "Database file")->required();
  cube->add_option("--measures", cube_args.measures,
                   "trade_amount, commission, trade_count, active_customers, new_customers, assets")
      ->capture_default_str();
  cube->add_option("--by", cube_args.by,
                   "Up to 4 of: day, month, quarter, year, branch, broker, province, tier, cluster, "
                   "risk_level, channel, product_type, market, age_band");
  cube->add_option("--where", cube_args.where, "Filters: \"tier=gold;branch!=B001,B002\"");
  cube->add_option("--from", cube_args.from, "First day or month (YYYY-MM-DD or YYYY-MM)");
  cube->add_option("--to", cube_args.to, "Last day or month");
  cube->add_option("--top", cube_args.top, "Keep the N largest rows by the first measure");
  cube->add_flag("--pivot", cube_args.pivot, "Two dimensions as a pivot table of the first measure");

  ServeArgs serve_args;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API (and the web console) on the database");
  // CLI11 reads config files for the whole app: options go under a [serve] section.
  // fallthrough lets --config follow the subcommand.
  app.set_config("--config", "", "INI/TOML file; `fincrm serve` reads its [serve] section (flags and FINCRM_* win)");
  serve->fallthrough();
  // Not required() here: a value may come from the config file, read after that check.
  serve->add_option("--db", serve_args.db, "Database file (required)")->envname("FINCRM_DB");
  serve->add_option("--listen", serve_args.listen, "HOST:PORT (port 0 picks a free one)")
      ->capture_default_str()->envname("FINCRM_LISTEN");
  serve->add_option("--web-root", serve_args.web_root, "Directory of a built web console to serve instead of the one built in (development)")
      ->envname("FINCRM_WEB_ROOT");
  serve->add_option("--churn-threshold", serve_args.churn_threshold, "Churn risk that raises an alert and a task")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0))->envname("FINCRM_CHURN_THRESHOLD");
  serve->add_option("--rescore-seconds", serve_args.rescore_seconds, "Live churn rescoring interval")
      ->capture_default_str()->check(CLI::Range(1, 3600))->envname("FINCRM_RESCORE_SECONDS");
  serve->add_option("--journal-max-age-seconds", serve_args.journal_max_age_seconds,
                    "Apply journaled events to the customer tables once the oldest is this old")
      ->capture_default_str()->check(CLI::Range(1, 86400))->envname("FINCRM_JOURNAL_MAX_AGE_SECONDS");
  serve->add_option("--journal-max-pending", serve_args.journal_max_pending,
                    "Accepted events waiting for application (a few hundred bytes of memory each) at which "
                    "ingest waits for the application to catch up")
      ->capture_default_str()->check(CLI::Range(int64_t{10000}, int64_t{100000000}))
      ->envname("FINCRM_JOURNAL_MAX_PENDING");
  serve->add_option("--workers", serve_args.workers, "Request handler threads")
      ->capture_default_str()->check(CLI::Range(1, 1024))->envname("FINCRM_WORKERS");
  serve->add_option("--max-body-mb", serve_args.max_body_mb, "Largest request body (413 above)")
      ->capture_default_str()->check(CLI::Range(1, 1024))->envname("FINCRM_MAX_BODY_MB");
  serve->add_option("--session-idle-minutes", serve_args.session_idle_minutes, "Sign-out after this long unused")
      ->capture_default_str()->check(CLI::Range(1, 1440))->envname("FINCRM_SESSION_IDLE_MINUTES");
  serve->add_option("--view-cache-mb", serve_args.view_cache_mb, "Memory for rendered customer 360 views")
      ->capture_default_str()->check(CLI::Range(0, 1 << 20))->envname("FINCRM_VIEW_CACHE_MB");
  serve->add_flag("--secure-cookies", serve_args.secure_cookies, "Mark the session cookie Secure (behind TLS)")
      ->envname("FINCRM_SECURE_COOKIES");
  key_option(serve, serve_args.audit_key_file);
  serve->add_option("--audit-checkpoint-file", serve_args.audit_checkpoint_file,
                    "Append-only file for signed checkpoints of the audit trail's head")
      ->envname("FINCRM_AUDIT_CHECKPOINT_FILE");
  serve->add_option("--allowed-origin", serve_args.allowed_origins,
                    "Another origin whose pages may write (https://crm.example.com); repeatable")
      ->envname("FINCRM_ALLOWED_ORIGINS")->delimiter(',');
  serve->add_option("--max-connections-per-address", serve_args.max_connections_per_address,
                    "Open connections one client address may hold (0: no cap; raise it behind a proxy)")
      ->capture_default_str()->check(CLI::Range(0, 1 << 20))->envname("FINCRM_MAX_CONNECTIONS_PER_ADDRESS");
  serve->add_option("--max-connections", serve_args.max_connections,
                    "Open client connections in all (0: what the open-file limit leaves, less 256)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{1} << 20))->envname("FINCRM_MAX_CONNECTIONS");
  serve->add_option("--trusted-proxy", serve_args.trusted_proxies,
                    "Address of a reverse proxy whose X-Forwarded-For names the client (sign-in limits, "
                    "audit); repeatable")
      ->envname("FINCRM_TRUSTED_PROXIES")->delimiter(',');
  serve->add_option("--nightly-analysis-at", serve_args.nightly_analysis_at,
                    "When the nightly-analysis job runs (HH:MM, Asia/Shanghai), after the day's trading import")
      ->capture_default_str()->envname("FINCRM_NIGHTLY_ANALYSIS_AT");
  serve->add_option("--sla-second-level-minutes", serve_args.sla_second_level_minutes,
                    "Business minutes after a breach at which a ticket escalates to the head-office service center")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->envname("FINCRM_SLA_SECOND_LEVEL_MINUTES");
  serve->add_option("--assessment-validity-months", serve_args.assessment_validity_months,
                    "How long a risk assessment (suitability) holds")
      ->capture_default_str()->check(CLI::Range(1, 120))->envname("FINCRM_ASSESSMENT_VALIDITY_MONTHS");
  serve->add_option("--nba-hold-out-percent", serve_args.nba_hold_out_percent,
                    "Share of next-best actions withheld to measure their uplift")
      ->capture_default_str()->check(CLI::Range(0, 50))->envname("FINCRM_NBA_HOLD_OUT_PERCENT");
  serve->add_option("--smtp-url", serve_args.smtp_url, "Campaign e-mail: the SMTP server (smtp://host:port, smtps://host:port)")
      ->envname("FINCRM_SMTP_URL");
  serve->add_option("--smtp-from", serve_args.smtp_from, "Campaign e-mail: the sender address")
      ->capture_default_str()->envname("FINCRM_SMTP_FROM");
  serve->add_option("--smtp-user", serve_args.smtp_user, "Campaign e-mail: the SMTP login (password in FINCRM_SMTP_PASSWORD)")
      ->envname("FINCRM_SMTP_USER");
  serve->add_flag("--smtp-starttls", serve_args.smtp_starttls, "Campaign e-mail: require STARTTLS on smtp://")
      ->envname("FINCRM_SMTP_STARTTLS");
  serve->add_option("--sms-gateway-url", serve_args.sms_gateway_url, "Campaign SMS: the gateway's SendSms endpoint")
      ->envname("FINCRM_SMS_GATEWAY_URL");
  serve->add_option("--sms-provider", serve_args.sms_provider, "Campaign SMS: the gateway's request shape")
      ->capture_default_str()->check(CLI::IsMember({"aliyun", "tencent"}))->envname("FINCRM_SMS_PROVIDER");
  serve->add_option("--sms-sign-name", serve_args.sms_sign_name, "Campaign SMS: the registered signature (签名)")
      ->envname("FINCRM_SMS_SIGN_NAME");
  serve->add_option("--sms-app-id", serve_args.sms_app_id, "Campaign SMS: Tencent's SmsSdkAppId")
      ->envname("FINCRM_SMS_APP_ID");
  serve->add_option("--sms-quiet-hours", serve_args.sms_quiet_hours,
                    "Campaign SMS: Shanghai hours without SMS, FROM-TO (21-8: none from 21:00 to 08:00; 0-0: none quiet)")
      ->capture_default_str()->envname("FINCRM_SMS_QUIET_HOURS");
  serve->add_option("--public-url", serve_args.public_url,
                    "The server as customers reach it, for tracking, click and unsubscribe links (default: the listen address)")
      ->envname("FINCRM_PUBLIC_URL");
  serve->add_option("--contact-limit", serve_args.contact_limit,
                    "Promotional contacts a customer may get in 30 days, on all channels together")
      ->capture_default_str()->check(CLI::Range(0, 100))->envname("FINCRM_CONTACT_LIMIT");
  serve->add_option("--email-per-second", serve_args.email_per_second, "Campaign e-mail: the outbox's rate")
      ->capture_default_str()->check(CLI::Range(0.1, 100000.0))->envname("FINCRM_EMAIL_PER_SECOND");
  serve->add_option("--sms-per-second", serve_args.sms_per_second, "Campaign SMS: the outbox's rate")
      ->capture_default_str()->check(CLI::Range(0.1, 100000.0))->envname("FINCRM_SMS_PER_SECOND");
  serve->add_option("--outbox-retry-seconds", serve_args.outbox_retry_seconds,
                    "The outbox's first retry delay (doubled each retry, at most an hour)")
      ->capture_default_str()->check(CLI::Range(1, 3600))->envname("FINCRM_OUTBOX_RETRY_SECONDS");
  serve->add_option("--webhook-allow-host", serve_args.webhook_allowed_hosts,
                    "A webhook host allowed although it is loopback or private (an internal receiver); repeatable")
      ->envname("FINCRM_WEBHOOK_ALLOWED_HOSTS")->delimiter(',');

  std::string apikey_name;
  auto* apikey = app.add_subcommand("apikey", "API keys of integration systems (events ingest, the PBX's CTI events)");
  apikey->require_subcommand(1);
  auto* apikey_add = apikey->add_subcommand("add", "Create a key and print it once");
  apikey_add->add_option("--db", db, "Database file")->required();
  apikey_add->add_option("--name", apikey_name, "Which system uses it")->required();
  std::vector<std::string> apikey_permissions;
  apikey_add->add_option("--permission", apikey_permissions,
                         "What the key may do: events (POST /events, the default), cti (the PBX's POST /cti), sms (the "
                         "SMS gateway's POST /sms/receipts); repeatable");

  std::string calendar_file;
  int calendar_year = 0;
  auto* calendar = app.add_subcommand("calendar", "The business calendar: trading days, holidays, 调休, working hours");
  calendar->require_subcommand(1);
  auto* calendar_import = calendar->add_subcommand("import", "Import a calendar CSV (kind,value,name) as a new version");
  calendar_import->add_option("file", calendar_file, "CSV file: hours, holiday and workday rows")->required();
  calendar_import->add_option("--db", db, "Database file")->required();
  key_option(calendar_import, audit_key_file);
  auto* calendar_show = calendar->add_subcommand("show", "The calendar in force and one year's closed and make-up days");
  calendar_show->add_option("--db", db, "Database file")->required();
  calendar_show->add_option("--year", calendar_year, "Year to list (default: this year)");

  SuitabilityArgs suitability_args;
  auto* suitability = app.add_subcommand("suitability", "The suitability gate (投资者适当性): check an item, the compliance report");
  suitability->require_subcommand(1);
  auto* suitability_check = suitability->add_subcommand("check", "May an item of this risk level reach this customer? (logged when blocked)");
  suitability_check->add_option("--db", suitability_args.db, "Database file")->required();
  suitability_check->add_option("--customer", suitability_args.customer_id, "Customer number")->required();
  suitability_check->add_option("--risk", suitability_args.risk_level, "The item's risk level, R1–R5")->required();
  suitability_check->add_option("--purpose", suitability_args.purpose, "promotion (default) or customer_request");
  suitability_check->add_option("--item", suitability_args.item_id, "The product or report it is about");
  auto* suitability_report = suitability->add_subcommand("report", "Blocks by channel and rule, overrides, expired and missing grades");
  suitability_report->add_option("--db", suitability_args.db, "Database file")->required();
  suitability_report->add_option("--from", suitability_args.from, "First day (default: the month's first)");
  suitability_report->add_option("--to", suitability_args.to, "Last day (default: today)");
  for (auto* command : {suitability_check, suitability_report}) {
    command->add_option("--assessment-validity-months", suitability_args.validity_months, "As for serve")
        ->capture_default_str()->check(CLI::Range(1, 120))->envname("FINCRM_ASSESSMENT_VALIDITY_MONTHS");
  }

  std::string job_name, job_now;
  auto* demo_service = app.add_subcommand("demo-service", "Give the demo brokerage a month of calls, callbacks, tickets and return visits");
  uint64_t demo_service_seed = 42;
  std::string demo_service_now;
  demo_service->add_option("--db", db, "Database file (a demo brokerage)")->required();
  demo_service->add_option("--seed", demo_service_seed, "Random seed");
  demo_service->add_option("--now", demo_service_now, "The end of the month, ISO-8601 (default: now)");
  auto* jobs = app.add_subcommand("jobs", "Scheduled jobs: SLA escalation, nightly analysis, rescoring");
  jobs->require_subcommand(1);
  auto* jobs_list = jobs->add_subcommand("list", "Each job's schedule, next run, lock holder and last run");
  jobs_list->add_option("--db", db, "Database file")->required();
  auto* jobs_run = jobs->add_subcommand("run-once", "Run one job now (as the scheduler would) and record the run");
  jobs_run->add_option("name", job_name, "Job: sla-escalation, return-visit-planning, nightly-analysis")->required();
  jobs_run->add_option("--db", db, "Database file")->required();
  jobs_run->add_option("--now", job_now, "The job's clock, ISO-8601 (default: now)");

  KpiArgs kpi_args;
  auto* kpi = app.add_subcommand("kpi", "CRM performance scorecard per branch or broker (20:30:30:20)");
  kpi->add_option("--db", kpi_args.db, "Database file")->required();
  kpi->add_option("--period", kpi_args.period, "YYYY-MM, YYYY-Qn or YYYY (default: latest complete month)");
  kpi->add_option("--level", kpi_args.level, "branch or broker")->capture_default_str();
  kpi->add_option("--weights", kpi_args.weights, "new:retention:upgrade:profitability")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version exit 0; every usage mistake exits 2, like other tools.
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }

  if (*init) return RunInit(db);
  if (*import) return RunImport(import_args);
  if (*export_cmd) return RunExport(export_args);
  if (*demo) return RunDemoData(demo_args);
  if (*stats) return RunStats(db);
  if (*customer) return RunCustomer(db, customer_id, audit_key_file);
  if (*cube) return RunCube(cube_args);
  if (*analyze) return RunAnalyze(db, clusters);
  if (*train) return RunTrain(train_args);
  if (*model) return RunModel(db, model_name);
  if (*serve) return RunServe(serve_args);
  if (*apikey_add) return RunApiKeyAdd(db, apikey_name, apikey_permissions);
  if (*user_add) return RunUserAdd(user_args);
  if (*user_list) return RunUserList(db);
  if (*audit_verify) return RunAuditVerify(db, audit_key_file, checkpoint_file, expect_head);
  if (*audit_head) return RunAuditHead(db);
  if (*audit_keygen) return RunAuditKeygen(keygen_out);
  if (*kpi) return RunKpi(kpi_args);
  if (*calendar_import) return RunCalendarImport(db, calendar_file, audit_key_file);
  if (*suitability_check) return RunSuitabilityCheck(suitability_args);
  if (*suitability_report) return RunSuitabilityReport(suitability_args);
  if (*demo_service) return RunDemoService(db, demo_service_seed, demo_service_now);
  if (*jobs_list) return RunJobsList(db);
  if (*jobs_run) return RunJobsRunOnce(db, job_name, job_now);
  if (*calendar_show) {
    if (calendar_year == 0) {
      int year;
      unsigned month, day;
      CivilFromDays(ShanghaiDate(CurrentTime()).days, year, month, day);
      calendar_year = year;
    }
    return RunCalendarShow(db, calendar_year);
  }
  return kExitFailure;
}
