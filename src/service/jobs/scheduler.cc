#include "service/jobs/scheduler.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "core/thread_name.h"

namespace fincrm {

Timestamp NextRunAfter(const JobSchedule& schedule, Timestamp after) {
  if (schedule.every_seconds > 0) return Timestamp{after.seconds + schedule.every_seconds};
  Date day = ShanghaiDate(after);
  for (int ahead = 0; ahead < 3; ++ahead) {
    Timestamp at = ShanghaiTime(Date{day.days + ahead}, schedule.daily_at_minute / 60, schedule.daily_at_minute % 60, 0);
    if (at > after) return at;
  }
  return Timestamp{after.seconds + 86400};
}

std::string DescribeSchedule(const JobSchedule& schedule) {
  if (schedule.every_seconds > 0) return "every " + std::to_string(schedule.every_seconds) + " s";
  char text[32];
  std::snprintf(text, sizeof text, "daily at %02d:%02d", schedule.daily_at_minute / 60, schedule.daily_at_minute % 60);
  return text;
}

std::string ThisRunner() {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

Scheduler::Scheduler(std::string db_path, std::vector<Job> jobs, std::string runner, std::function<Timestamp()> now)
    : db_path_(std::move(db_path)), jobs_(std::move(jobs)), runner_(std::move(runner)), now_(std::move(now)) {}

Scheduler::~Scheduler() { Stop(); }

Status Scheduler::Start() {
  auto store = OpenJobStore(db_path_);  // migrates before the thread starts, so errors surface here
  if (!store.ok()) return store.status();
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [name, worker] : workers_) {
    if (worker.thread.joinable()) worker.thread.join();  // a run in progress finishes and is recorded
  }
}

Result<JobRun> Scheduler::RunOnce(const std::string& name, Timestamp clock) {
  auto store = OpenJobStore(db_path_);
  if (!store.ok()) return store.status();
  for (const Job& job : jobs_) {
    if (job.name != name) continue;
    Timestamp wall = CurrentTime();
    auto taken = (*store)->TryLock(job.name, runner_, wall, Timestamp{wall.seconds + kLeaseSeconds});
    if (!taken.ok()) return taken.status();
    if (!*taken) {
      auto holder = (*store)->Lock(job.name);
      std::string who = holder.ok() && *holder ? (*holder)->runner : std::string("another runner");
      return FailedPrecondition("job " + name + " is running on " + who + " now; try again when it has finished");
    }
    return Run(job, clock, **store);
  }
  std::string names;
  for (const Job& job : jobs_) names += (names.empty() ? "" : ", ") + job.name;
  return NotFound("no job named '" + name + "' (jobs: " + names + ")", "job");
}

// Runs a job whose lock this runner holds, renewing the lock meanwhile, and records it.
Result<JobRun> Scheduler::Run(const Job& job, Timestamp clock, JobStore& store) {
  JobRun run;
  run.job = job.name;
  run.runner = runner_;
  run.started_at = CurrentTime();
  run.clock_at = clock;
  auto run_id = store.StartRun(run);
  if (!run_id.ok()) {
    (void)store.Unlock(job.name, runner_);
    return run_id.status();
  }
  run.run_id = *run_id;
  // A long job (the nightly analysis) keeps its lock while it runs; a runner that dies
  // loses it within a lease.
  std::mutex renew_mutex;
  std::condition_variable renew_wake;
  bool finished = false;
  std::thread renew([&] {
    NameThisThread("fincrm-joblease");
    auto own = OpenJobStore(db_path_);
    std::unique_lock lock(renew_mutex);
    while (!renew_wake.wait_for(lock, std::chrono::seconds(kLeaseSeconds / 3), [&] { return finished; })) {
      if (!own.ok()) continue;
      Timestamp wall = CurrentTime();
      (void)(*own)->TryLock(job.name, runner_, wall, Timestamp{wall.seconds + kLeaseSeconds});
    }
  });
  Result<JobOutcome> outcome = Internal("the job did not run");
  try {
    outcome = job.run(JobContext{db_path_, clock});
  } catch (const std::exception& error) {
    outcome = Internal(std::string("the job threw: ") + error.what());
  }
  {
    std::lock_guard lock(renew_mutex);
    finished = true;
  }
  renew_wake.notify_all();
  renew.join();
  run.ended_at = CurrentTime();
  run.outcome = outcome.ok() ? "ok" : "failed";
  run.rows_touched = outcome.ok() ? outcome->rows_touched : 0;
  run.message = outcome.ok() ? outcome->message : outcome.status().ToString();
  Status recorded = store.FinishRun(run.run_id, run.ended_at, run.outcome, run.rows_touched, run.message);
  Status scheduled = store.SetNextRun(job.name, NextRunAfter(job.schedule, now_()));
  Status unlocked = store.Unlock(job.name, runner_);
  FINCRM_RETURN_IF_ERROR(recorded);
  FINCRM_RETURN_IF_ERROR(scheduled);
  FINCRM_RETURN_IF_ERROR(unlocked);
  return run;
}

void Scheduler::Loop() {
  NameThisThread("fincrm-jobs");
  auto store = OpenJobStore(db_path_);
  if (!store.ok()) {
    std::fprintf(stderr, "fincrm serve: scheduler: %s\n", store.status().message().c_str());
    return;
  }
  auto report = [](const std::string& what, const Status& status) {
    if (!status.ok()) std::fprintf(stderr, "fincrm serve: scheduler: %s: %s\n", what.c_str(), status.ToString().c_str());
  };
  // Jobs new to this database get their first run time (now, when it is due at once).
  for (const Job& job : jobs_) {
    auto next = (*store)->NextRun(job.name);
    if (!next.ok()) {
      report(job.name, next.status());
      continue;
    }
    if (*next) continue;
    Timestamp now = now_();
    bool at_once = job.due_at_start && job.due_at_start(JobContext{db_path_, now});
    report(job.name, (*store)->SetNextRun(job.name, at_once ? now : NextRunAfter(job.schedule, now)));
  }
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    for (const Job& job : jobs_) {
      {
        std::lock_guard running(mutex_);
        auto worker = workers_.find(job.name);
        if (worker != workers_.end() && !worker->second.done) continue;  // still running here
      }
      Timestamp now = now_();
      auto next = (*store)->NextRun(job.name);
      if (!next.ok() || !*next || **next > now) continue;
      Timestamp wall = CurrentTime();
      auto taken = (*store)->TryLock(job.name, runner_, wall, Timestamp{wall.seconds + kLeaseSeconds});
      if (!taken.ok() || !*taken) continue;  // another server runs it
      // Due as read before the lock; read again under it, since the holder that just
      // let go may have run it and set the next time.
      auto again = (*store)->NextRun(job.name);
      if (!again.ok() || !*again || **again > now) {
        (void)(*store)->Unlock(job.name, runner_);
        continue;
      }
      // Each run on a thread of its own, so that a long job (the nightly analysis)
      // does not hold back the minute-by-minute ones.
      std::lock_guard running(mutex_);
      if (stopping_) {
        (void)(*store)->Unlock(job.name, runner_);
        break;
      }
      Worker& worker = workers_[job.name];
      if (worker.thread.joinable()) worker.thread.join();  // finished: it let go of the lock
      worker.done = false;
      worker.thread = std::thread([this, &job, &worker, now, report] {
        NameThisThread("fincrm-job");
        auto own = OpenJobStore(db_path_);
        if (own.ok()) {
          auto run = Run(job, now, **own);
          if (!run.ok()) report(job.name, run.status());
          else if (run->outcome != "ok") std::fprintf(stderr, "fincrm serve: job %s failed: %s\n", job.name.c_str(), run->message.c_str());
        } else {
          report(job.name, own.status());  // the lock expires with its lease
        }
        std::lock_guard finished(mutex_);
        worker.done = true;
      });
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
  }
}

}  // namespace fincrm
