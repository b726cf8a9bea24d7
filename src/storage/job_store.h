// JobStore: the scheduler's durable records — each job's next run, the lock that lets
// one runner at a time run a job (several servers share a database), and a record of
// every run (start, end, outcome, rows touched). Implemented for SQLite in
// sqlite/sqlite_job_store.cc.
//
// Threading: one thread at a time per JobStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"

namespace fincrm {

struct JobRun {
  int64_t run_id = 0;
  std::string job;
  std::string runner;   // "host:pid", or "cli:user" for `fincrm jobs run-once`
  Timestamp started_at;  // wall clock
  Timestamp clock_at;    // the job's clock (differs from started_at under --now)
  Timestamp ended_at;    // 0 while running
  std::string outcome;   // "running", "ok", "failed"
  int64_t rows_touched = 0;
  std::string message;
};

struct JobLock {
  std::string runner;
  Timestamp expires_at;
};

class JobStore {
 public:
  virtual ~JobStore() = default;
  // Takes (or, for its holder, extends) the job's lock until `until`, unless another
  // runner holds it past `now`. Answers whether this runner holds it now.
  virtual Result<bool> TryLock(const std::string& job, const std::string& runner, Timestamp now, Timestamp until) = 0;
  // Lets go of the lock if this runner holds it.
  virtual Status Unlock(const std::string& job, const std::string& runner) = 0;
  virtual Result<std::optional<JobLock>> Lock(const std::string& job) = 0;

  virtual Result<int64_t> StartRun(const JobRun& run) = 0;
  virtual Status FinishRun(int64_t run_id, Timestamp ended_at, const std::string& outcome, int64_t rows_touched,
                           const std::string& message) = 0;
  // Newest first; `job` empty: every job's.
  virtual Result<std::vector<JobRun>> Runs(const std::string& job, int limit) = 0;

  virtual Result<std::optional<Timestamp>> NextRun(const std::string& job) = 0;
  virtual Status SetNextRun(const std::string& job, Timestamp at) = 0;
};

// Applies the jobs module's migrations. Unavailable when the database cannot be opened.
Result<std::unique_ptr<JobStore>> OpenJobStore(const std::string& location);

}  // namespace fincrm
