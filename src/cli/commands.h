// The fincrm subcommands, one function each, called by main.cc after CLI11 has
// parsed the arguments. Each returns the process exit code:
// 0 success, 1 failure (message on stderr), 2 usage error, 3 import finished with
// rejected rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/audit_trail.h"
#include "core/business_calendar.h"
#include "core/status.h"

namespace fincrm {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRowsRejected = 3;

// Prints "error: <status>" on stderr and returns kExitFailure.
int Fail(const Status& status);

int RunInit(const std::string& db);

struct ImportArgs {
  std::string db, kind, file, encoding = "auto", rejects;
};
int RunImport(const ImportArgs& args);

struct ExportArgs {
  std::string db, kind, out, encoding = "utf-8";
  bool chinese_headers = false, bom = false;
};
int RunExport(const ExportArgs& args);

struct DemoDataArgs {
  std::string db, csv_dir, end_date;
  std::string calendar_file;  // its trading days (`fincrm calendar import` format)
  int64_t customers = 10000;
  uint64_t seed = 42;
  int months = 24;
};
int RunDemoData(const DemoDataArgs& args);
// A business calendar file (`fincrm calendar import` format), and its bytes if asked.
Result<BusinessCalendar> ReadCalendarFile(const std::string& file, std::string* content = nullptr);

int RunStats(const std::string& db);
int RunCustomer(const std::string& db, const std::string& customer_id, const std::string& audit_key_file);

}  // namespace fincrm

namespace fincrm {

struct CubeArgs {
  std::string db, measures = "trade_amount", by, where, from, to;
  int top = 0;
  bool pivot = false;
};
int RunCube(const CubeArgs& args);

struct KpiArgs {
  std::string db, period, level = "branch", weights = "20:30:30:20";
};
int RunKpi(const KpiArgs& args);

}  // namespace fincrm

namespace fincrm {
// clusters = 0 lets the silhouette choose k.
int RunAnalyze(const std::string& db, int clusters);
}  // namespace fincrm

namespace fincrm {
struct TrainArgs {
  std::string csv, label, positive;
  int folds = 5;
  int rounds = 300, depth = 4;
  double learning_rate = 0.05;
};
int RunTrain(const TrainArgs& args);
}  // namespace fincrm

namespace fincrm {
int RunModel(const std::string& db, const std::string& name);
}  // namespace fincrm

namespace fincrm {
struct UserAddArgs {
  std::string db, login, role, branch, staff_id, audit_key_file;
  bool password_stdin = false;
};
int RunUserAdd(const UserAddArgs& args);
int RunUserList(const std::string& db);
}  // namespace fincrm

namespace fincrm {
// The audit key file's key, or nullopt when no file is named; InvalidArgument when it
// cannot be read.
Result<std::optional<AuditKey>> LoadAuditKey(const std::string& path);
// Checks the chain (keyed entries with the key), the latest signed checkpoint of
// `checkpoint_file` (a checkpoint file or the server's log) and a head kept elsewhere
// (`expect_head`, as `fincrm audit head` printed it), each when given.
int RunAuditVerify(const std::string& db, const std::string& audit_key_file, const std::string& checkpoint_file,
                   const std::string& expect_head);
// Prints the trail's head (FormatAuditHead) for keeping elsewhere.
int RunAuditHead(const std::string& db);
// Writes a new audit key to `out` (readable by its owner only); refuses to overwrite.
int RunAuditKeygen(const std::string& out);
// "cli:<operating-system user>", the actor of audit entries made from the command line.
std::string CliActor();
}  // namespace fincrm

namespace fincrm {
struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string web_root;
  double churn_threshold = 0.5;
  int rescore_seconds = 30;
  int journal_max_age_seconds = 60;
  int64_t journal_max_pending = 2000000;
  int workers = 32;
  int64_t max_body_mb = 32;
  int session_idle_minutes = 30;
  int64_t view_cache_mb = 1024;
  bool secure_cookies = false;
  std::string audit_key_file;
  std::string audit_checkpoint_file;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> webhook_allowed_hosts;
  int max_connections_per_address = 256;
  int64_t max_connections = 0;
  std::vector<std::string> trusted_proxies;
  std::string nightly_analysis_at = "18:30";
  int64_t sla_second_level_minutes = 240;
  int assessment_validity_months = 24;
  int nba_hold_out_percent = 10;
  // Campaigns: the gateways, the links in messages, the outbox's pace.
  std::string smtp_url, smtp_from = "crm@localhost", smtp_user;
  bool smtp_starttls = false;
  std::string sms_gateway_url, sms_provider = "aliyun", sms_sign_name, sms_app_id;
  std::string public_url;
  int contact_limit = 3;
  double email_per_second = 20, sms_per_second = 2000;
  int outbox_retry_seconds = 60;
  std::string sms_quiet_hours = "21-8";
};
int RunServe(const ServeArgs& args);
// Prints a new integration API key (ingest only) once.
// The demo's month of calls, callbacks and tickets (service/demo); --now ends it.
int RunDemoService(const std::string& db, uint64_t seed, const std::string& now);
// --permission: events (POST /events, the default), cti (the PBX's POST /cti), sms (the
// SMS gateway's POST /sms/receipts).
int RunApiKeyAdd(const std::string& db, const std::string& name, const std::vector<std::string>& permissions);
}  // namespace fincrm

namespace fincrm {
// `fincrm calendar import FILE`: the business calendar as a new version (all or
// nothing), audited; `fincrm calendar show`: the calendar in force and its versions.
int RunCalendarImport(const std::string& db, const std::string& file, const std::string& audit_key_file);

struct SuitabilityArgs {
  std::string db, customer_id, risk_level, purpose = "promotion", item_id, from, to;
  int validity_months = 24;
};
// Prints the gate's decision with its rule; exit 0 allowed, 4 blocked, 1 bad input.
int RunSuitabilityCheck(const SuitabilityArgs& args);
int RunSuitabilityReport(const SuitabilityArgs& args);
int RunCalendarShow(const std::string& db, int year);
// `fincrm jobs list`: every job with its schedule, next run, lock and last run;
// `fincrm jobs run-once NAME [--now T]`: runs it now through the scheduler's lock and
// records the run (exit 1 when it failed or another runner holds it).
int RunJobsList(const std::string& db);
int RunJobsRunOnce(const std::string& db, const std::string& name, const std::string& now);
}  // namespace fincrm
