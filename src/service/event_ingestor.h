// Durable, idempotent ingest of customer events with group commit and a journal.
//
// Requests hand their validated events to Submit(), which blocks until a writer thread
// has committed them: the writer takes everything pending (from many requests) into one
// transaction, so one fsync covers many batches. Per event: a seen event_id is a
// duplicate; references are checked (the account belongs to the customer, the customer
// exists, the staff member exists). A returned result means durably committed; a failed
// commit fails every batch in it and nothing of them is stored.
//
// Trades, asset snapshots and interactions — the real-time volume — are committed by
// appending them to the store's event journal: writing them into the customer-clustered
// tables at once dirtied a random page per event (about 14 KB of WAL each). The same
// thread applies the journal in large sorted batches (every `apply_at_events` events,
// after `apply_at_age`, or when idle for `apply_when_idle`), recording their event ids
// and trimming the journal in one transaction. Until then readers merge Unapplied()
// into what the store returns, so the next read shows an event. Account and profile
// events are written directly. Journal entries left by a stop are read back and applied
// at the next start.
//
// After each commit the listener (live analytics) sees the accepted events, so
// aggregates and churn scoring follow at once. Whatever can run in parallel runs on the
// submitting threads, before and after the commit: encoding journal rows, making them
// visible to readers, handing events to the listener. The writer thread keeps only what
// must be serial: the duplicate check (in memory; the store is asked only when a Bloom
// filter of recorded ids says "maybe"), the reference checks, the append and the commit.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "service/customer_event.h"
#include "storage/store.h"

namespace fincrm {

class IngestListener {
 public:
  virtual ~IngestListener() = default;
  // Called on the submitting thread after its batch committed, with the events accepted
  // (before Submit returns).
  virtual void OnCommitted(const std::vector<const CustomerEvent*>& accepted) = 0;
};

struct EventIngestorOptions {
  int64_t apply_at_events = 500000;  // also the most one application transaction takes
  // Rarer applications are cheaper (each rewrites pages across the customer tables):
  // a steady 10,000 events/s cost the server 0.74 of a core at 10 s, 0.42 at 60 s.
  std::chrono::milliseconds apply_at_age{60000};
  std::chrono::milliseconds apply_when_idle{500};
};

class EventIngestor {
 public:
  // `open_store` gives the writer thread its own connection.
  EventIngestor(std::function<Result<std::unique_ptr<Store>>()> open_store, IngestListener* listener,
                EventIngestorOptions options = {});
  ~EventIngestor();  // stops after committing what is pending

  // Blocks until committed. results[i] belongs to events[i]. Unavailable when the
  // commit failed (nothing of the batch stored) or the ingestor is stopping.
  Result<std::vector<EventResult>> Submit(const std::vector<CustomerEvent>& events);

  // Commits what is pending and stops the writer; later Submits fail.
  void Stop();

  // Journaled rows of one customer not yet in the store's tables.
  struct UnappliedRows {
    std::vector<Trade> trades;
    std::vector<AssetSnapshot> assets;
    std::vector<Interaction> interactions;
  };
  UnappliedRows Unapplied(const std::string& customer_id) const;
  // Applies the whole journal before returning.
  Status ApplyJournalNow();

  int64_t committed_events() const { return committed_events_.load(); }
  int64_t commits() const { return commits_.load(); }
  int64_t journal_events() const { return journal_events_.load(); }
  int64_t applied_events() const { return applied_events_.load(); }
  int64_t apply_failures() const { return apply_failures_.load(); }
  int64_t apply_milliseconds() const { return apply_milliseconds_.load(); }

 private:
  struct Pending {
    const std::vector<CustomerEvent>* events;  // nullptr: a request to apply the journal
    std::vector<EventResult> results;
    Status status;
    bool done = false;
    std::vector<std::string> journal_rows;  // events[i]'s journal row, encoded by Submit
    int64_t commit_number = 0;             // of the writer's commit that stored them
  };
  void WriterLoop();
  Status WriteAll(Store& store, std::vector<Pending*>& group);
  void RememberUnapplied(int64_t commit_number, std::vector<std::pair<const CustomerEvent*, std::string>>& events);
  Status ApplyJournal(Store& store);
  Status LoadJournal(Store& store);

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  IngestListener* listener_;
  EventIngestorOptions options_;
  std::unique_ptr<class ReferenceCache> references_;
  std::unique_ptr<class SeenEventFilter> seen_;  // writer thread only
  // Writer thread only: the journal's event ids not yet applied, the writer's commits
  // so far, and when the oldest unapplied event was journaled.
  std::unordered_set<std::string> journaled_ids_;
  int64_t commit_number_ = 0;
  std::chrono::steady_clock::time_point journal_since_;
  std::mutex mutex_;
  std::condition_variable wake_writer_, wake_submitters_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  bool started_ = false;
  // The journal's rows not yet applied, per customer (submitting threads add theirs,
  // the writer clears them once applied, readers copy). Rows of a commit up to
  // `rows_applied_through_` are in the tables already and not added.
  mutable std::shared_mutex unapplied_mutex_;
  std::unordered_map<std::string, std::vector<std::pair<EventType, std::string>>> unapplied_rows_;
  int64_t rows_applied_through_ = -1;
  std::atomic<int64_t> journal_events_{0};
  std::atomic<int64_t> applied_events_{0};
  std::atomic<int64_t> apply_failures_{0};
  std::atomic<int64_t> apply_milliseconds_{0};
  std::atomic<int64_t> committed_events_{0};
  std::atomic<int64_t> commits_{0};
  std::thread writer_;
};

}  // namespace fincrm
