// Durable, idempotent ingest of customer events with group commit.
//
// Requests hand their validated events to Submit(), which blocks until a writer thread
// has committed them: the writer takes everything pending (from many requests) into one
// transaction, so one fsync covers many batches. Per event: a seen event_id is a
// duplicate; references are checked (the account belongs to the customer, the customer
// exists); the row is written and the event id recorded in the same transaction. A
// returned result therefore means durably committed; a failed commit fails every batch
// in it and nothing of them is stored.
//
// After each commit the listener (live analytics) sees the accepted events, so
// aggregates and churn scoring follow at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "service/customer_event.h"
#include "storage/store.h"

namespace fincrm {

class IngestListener {
 public:
  virtual ~IngestListener() = default;
  // Called on the writer thread after a commit with the events it accepted.
  virtual void OnCommitted(const std::vector<const CustomerEvent*>& accepted) = 0;
};

class EventIngestor {
 public:
  // `open_store` gives the writer thread its own connection.
  EventIngestor(std::function<Result<std::unique_ptr<Store>>()> open_store, IngestListener* listener);
  ~EventIngestor();  // stops after committing what is pending

  // Blocks until committed. results[i] belongs to events[i]. Unavailable when the
  // commit failed (nothing of the batch stored) or the ingestor is stopping.
  Result<std::vector<EventResult>> Submit(const std::vector<CustomerEvent>& events);

  // Commits what is pending and stops the writer; later Submits fail.
  void Stop();

  int64_t committed_events() const { return committed_events_.load(); }
  int64_t commits() const { return commits_.load(); }

 private:
  struct Pending {
    const std::vector<CustomerEvent>* events;
    std::vector<EventResult> results;
    Status status;
    bool done = false;
  };
  void WriterLoop();
  Status WriteAll(Store& store, std::vector<Pending*>& group, std::vector<const CustomerEvent*>& accepted);

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  IngestListener* listener_;
  std::unique_ptr<class ReferenceCache> references_;
  std::mutex mutex_;
  std::condition_variable wake_writer_, wake_submitters_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> committed_events_{0};
  std::atomic<int64_t> commits_{0};
  std::thread writer_;
};

}  // namespace fincrm
