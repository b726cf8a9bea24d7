// `fincrm jobs`: the scheduler's jobs, their next runs, locks and recorded runs, and
// one job run now (for cron, or tests with --now).
#include <cstdio>

#include "api/service_module.h"
#include "cli/commands.h"
#include "ingest/demo_data_generator.h"
#include "service/demo/service_demo.h"
#include "service/jobs/service_jobs.h"
#include "storage/holding_store.h"
#include "storage/job_store.h"
#include "storage/open_store.h"
#include "storage/research_store.h"

namespace fincrm {
namespace {

std::vector<Job> CommandLineJobs(const std::string& nightly_at) {
  ServiceJobOptions options;
  if (!nightly_at.empty()) {
    auto minute = ParseTimeOfDay(nightly_at);
    if (minute.ok()) options.nightly_analysis_minute = *minute;
  }
  return SchedulerJobs(options, DefaultServiceModules());
}

std::string When(Timestamp at) { return at.seconds ? FormatTimestamp(at) : std::string("-"); }

// The database must exist and be FinCRM's (migrated), as for every other command.
Status CheckDatabase(const std::string& db) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  return store.ok() ? Status::Ok() : store.status();
}

}  // namespace

int RunJobsList(const std::string& db) {
  if (Status ready = CheckDatabase(db); !ready.ok()) return Fail(ready);
  auto store = OpenJobStore(db);
  if (!store.ok()) return Fail(store.status());
  std::vector<Job> jobs = CommandLineJobs("");
  std::printf("%-18s %-22s %-27s %-28s %s\n", "job", "schedule", "next run", "locked by", "last run");
  auto line = [&](const std::string& name, const std::string& schedule) -> Status {
    auto next = (*store)->NextRun(name);
    if (!next.ok()) return next.status();
    auto lock = (*store)->Lock(name);
    if (!lock.ok()) return lock.status();
    auto runs = (*store)->Runs(name, 1);
    if (!runs.ok()) return runs.status();
    std::string last = "never";
    if (!runs->empty()) {
      const JobRun& run = runs->front();
      last = run.outcome + " " + When(run.started_at) + " (" +
             (run.ended_at.seconds ? std::to_string(run.ended_at.seconds - run.started_at.seconds) + " s, " : "") +
             std::to_string(run.rows_touched) + " rows) " + run.message;
    }
    std::string held = *lock && (*lock)->expires_at > CurrentTime() ? (*lock)->runner : "-";
    std::printf("%-18s %-22s %-27s %-28s %s\n", name.c_str(), schedule.c_str(), *next ? When(**next).c_str() : "-",
                held.c_str(), last.c_str());
    return Status::Ok();
  };
  for (const Job& job : jobs) {
    Status shown = line(job.name, DescribeSchedule(job.schedule));
    if (!shown.ok()) return Fail(shown);
  }
  Status shown = line("rescoring", "in the server");
  if (!shown.ok()) return Fail(shown);
  return kExitOk;
}

int RunJobsRunOnce(const std::string& db, const std::string& name, const std::string& now_text) {
  if (Status ready = CheckDatabase(db); !ready.ok()) return Fail(ready);
  Timestamp now = CurrentTime();
  if (!now_text.empty()) {
    auto parsed = ParseTimestamp(now_text);
    if (!parsed.ok()) return Fail(InvalidArgument(parsed.status().message(), "now"));
    now = *parsed;
  }
  if (name == "rescoring") {
    return Fail(FailedPrecondition("rescoring runs inside the server, on the live facts of the events it received"));
  }
  Scheduler scheduler(db, CommandLineJobs(""), CliActor() + "@" + ThisRunner(), [now] { return now; });
  auto run = scheduler.RunOnce(name, now);
  if (!run.ok()) return Fail(run.status());
  std::printf("%s: %s in %lld s, %lld rows: %s\n", name.c_str(), run->outcome.c_str(),
              static_cast<long long>(run->ended_at.seconds - run->started_at.seconds),
              static_cast<long long>(run->rows_touched), run->message.c_str());
  return run->outcome == "ok" ? kExitOk : kExitFailure;
}

}  // namespace fincrm

namespace fincrm {

int RunDemoService(const std::string& db, uint64_t seed, const std::string& now_text) {
  Timestamp now = CurrentTime();
  if (!now_text.empty()) {
    auto parsed = ParseTimestamp(now_text);
    if (!parsed.ok()) return Fail(InvalidArgument(parsed.status().message(), "now"));
    now = *parsed;
  }
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  ServiceDemoOptions options;
  options.seed = seed;
  options.now = now;
  // The research desk's reference data: the demo's security master (the same symbols
  // the demo traded, with industries) and everyone's positions. Once: a second run
  // finds the master there (the positions job keeps them current afterwards).
  auto research = OpenResearchStore(db);
  if (!research.ok()) return Fail(research.status());
  auto securities = (*research)->Securities();
  if (!securities.ok()) return Fail(securities.status());
  if (securities->empty()) {
    std::vector<Security> master = DemoSecurityMaster(seed);
    Status stored = (*research)->PutSecurities(master);
    if (!stored.ok()) return Fail(stored);
    auto holdings = OpenHoldingStore(db);
    if (!holdings.ok()) return Fail(holdings.status());
    auto positions = (*holdings)->RebuildPositions();
    if (!positions.ok()) return Fail(positions.status());
    std::printf("%zu securities in the master; %lld positions derived from the trades\n", master.size(),
                static_cast<long long>(*positions));
  }
  auto summary = GenerateServiceDemo(db, **store, options);
  if (!summary.ok()) return Fail(summary.status());
  if (summary->already_generated) {
    std::printf("the demo's calls and tickets are there already: nothing added\n");
    return kExitOk;
  }
  std::printf("%lld calls (%lld missed), %lld callbacks, %lld tickets: %lld resolved, %lld waiting for the customer, "
              "%lld past an SLA target; %lld return visits, %lld attempted, %lld done\n",
              static_cast<long long>(summary->calls), static_cast<long long>(summary->missed_calls),
              static_cast<long long>(summary->callbacks), static_cast<long long>(summary->tickets),
              static_cast<long long>(summary->resolved), static_cast<long long>(summary->pending_customer),
              static_cast<long long>(summary->breached), static_cast<long long>(summary->return_visits),
              static_cast<long long>(summary->visits_attempted), static_cast<long long>(summary->visits_done));
  return kExitOk;
}

}  // namespace fincrm
