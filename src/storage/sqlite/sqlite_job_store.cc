// The jobs module's SQLite tables: the run record, the per-job lock and the next run.
#include <sqlite3.h>

#include "storage/job_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kJobSchema = R"sql(
CREATE TABLE job_runs (
  run_id INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  runner TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  clock_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  rows_touched INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_by_job ON job_runs(job, run_id);
-- One runner at a time per job: a lease, taken only when free or expired.
CREATE TABLE job_locks (
  job TEXT PRIMARY KEY,
  runner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE job_schedule (
  job TEXT PRIMARY KEY,
  next_run_at INTEGER NOT NULL
);
)sql";

constexpr Migration kJobMigrations[] = {
    {1, "scheduled jobs: runs, locks, next runs", kJobSchema},
};

class SqliteJobStore final : public JobStore {
 public:
  explicit SqliteJobStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<bool> TryLock(const std::string& job, const std::string& runner, Timestamp now, Timestamp until) override {
    // One statement, so that two runners racing for a free lock cannot both win: the
    // row is taken only when it is absent, expired, or already this runner's.
    auto take = db_->Prepared(
        "INSERT INTO job_locks (job, runner, expires_at) VALUES (?1, ?2, ?4) ON CONFLICT (job) DO UPDATE SET "
        "runner = excluded.runner, expires_at = excluded.expires_at "
        "WHERE job_locks.runner = excluded.runner OR job_locks.expires_at <= ?3");
    if (!take.ok()) return take.status();
    (*take)->Bind(1, std::string_view(job));
    (*take)->Bind(2, std::string_view(runner));
    (*take)->Bind(3, now);
    (*take)->Bind(4, until);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*take)->Step(), "taking the job's lock"));
    return db_->Changes() == 1;
  }

  Status Unlock(const std::string& job, const std::string& runner) override {
    auto drop = db_->Prepared("DELETE FROM job_locks WHERE job = ?1 AND runner = ?2");
    if (!drop.ok()) return drop.status();
    (*drop)->Bind(1, std::string_view(job));
    (*drop)->Bind(2, std::string_view(runner));
    return StepStatus(*db_, (*drop)->Step(), "releasing the job's lock");
  }

  Result<std::optional<JobLock>> Lock(const std::string& job) override {
    auto query = db_->Prepared("SELECT runner, expires_at FROM job_locks WHERE job = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, std::string_view(job));
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      JobLock lock;
      (*query)->Read(0, lock.runner);
      (*query)->Read(1, lock.expires_at);
      (*query)->Reset();
      return std::optional<JobLock>(lock);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the job's lock"));
    return std::optional<JobLock>();
  }

  Result<int64_t> StartRun(const JobRun& run) override {
    auto insert = db_->Prepared(
        "INSERT INTO job_runs (job, runner, started_at, clock_at, outcome) VALUES (?1, ?2, ?3, ?4, 'running')");
    if (!insert.ok()) return insert.status();
    (*insert)->Bind(1, std::string_view(run.job));
    (*insert)->Bind(2, std::string_view(run.runner));
    (*insert)->Bind(3, run.started_at);
    (*insert)->Bind(4, run.clock_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "recording the job's run"));
    return db_->LastInsertId();
  }

  Status FinishRun(int64_t run_id, Timestamp ended_at, const std::string& outcome, int64_t rows_touched,
                   const std::string& message) override {
    auto update = db_->Prepared(
        "UPDATE job_runs SET ended_at = ?2, outcome = ?3, rows_touched = ?4, message = ?5 WHERE run_id = ?1");
    if (!update.ok()) return update.status();
    (*update)->Bind(1, run_id);
    (*update)->Bind(2, ended_at);
    (*update)->Bind(3, std::string_view(outcome));
    (*update)->Bind(4, rows_touched);
    (*update)->Bind(5, std::string_view(message));
    return StepStatus(*db_, (*update)->Step(), "recording the job's outcome");
  }

  Result<std::vector<JobRun>> Runs(const std::string& job, int limit) override {
    auto query = db_->Prepared(
        "SELECT run_id, job, runner, started_at, clock_at, ended_at, outcome, rows_touched, message FROM job_runs "
        "WHERE ?1 = '' OR job = ?1 ORDER BY run_id DESC LIMIT ?2");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(job));
    s.Bind(2, int64_t{limit});
    std::vector<JobRun> runs;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      JobRun& run = runs.emplace_back();
      s.Read(0, run.run_id);
      s.Read(1, run.job);
      s.Read(2, run.runner);
      s.Read(3, run.started_at);
      s.Read(4, run.clock_at);
      s.Read(5, run.ended_at);
      s.Read(6, run.outcome);
      s.Read(7, run.rows_touched);
      s.Read(8, run.message);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing the job's runs"));
    return runs;
  }

  Result<std::optional<Timestamp>> NextRun(const std::string& job) override {
    auto query = db_->Prepared("SELECT next_run_at FROM job_schedule WHERE job = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, std::string_view(job));
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      Timestamp at;
      (*query)->Read(0, at);
      (*query)->Reset();
      return std::optional<Timestamp>(at);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the job's next run"));
    return std::optional<Timestamp>();
  }

  Status SetNextRun(const std::string& job, Timestamp at) override {
    auto upsert = db_->Prepared(
        "INSERT INTO job_schedule (job, next_run_at) VALUES (?1, ?2) "
        "ON CONFLICT (job) DO UPDATE SET next_run_at = excluded.next_run_at");
    if (!upsert.ok()) return upsert.status();
    (*upsert)->Bind(1, std::string_view(job));
    (*upsert)->Bind(2, at);
    return StepStatus(*db_, (*upsert)->Step(), "recording the job's next run");
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<JobStore>> OpenJobStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "jobs", kJobMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<JobStore>(new SqliteJobStore(std::move(*db)));
}

}  // namespace fincrm
