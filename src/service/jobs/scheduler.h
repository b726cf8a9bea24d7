// Scheduled jobs in the server (定时任务): one scheduler runs every registered job at
// its next-run time, each run recorded durably (start, end, outcome, rows touched),
// and a per-job lock in the database lets one runner at a time run a job, so that two
// servers on one database never run the same job together. `fincrm jobs run-once`
// runs a job through the same path (for cron and tests, with its clock given).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"
#include "storage/job_store.h"

namespace fincrm {

// When a job is due: every `every_seconds`, or once a day at `daily_at_minute`
// (minutes after midnight, Asia/Shanghai). Exactly one of them is set.
struct JobSchedule {
  int64_t every_seconds = 0;
  int daily_at_minute = -1;
};
// The first run time strictly after `after`.
Timestamp NextRunAfter(const JobSchedule& schedule, Timestamp after);
// "every 60 s", "daily at 18:30".
std::string DescribeSchedule(const JobSchedule& schedule);

struct JobContext {
  std::string db_path;
  Timestamp now;  // the job's clock: the wall clock, or --now
};

struct JobOutcome {
  int64_t rows_touched = 0;
  std::string message;
};

struct Job {
  std::string name;
  std::string description;
  JobSchedule schedule;
  std::function<Result<JobOutcome>(const JobContext&)> run;
  // Due at once when the scheduler first sees it (otherwise at its next time): e.g. an
  // analysis the database has never had.
  std::function<bool(const JobContext&)> due_at_start;
};

class Scheduler {
 public:
  // `runner` names this process in locks and run records ("host:pid").
  Scheduler(std::string db_path, std::vector<Job> jobs, std::string runner,
            std::function<Timestamp()> now = CurrentTime);
  ~Scheduler();

  const std::vector<Job>& jobs() const { return jobs_; }
  // Starts the thread that runs due jobs (checking every second).
  Status Start();
  // Waits for a run in progress, then stops.
  void Stop();

  // Runs one job at `clock` now, whether due or not, if no other runner holds it:
  // FailedPrecondition naming the holder otherwise; NotFound for an unknown job. The
  // run is recorded whatever its outcome (a failed run answers its record, not an
  // error), and the job's next run is set from the wall clock.
  Result<JobRun> RunOnce(const std::string& name, Timestamp clock);

  // How long a lock lasts without renewal; a running job renews it every third of it.
  static constexpr int64_t kLeaseSeconds = 60;

 private:
  void Loop();
  Result<JobRun> Run(const Job& job, Timestamp clock, JobStore& store);

  std::string db_path_;
  std::vector<Job> jobs_;
  std::string runner_;
  std::function<Timestamp()> now_;
  std::thread thread_;
  // A job's run in progress (or finished, not yet joined); under mutex_.
  struct Worker {
    std::thread thread;
    bool done = true;
  };
  std::map<std::string, Worker> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// "host:pid": who holds a lock, in records an operator can trace.
std::string ThisRunner();

}  // namespace fincrm
