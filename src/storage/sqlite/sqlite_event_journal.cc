#include "storage/sqlite/sqlite_event_journal.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS event_journal (
  sequence INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  row TEXT NOT NULL
);
)sql";

}  // namespace

Result<std::unique_ptr<SqliteEventJournal>> SqliteEventJournal::Open(const std::string& store_path) {
  if (store_path.empty() || store_path == ":memory:") {
    return FailedPrecondition("an in-memory store has no event journal file");
  }
  std::string path = PathFor(store_path);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open the event journal " + path + ": " + message);
  }
  std::unique_ptr<SqliteEventJournal> journal(new SqliteEventJournal(db));
  WaitWhenBusy(db, 10000);
  // Appends are the end of one table, so the default 4 KiB pages suit it. The WAL is
  // checkpointed every 64 MiB (the default 4 MiB made nearly every group commit of
  // 20,000 events copy its pages into the file at once).
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=16384",
                          "PRAGMA journal_size_limit=67108864", kSchema}) {
    Status status = journal->Execute(sql);
    if (!status.ok()) return Unavailable("cannot open the event journal " + path + ": " + status.message());
  }
  FINCRM_RETURN_IF_ERROR(journal->AdoptStoreJournal(store_path));
  return journal;
}

SqliteEventJournal::~SqliteEventJournal() {
  insert_.reset();
  read_.reset();
  trim_.reset();
  last_.reset();
  sqlite3_close(db_);
}

Status SqliteEventJournal::Execute(const char* sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return Internal(message);
}

Status SqliteEventJournal::Fail(const char* what) {
  return Unavailable(std::string("event journal ") + what + ": " + sqlite3_errmsg(db_));
}

// Versions before the journal had its own file kept it in the store (schema
// migration 11). Its entries are copied here (the same sequence numbers, so a copy
// repeated after a crash adds nothing), then removed there.
Status SqliteEventJournal::AdoptStoreJournal(const std::string& store_path) {
  SqliteStatement attach(db_, "ATTACH DATABASE ? AS store");
  if (!attach.valid()) return attach.prepare_status();
  attach.Bind(1, std::string_view(store_path));
  if (attach.Step() != SQLITE_DONE) return Fail("cannot look into the store");
  Status status = [&]() -> Status {
    SqliteStatement waiting(db_, "SELECT EXISTS (SELECT 1 FROM store.sqlite_master WHERE name = 'event_journal') "
                                 "AND EXISTS (SELECT 1 FROM store.event_journal)");
    if (!waiting.valid()) return waiting.prepare_status();
    int rc = waiting.Step();
    if (rc != SQLITE_ROW) return Fail("cannot read the store's old journal");
    if (waiting.Int(0) == 0) return Status::Ok();
    FINCRM_RETURN_IF_ERROR(Execute("INSERT OR IGNORE INTO main.event_journal SELECT * FROM store.event_journal"));
    return Execute("DELETE FROM store.event_journal");
  }();
  Status detached = Execute("DETACH DATABASE store");
  return status.ok() ? detached : status;
}

Status SqliteEventJournal::Append(std::span<const JournalEntry> entries) {
  if (entries.empty()) return Status::Ok();
  if (!insert_) {
    insert_ = std::make_unique<SqliteStatement>(
        db_, "INSERT INTO event_journal (sequence, event_id, type, customer_id, received_at, row) VALUES (?, ?, ?, ?, ?, ?)");
    if (!insert_->valid()) {
      Status status = insert_->prepare_status();
      insert_.reset();
      return status;
    }
  }
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  for (const JournalEntry& entry : entries) {
    SqliteStatement& q = *insert_;
    q.Bind(1, entry.sequence);
    q.Bind(2, std::string_view(entry.event_id));
    q.Bind(3, std::string_view(entry.type));
    q.Bind(4, std::string_view(entry.customer_id));
    q.Bind(5, entry.received_at);
    q.Bind(6, std::string_view(entry.row));
    int rc = q.Step();
    q.Reset();
    if (rc != SQLITE_DONE) {
      Status failed = Fail("append failed");
      (void)Execute("ROLLBACK");
      return failed;
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status failed = Fail("commit failed");
    (void)Execute("ROLLBACK");
    return failed;
  }
  return Status::Ok();
}

Result<std::vector<JournalEntry>> SqliteEventJournal::Read(int64_t after_sequence, int limit) {
  if (!read_) {
    read_ = std::make_unique<SqliteStatement>(
        db_, "SELECT sequence, event_id, type, customer_id, received_at, row FROM event_journal "
             "WHERE sequence > ? ORDER BY sequence LIMIT ?");
  }
  SqliteStatement& q = *read_;
  if (!q.valid()) return q.prepare_status();
  q.Bind(1, after_sequence);
  q.Bind(2, int64_t{limit});
  std::vector<JournalEntry> entries;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    JournalEntry& e = entries.emplace_back();
    e.sequence = q.Int(0);
    q.Read(1, e.event_id);
    q.Read(2, e.type);
    q.Read(3, e.customer_id);
    q.Read(4, e.received_at);
    q.Read(5, e.row);
  }
  q.Reset();
  if (rc != SQLITE_DONE) return Fail("read failed");
  return entries;
}

Status SqliteEventJournal::Trim(int64_t through_sequence) {
  if (!trim_) trim_ = std::make_unique<SqliteStatement>(db_, "DELETE FROM event_journal WHERE sequence <= ?");
  if (!trim_->valid()) return trim_->prepare_status();
  trim_->Bind(1, through_sequence);
  int rc = trim_->Step();
  trim_->Reset();
  return rc == SQLITE_DONE ? Status::Ok() : Fail("trim failed");
}

Result<int64_t> SqliteEventJournal::LastSequence() {
  if (!last_) last_ = std::make_unique<SqliteStatement>(db_, "SELECT COALESCE(MAX(sequence), 0) FROM event_journal");
  if (!last_->valid()) return last_->prepare_status();
  int rc = last_->Step();
  int64_t last = rc == SQLITE_ROW ? last_->Int(0) : 0;
  last_->Reset();
  if (rc != SQLITE_ROW) return Fail("read failed");
  return last;
}

}  // namespace fincrm
