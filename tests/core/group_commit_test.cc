// The group commit: every caller gets its own item's outcome, callers that arrive
// while a batch commits share the next one, a batch never exceeds its limit, a commit
// that throws still answers its callers, and a stopped committer refuses new items.
#include "core/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fincrm {
namespace {

TEST(GroupCommitTest, EachCallerGetsItsOwnOutcomeAndCallersShareBatches) {
  std::atomic<int> batches{0}, largest{0}, items{0};
  GroupCommit<int, Result<int>> commit(
      "test-commit",
      [&](std::vector<int>& batch) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a commit takes time: others queue up
        ++batches;
        items += static_cast<int>(batch.size());
        largest = std::max<int>(largest, static_cast<int>(batch.size()));
        std::vector<Result<int>> outcomes;
        for (int n : batch) outcomes.push_back(n % 7 == 0 ? Result<int>(InvalidArgument("sevens fail")) : n * 2);
        return outcomes;
      },
      /*max_batch=*/8);
  constexpr int kThreads = 16, kEach = 40;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int n = t * 1000 + i;
        Result<int> outcome = commit.Submit(n);
        bool right = n % 7 == 0 ? !outcome.ok() : outcome.ok() && *outcome == n * 2;
        wrong += !right;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(items, kThreads * kEach);
  EXPECT_LE(largest, 8);
  EXPECT_GT(largest, 1) << "callers waiting during a commit share the next one";
  EXPECT_LT(batches, kThreads * kEach / 2);
}

TEST(GroupCommitTest, AThrowingCommitStillAnswersAndAStoppedOneRefuses) {
  GroupCommit<int, Status> commit("test-commit", [](std::vector<int>& batch) -> std::vector<Status> {
    if (batch.front() < 0) throw std::runtime_error("disk on fire");
    return std::vector<Status>(batch.size(), Status::Ok());
  });
  EXPECT_TRUE(commit.Submit(1).ok());
  Status failed = commit.Submit(-1);
  EXPECT_EQ(failed.code(), StatusCode::kInternal);
  EXPECT_NE(failed.message().find("disk on fire"), std::string::npos);
  commit.Stop();
  EXPECT_EQ(commit.Submit(2).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fincrm
