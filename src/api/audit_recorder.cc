#include "api/audit_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "api/audit_trail.h"
#include "core/thread_name.h"

namespace fincrm {
namespace {
// Reads' entries wait up to this long for company: each commit rewrites the trail's
// last pages into the WAL, so at 20,000 audited reads a second a 10 ms linger spent
// a sixth of the server's CPU on WAL writes. Entries someone waits for (writes) end
// the wait at once.
constexpr auto kLinger = std::chrono::milliseconds(100);
}  // namespace

AuditRecorder::AuditRecorder(std::function<Result<std::unique_ptr<Store>>()> open_store, AuditRecorderOptions options)
    : open_store_(std::move(open_store)), options_(std::move(options)) {
  if (options_.key && !options_.checkpoint_file.empty()) {
    // Append-only by the way it is opened; the operator may also make it so for the
    // file system (chattr +a).
    checkpoint_fd_ = ::open(options_.checkpoint_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (checkpoint_fd_ < 0) {
      std::fprintf(stderr, "fincrm serve: cannot open the audit checkpoint file %s: %s\n",
                   options_.checkpoint_file.c_str(), std::strerror(errno));
    }
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

AuditRecorder::~AuditRecorder() {
  Stop();
  if (checkpoint_fd_ >= 0) ::close(checkpoint_fd_);
}

void AuditRecorder::Checkpoint(const AuditEntry& head, bool to_log) {
  if (!options_.key) {
    // Unsigned, but off the database: a log shipped elsewhere keeps the heads that
    // `fincrm audit verify --expect-head` compares the trail with.
    if (to_log) std::fprintf(stderr, "fincrm serve: %s\n", FormatAuditHead(head).c_str());
    return;
  }
  std::string line = FormatCheckpoint({head.sequence, head.hash, CurrentTime()}, *options_.key) + "\n";
  if (checkpoint_fd_ >= 0 && ::write(checkpoint_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::fprintf(stderr, "fincrm serve: writing the audit checkpoint file failed: %s\n", std::strerror(errno));
  }
  if (to_log) std::fprintf(stderr, "fincrm serve: %s", line.c_str());
}

int64_t AuditRecorder::Enqueue(AuditEntry entry, bool durable) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(entry));
  if (durable) ++durable_waiting_;
  // The writer lingers for more entries anyway; waking it for each one cost a context
  // switch per read. The first entry of a batch, or one a caller waits for, wakes it.
  if (queue_.size() == 1 || durable) wake_writer_.notify_one();
  return ++next_ticket_;
}

void AuditRecorder::Record(std::string actor, std::string action, std::string customer_id, std::string detail,
                           std::string source) {
  Enqueue({0, CurrentTime(), std::move(actor), std::move(action), std::move(customer_id), std::move(detail),
           std::move(source), {}, {}},
          /*durable=*/false);
}

Status AuditRecorder::RecordDurably(std::string actor, std::string action, std::string customer_id,
                                    std::string detail, std::string source) {
  int64_t ticket = Enqueue({0, CurrentTime(), std::move(actor), std::move(action), std::move(customer_id),
                            std::move(detail), std::move(source), {}, {}},
                           /*durable=*/true);
  if (!WaitFor(ticket)) return Unavailable("the audit trail could not be written");
  return Status::Ok();
}

void AuditRecorder::OutboxWritten() {
  std::lock_guard lock(mutex_);
  // A ticket of its own, so that Flush waits for the chaining too.
  ++next_ticket_;
  if (!outbox_waiting_ && queue_.empty()) wake_writer_.notify_one();
  outbox_waiting_ = true;
}

bool AuditRecorder::WaitFor(int64_t ticket) {
  std::unique_lock lock(mutex_);
  return committed_.wait_for(lock, std::chrono::seconds(10), [&] { return committed_ticket_ >= ticket; });
}

void AuditRecorder::Flush() {
  int64_t ticket;
  {
    std::lock_guard lock(mutex_);
    ticket = next_ticket_;
  }
  (void)WaitFor(ticket);
}

void AuditRecorder::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_writer_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void AuditRecorder::WriterLoop() {
  NameThisThread("fincrm-audit");
  auto store = open_store_();
  if (!store.ok()) std::fprintf(stderr, "fincrm serve: audit trail: %s\n", store.status().message().c_str());
  std::vector<AuditEntry> batch;
  auto last_commit = std::chrono::steady_clock::now();
  auto last_logged_checkpoint = std::chrono::steady_clock::time_point{};
  while (true) {
    int64_t last_ticket;
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty() || outbox_waiting_; });
      if (queue_.empty() && !outbox_waiting_) {
        if (last_head_) Checkpoint(*last_head_, /*to_log=*/true);  // the head at shutdown
        return;
      }
      // Linger up to kLinger after the previous commit so that a burst of reads shares
      // one commit (a commit per few entries cost 10% of the 360 route's CPU).
      if (!stopping_) {
        wake_writer_.wait_until(lock, last_commit + kLinger, [&] { return stopping_ || durable_waiting_ > 0; });
      }
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
      durable_waiting_ = 0;
      outbox_waiting_ = false;  // this batch's append takes the outbox too
      last_ticket = next_ticket_;
    }
    Status status = store.ok() ? Status::Ok() : store.status();
    int64_t chained = 0;
    if (store.ok()) {
      auto appended = (*store)->AppendAuditBatch(batch, AuditSealer(options_.key ? &*options_.key : nullptr));
      status = appended.status();
      if (appended.ok()) chained = static_cast<int64_t>(appended->size());
      if (appended.ok() && !appended->empty()) {
        last_head_ = appended->back();
        bool to_log = std::chrono::steady_clock::now() - last_logged_checkpoint > std::chrono::minutes(1);
        Checkpoint(*last_head_, to_log);
        if (to_log) last_logged_checkpoint = std::chrono::steady_clock::now();
      }
    }
    if (!status.ok()) {
      // Put them back in front and retry shortly: entries are never dropped silently.
      std::fprintf(stderr, "fincrm serve: audit trail append failed (will retry): %s\n", status.message().c_str());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      std::lock_guard lock(mutex_);
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
      if (store.ok()) outbox_waiting_ = true;  // rolled back: still there
      if (stopping_) return;
      continue;
    }
    last_commit = std::chrono::steady_clock::now();
    appended_ += chained;
    {
      std::lock_guard lock(mutex_);
      committed_ticket_ = last_ticket;
    }
    committed_.notify_all();
  }
}

}  // namespace fincrm
