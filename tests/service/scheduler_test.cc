// The scheduler on a real database: due times, durable run records, and the per-job
// lock that keeps a second runner (another server on the same database) from running
// a job the first is running.
#include "service/jobs/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "ingest/demo_data_generator.h"
#include "ingest/row_sink.h"
#include "service/jobs/service_jobs.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

Timestamp At(const char* text) { return *ParseTimestamp(text); }

TEST(SchedulerTest, NextRunTimesFollowTheSchedule) {
  JobSchedule daily{0, 18 * 60 + 30};
  EXPECT_EQ(NextRunAfter(daily, At("2026-03-02T10:00:00+08:00")), At("2026-03-02T18:30:00+08:00"));
  EXPECT_EQ(NextRunAfter(daily, At("2026-03-02T18:30:00+08:00")), At("2026-03-03T18:30:00+08:00"));
  EXPECT_EQ(NextRunAfter(daily, At("2026-03-02T23:59:00+08:00")), At("2026-03-03T18:30:00+08:00"));
  EXPECT_EQ(NextRunAfter(JobSchedule{60, -1}, At("2026-03-02T10:00:00+08:00")), At("2026-03-02T10:01:00+08:00"));
  EXPECT_EQ(DescribeSchedule(daily), "daily at 18:30");
  EXPECT_EQ(*ParseTimeOfDay("07:05"), 7 * 60 + 5);
  for (const char* bad : {"7:05", "24:00", "12:60", "noon", ""}) EXPECT_FALSE(ParseTimeOfDay(bad).ok()) << bad;
}

class SchedulerDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("jobs.db");
    ASSERT_TRUE(OpenStore(db_).ok());
  }
  testing::TempDir dir_;
  std::string db_;
};

TEST_F(SchedulerDatabaseTest, RunsAreRecordedWithTheirOutcome) {
  std::vector<Job> jobs = {
      {"counts", "", {3600, -1}, [](const JobContext& c) -> Result<JobOutcome> {
         return JobOutcome{42, "at " + FormatTimestamp(c.now)};
       }, {}},
      {"fails", "", {3600, -1}, [](const JobContext&) -> Result<JobOutcome> { return Unavailable("no feed today"); }, {}},
      {"throws", "", {3600, -1}, [](const JobContext&) -> Result<JobOutcome> { throw std::runtime_error("boom"); }, {}},
  };
  Scheduler scheduler(db_, jobs, "runner-a");
  Timestamp clock = At("2026-05-06T07:00:00+08:00");
  auto ok = scheduler.RunOnce("counts", clock);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->outcome, "ok");
  EXPECT_EQ(ok->rows_touched, 42);
  EXPECT_EQ(ok->message, "at 2026-05-06T07:00:00+08:00");
  auto failed = scheduler.RunOnce("fails", clock);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->outcome, "failed");
  EXPECT_NE(failed->message.find("no feed today"), std::string::npos);
  auto thrown = scheduler.RunOnce("throws", clock);
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->outcome, "failed");
  EXPECT_NE(thrown->message.find("boom"), std::string::npos);
  EXPECT_EQ(scheduler.RunOnce("nope", clock).status().code(), StatusCode::kNotFound);
  // Durable: another connection reads the records, and no lock is left behind.
  auto store = OpenJobStore(db_);
  ASSERT_TRUE(store.ok());
  auto runs = (*store)->Runs("", 10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].job, "counts");
  EXPECT_EQ((*runs)[2].clock_at, clock);
  EXPECT_GT((*runs)[2].ended_at.seconds, 0);
  EXPECT_EQ((*runs)[2].runner, "runner-a");
  for (const char* name : {"counts", "fails", "throws"}) {
    EXPECT_FALSE((*(*store)->Lock(name)).has_value()) << name;
    EXPECT_TRUE((*(*store)->NextRun(name)).has_value()) << name;
  }
}

// Two servers on one database: while one runs a job the other's attempt is refused
// naming the holder, and their schedulers never run it at the same time.
TEST_F(SchedulerDatabaseTest, ASecondRunnerNeverRunsAJobTheFirstIsRunning) {
  std::atomic<int> running{0}, most{0}, runs{0};
  std::mutex runners_mutex;
  std::set<std::string> runners;
  auto slow_job = [&](const std::string& runner) {
    return Job{"slow", "", {1, -1}, [&, runner](const JobContext&) -> Result<JobOutcome> {
                 int now = ++running;
                 most = std::max(most.load(), now);
                 std::this_thread::sleep_for(std::chrono::milliseconds(700));
                 --running;
                 ++runs;
                 std::lock_guard lock(runners_mutex);
                 runners.insert(runner);
                 return JobOutcome{1, runner};
               }, {}};
  };
  Scheduler a(db_, {slow_job("a")}, "server-a"), b(db_, {slow_job("b")}, "server-b");
  std::thread first([&] { ASSERT_TRUE(a.RunOnce("slow", CurrentTime()).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto refused = b.RunOnce("slow", CurrentTime());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("server-a"), std::string::npos) << refused.status().message();
  first.join();
  EXPECT_TRUE(b.RunOnce("slow", CurrentTime()).ok()) << "free again once the first has finished";
  // Both schedulers running for a while: never two runs at once.
  runs = 0;
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  std::this_thread::sleep_for(std::chrono::seconds(8));
  a.Stop();
  b.Stop();
  EXPECT_EQ(most.load(), 1);
  EXPECT_GE(runs.load(), 2) << "enough runs to see them not overlap";
  auto store = OpenJobStore(db_);
  auto recorded = (*store)->Runs("slow", 100);
  ASSERT_TRUE(recorded.ok());
  // Run records never overlap in time (starts and ends, to the second, may touch).
  for (size_t i = 0; i + 1 < recorded->size(); ++i) {
    EXPECT_GE((*recorded)[i].started_at.seconds, (*recorded)[i + 1].ended_at.seconds);
  }
}

TEST_F(SchedulerDatabaseTest, ALeaseOfARunnerThatDiedExpires) {
  auto store = OpenJobStore(db_);
  ASSERT_TRUE(store.ok());
  Timestamp now = CurrentTime();
  ASSERT_TRUE(*(*store)->TryLock("nightly-analysis", "dead:1", now, Timestamp{now.seconds - 1}));
  EXPECT_TRUE(*(*store)->TryLock("nightly-analysis", "alive:2", now, Timestamp{now.seconds + 60}))
      << "an expired lease is taken over";
  EXPECT_FALSE(*(*store)->TryLock("nightly-analysis", "dead:1", now, Timestamp{now.seconds + 60}));
  EXPECT_TRUE(*(*store)->TryLock("nightly-analysis", "alive:2", now, Timestamp{now.seconds + 120})) << "renewed";
  ASSERT_TRUE((*store)->Unlock("nightly-analysis", "dead:1").ok());
  EXPECT_EQ((*(*store)->Lock("nightly-analysis"))->runner, "alive:2") << "only the holder unlocks";
}

// The nightly analysis is due at once on a database never analysed, so that a server
// on freshly imported data does not show an empty dashboard.
TEST_F(SchedulerDatabaseTest, TheNightlyAnalysisIsDueAtOnceOnANeverAnalysedDatabase) {
  {
    auto store = OpenStore(db_);
    auto sink = StoreSink(**store);
    DemoDataOptions options;
    options.customers = 150;
    ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
  }
  std::vector<Job> jobs = ServiceJobs({});
  const Job* nightly = nullptr;
  for (const Job& job : jobs) {
    if (job.name == "nightly-analysis") nightly = &job;
  }
  ASSERT_NE(nightly, nullptr);
  ASSERT_TRUE(nightly->due_at_start);
  EXPECT_TRUE(nightly->due_at_start(JobContext{db_, CurrentTime()}));
  Scheduler scheduler(db_, jobs, "runner-a");
  auto run = scheduler.RunOnce("nightly-analysis", CurrentTime());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->outcome, "ok") << run->message;
  EXPECT_FALSE(nightly->due_at_start(JobContext{db_, CurrentTime()}));
}

}  // namespace
}  // namespace fincrm
