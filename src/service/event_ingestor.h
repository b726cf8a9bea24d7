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
// appending them to the store's event journal (store.h's EventJournal: its own file,
// its own write lock): writing them into the customer-clustered tables at once dirtied
// a random page per event (about 14 KB of WAL each). An applier thread moves the
// journal into the tables in large sorted batches (at `apply_at_events` events, after
// `apply_at_age`, or when idle for `apply_when_idle`), recording their event ids and
// the applied position in the same transaction; the writer thread trims the journal
// afterwards. Appends never wait for an application (it holds the tables' write lock
// for seconds), so ingest keeps its pace while the tables catch up; only when
// `max_unapplied_events` wait do commits pause for the applier. Until applied, readers
// merge Unapplied() into what the store returns, so the next read shows an event.
// Account and profile events are written to the tables directly, between two
// applications. Journal entries left by a stop are read back and applied after the
// next start.
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

#include "core/audit_entry.h"
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

// The audit record of one ingest request. It is journaled in the same commit as the
// request's events (so the answer never waits for the tables' write lock, which an
// application holds for seconds) and chained onto the audit trail when the journal is
// applied. The detail gets the request's counts: accepted, duplicates, rejected of
// `batch_events` (which includes the events rejected before Submit).
struct IngestAuditNote {
  std::string actor;
  std::string action;
  std::string source;
  int64_t batch_events = 0;
};

struct EventIngestorOptions {
  int64_t apply_at_events = 500000;  // also the most one application transaction takes
  // Rarer applications are cheaper (each rewrites pages across the customer tables):
  // a steady 10,000 events/s cost the server 0.74 of a core at 10 s, 0.42 at 60 s.
  std::chrono::milliseconds apply_at_age{60000};
  std::chrono::milliseconds apply_when_idle{500};
  // Unapplied events are kept in memory for readers (a few hundred bytes each); at
  // this many, commits wait until the applier has caught up by one batch.
  int64_t max_unapplied_events = 2000000;
  // Where holding_snapshot lines go (the holdings module's store; upserted, so that a
  // retried event writes the same). Called on the writer thread before the transaction
  // that records the events' ids: a crash in between leaves the ids unrecorded, and the
  // sender's retry writes them again. Without it holding_snapshot events are refused.
  std::function<Status(const std::vector<Holding>&)> store_holdings;
};

class EventIngestor {
 public:
  // `open_store` gives the writer and applier threads their own connections;
  // `audit_seal` hashes audit entries onto the trail (see IngestAuditNote).
  EventIngestor(std::function<Result<std::unique_ptr<Store>>()> open_store, IngestListener* listener,
                EventIngestorOptions options = {},
                std::function<std::string(const AuditEntry&)> audit_seal = {});
  ~EventIngestor();  // stops after committing what is pending

  // Blocks until committed. results[i] belongs to events[i]. Unavailable when the
  // commit failed (nothing of the batch stored) or the ingestor is stopping.
  // With `audit`, the request's audit entry is committed with the events.
  Result<std::vector<EventResult>> Submit(const std::vector<CustomerEvent>& events,
                                          const IngestAuditNote* audit = nullptr);

  // Commits what is pending and stops the writer; later Submits fail.
  void Stop();

  // Journaled rows of one customer not yet in the store's tables.
  struct UnappliedRows {
    std::vector<Trade> trades;
    std::vector<AssetSnapshot> assets;
    std::vector<Interaction> interactions;
  };
  UnappliedRows Unapplied(const std::string& customer_id) const;
  // Applies everything journaled so far and trims it from the journal before returning.
  Status ApplyJournalNow();

  int64_t committed_events() const { return committed_events_.load(); }
  int64_t commits() const { return commits_.load(); }
  int64_t journal_events() const { return journaled_through_.load() - applied_through_.load(); }
  int64_t applied_events() const { return applied_events_.load(); }
  int64_t apply_failures() const { return apply_failures_.load(); }
  int64_t apply_milliseconds() const { return apply_milliseconds_.load(); }

 private:
  struct Pending {
    const std::vector<CustomerEvent>* events;
    std::vector<EventResult> results;
    Status status;
    bool done = false;
    bool direct = false;                    // has events written to the tables directly
    std::vector<std::string> journal_rows;  // events[i]'s journal row, encoded by Submit
    std::vector<int64_t> sequences;         // events[i]'s journal sequence (0: none)
    const IngestAuditNote* audit = nullptr;
  };
  struct UnappliedRow {
    int64_t sequence;
    EventType type;
    std::string row;
  };
  void WriterLoop();
  void ApplierLoop();
  Status LoadJournal(Store& store, EventJournal& journal);
  Status WriteAll(Store& store, EventJournal& journal, std::vector<Pending*>& group, bool direct);
  Status WriteHoldings(Store& store, std::vector<Pending*>& group);
  void Finish(std::vector<Pending*>& group, const Status& status);
  void RememberUnapplied(const std::vector<CustomerEvent>& events, Pending& pending);
  // One application transaction of the entries after `after`; returns the last
  // sequence applied (`after` when there were none) and the event ids it recorded.
  Result<int64_t> ApplyBatch(Store& store, EventJournal& journal, int64_t after, std::vector<std::string>& recorded);
  void ForgetApplied(Store& store, EventJournal& journal, std::vector<std::string>& recorded, int64_t through);
  bool ApplyDue(std::chrono::steady_clock::time_point now);  // with mutex_ held

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  IngestListener* listener_;
  EventIngestorOptions options_;
  std::function<std::string(const AuditEntry&)> audit_seal_;
  std::unique_ptr<class ReferenceCache> references_;  // writer thread only
  std::unique_ptr<class SeenEventFilter> seen_;       // writer thread only
  // Writer thread only: the journal's event ids not yet applied (or applied but not yet
  // in `seen_`).
  std::unordered_set<std::string> journaled_ids_;

  std::mutex mutex_;
  std::condition_variable wake_writer_, wake_applier_, wake_submitters_;
  std::deque<Pending*> queue_;
  std::vector<Pending*> deferred_;  // direct batches waiting for the applier to finish
  bool stopping_ = false;
  bool started_ = false;
  Status start_status_;
  bool applying_ = false;            // the applier holds the tables' write lock
  Store* applier_store_ = nullptr;   // the applier's connection while it exists
  bool writer_needs_tables_ = false;  // the writer has direct batches: no new application
  std::vector<std::string> recorded_ids_;  // applied, for the writer to move into seen_
  int64_t trimmed_through_ = 0;
  int64_t apply_requested_through_ = 0;
  int64_t apply_passes_ = 0;
  Status last_apply_status_;
  // The last sequence of each journal commit not yet applied, and when it committed.
  std::deque<std::pair<int64_t, std::chrono::steady_clock::time_point>> journal_commits_;
  std::chrono::steady_clock::time_point last_arrival_;
  std::atomic<int64_t> journaled_through_{0};  // written under mutex_
  std::atomic<int64_t> applied_through_{0};    // written under mutex_

  // The journal's rows not yet applied, per customer (submitting threads add theirs,
  // the applier removes what it applied, readers copy). Rows up to
  // `rows_applied_through_` are in the tables already and not added.
  mutable std::shared_mutex unapplied_mutex_;
  std::unordered_map<std::string, std::vector<UnappliedRow>> unapplied_rows_;
  int64_t rows_applied_through_ = 0;

  std::atomic<int64_t> applied_events_{0};
  std::atomic<int64_t> apply_failures_{0};
  std::atomic<int64_t> apply_milliseconds_{0};
  std::atomic<int64_t> committed_events_{0};
  std::atomic<int64_t> commits_{0};
  std::thread writer_, applier_;
};

}  // namespace fincrm
