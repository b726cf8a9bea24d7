// Appends audit entries from many request threads through one writer thread, many
// entries per transaction (one fsync for a burst of reads instead of one each).
// Reads are recorded without waiting (a crash can lose the entries of the last few
// milliseconds of reads); writes wait until their entry is committed, so no
// acknowledged change lacks its audit entry.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/audit_trail.h"
#include "storage/store.h"

namespace fincrm {

// With an audit key, every commit is followed by a signed checkpoint of the head
// (audit_trail.h): appended to `checkpoint_file` when one is given, and written to the
// log at most once a minute and when the recorder stops.
struct AuditRecorderOptions {
  std::optional<AuditKey> key;
  std::string checkpoint_file;
};

class AuditRecorder {
 public:
  explicit AuditRecorder(std::function<Result<std::unique_ptr<Store>>()> open_store, AuditRecorderOptions options = {});
  ~AuditRecorder();

  // Stamps the entry now and queues it.
  void Record(std::string actor, std::string action, std::string customer_id, std::string detail,
              std::string source);
  // The same, returning once the entry is committed. Unavailable when the store
  // refused it for 10 seconds.
  Status RecordDurably(std::string actor, std::string action, std::string customer_id, std::string detail,
                       std::string source);
  // Another store committed entries to the audit outbox with its own rows (a new
  // ticket): they are durable already, and the writer chains them with its next batch
  // (which may linger). Flush covers them.
  void OutboxWritten();
  // Returns once everything queued so far is committed (or failed).
  void Flush();
  void Stop();

  int64_t appended() const { return appended_.load(); }

 private:
  int64_t Enqueue(AuditEntry entry, bool durable);
  bool WaitFor(int64_t ticket);
  void WriterLoop();
  // The signed checkpoint of `head` to the file (each commit) and the log (a minute apart).
  void Checkpoint(const AuditEntry& head, bool to_log);

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  AuditRecorderOptions options_;
  int checkpoint_fd_ = -1;
  std::optional<AuditEntry> last_head_;  // the writer thread's own
  std::mutex mutex_;
  std::condition_variable wake_writer_, committed_;
  std::deque<AuditEntry> queue_;
  int64_t next_ticket_ = 0;       // tickets handed out
  int64_t committed_ticket_ = 0;  // every ticket up to this is committed
  bool stopping_ = false;
  int durable_waiting_ = 0;       // queued entries whose callers wait for the commit
  bool outbox_waiting_ = true;    // at start: what a stopped server left in the outbox
  std::atomic<int64_t> appended_{0};
  std::thread writer_;
};

}  // namespace fincrm
