// Group commit: many request threads hand items to one writer thread, which commits
// whatever has queued up meanwhile as one batch (one transaction, one fsync) and gives
// each caller its own outcome. Durable writes then cost a share of an fsync each instead
// of one fsync and a turn at the database's write lock each: on this machine's disk
// SQLite commits about 5,000 single-row transactions a second from one thread, and
// fewer from many threads that queue for its lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/thread_name.h"

namespace fincrm {

// `Outcome` is constructible from a Status (Result<T>, Status).
template <typename Item, typename Outcome>
class GroupCommit {
 public:
  // Runs on the writer thread only (so it may own a connection that is one thread's);
  // returns one outcome per item of the batch, in order.
  using CommitBatch = std::function<std::vector<Outcome>(std::vector<Item>& batch)>;

  GroupCommit(std::string thread_name, CommitBatch commit, size_t max_batch = 512)
      : thread_name_(std::move(thread_name)), commit_(std::move(commit)), max_batch_(max_batch ? max_batch : 1) {
    writer_ = std::thread([this] { WriterLoop(); });
  }
  ~GroupCommit() { Stop(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Returns once the item's batch is committed (or has failed).
  Outcome Submit(Item item) {
    Pending pending{std::move(item)};
    std::unique_lock lock(mutex_);
    if (stopping_) return Outcome(Unavailable("the server is shutting down"));
    queue_.push_back(&pending);
    if (queue_.size() == 1) wake_writer_.notify_one();
    pending.committed.wait(lock, [&] { return pending.outcome.has_value(); });
    return std::move(*pending.outcome);
  }

  // Commits what is queued, then refuses new items.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_writer_.notify_one();
    if (writer_.joinable()) writer_.join();
  }

 private:
  // A caller's own wake-up: one condition shared by all callers woke every waiter,
  // the next batch's too, at each commit.
  struct Pending {
    Item item;
    std::optional<Outcome> outcome;
    std::condition_variable committed;
  };

  void WriterLoop() {
    NameThisThread(thread_name_);
    std::vector<Pending*> taken;
    std::vector<Item> batch;
    while (true) {
      {
        std::unique_lock lock(mutex_);
        wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        taken.clear();
        while (!queue_.empty() && taken.size() < max_batch_) {
          taken.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      // The items stay with their callers, who wait: moving them out and back is safe.
      batch.clear();
      for (Pending* p : taken) batch.push_back(std::move(p->item));
      std::vector<Outcome> outcomes;
      try {
        outcomes = commit_(batch);
      } catch (const std::exception& e) {  // the callers still get an answer
        outcomes.assign(batch.size(), Outcome(Internal(std::string("committing a batch: ") + e.what())));
      }
      {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < taken.size(); ++i) {
          taken[i]->outcome.emplace(i < outcomes.size() ? std::move(outcomes[i])
                                                        : Outcome(Internal("the batch gave no outcome for an item")));
          // Under the lock: once it sees its outcome, the caller may return and
          // destroy the condition.
          taken[i]->committed.notify_one();
        }
      }
    }
  }

  std::string thread_name_;
  CommitBatch commit_;
  size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace fincrm
