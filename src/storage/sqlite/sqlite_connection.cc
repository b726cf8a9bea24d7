#include "storage/sqlite/sqlite_connection.h"

#include <algorithm>
#include <cstdint>
#include <ctime>

namespace fincrm {
namespace {

// The wait before retry `count` (0-based): 50 µs doubling to 2 ms; and the waits before it.
int64_t BusyWaitMicros(int count) { return std::min<int64_t>(int64_t{50} << std::min(count, 6), 2000); }
int64_t BusyWaitedMicros(int count) {
  return count <= 6 ? 50 * ((int64_t{1} << count) - 1) : 3150 + int64_t{2000} * (count - 6);
}

int RetryWhenBusy(void* timeout_ms, int count) {
  if (BusyWaitedMicros(count) >= reinterpret_cast<intptr_t>(timeout_ms) * int64_t{1000}) return 0;
  int64_t wait = BusyWaitMicros(count);
  struct timespec pause = {static_cast<time_t>(wait / 1000000), static_cast<long>(wait % 1000000) * 1000};
  nanosleep(&pause, nullptr);
  return 1;
}

}  // namespace

void WaitWhenBusy(sqlite3* db, int timeout_ms) {
  sqlite3_busy_handler(db, RetryWhenBusy, reinterpret_cast<void*>(static_cast<intptr_t>(timeout_ms)));
}

Result<sqlite3*> OpenSqliteFile(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open database " + path + ": " + message);
  }
  return db;
}

Status ExecuteSql(sqlite3* db, std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return Internal(message);
  }
  return Status::Ok();
}

Result<std::unique_ptr<SqliteConnection>> OpenModuleConnection(const std::string& location, std::string_view module,
                                                               std::span<const Migration> migrations) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0) {
    return FailedPrecondition("this build has only the embedded SQLite backend; PostgreSQL is planned");
  }
  auto db = SqliteConnection::Open(location);
  if (!db.ok()) return db.status();
  FINCRM_RETURN_IF_ERROR((*db)->MigrateModule(module, migrations));
  return std::move(*db);
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  auto db = OpenSqliteFile(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(*db));
  sqlite3* handle = *db;
  // A server's writers wait out each other (and the journal's application) rather than fail.
  WaitWhenBusy(handle, 30000);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"}) {
    Status status = connection->Execute(pragma);
    if (!status.ok()) return Unavailable("cannot open database " + path + ": " + status.message());
  }
  return connection;
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  sqlite3_close(db_);
}

Status SqliteConnection::Execute(std::string_view sql) { return ExecuteSql(db_, sql); }

Result<SqliteStatement*> SqliteConnection::Prepared(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  auto statement = std::make_unique<SqliteStatement>(db_, sql);
  if (!statement->valid()) return statement->prepare_status();
  SqliteStatement* raw = statement.get();
  statements_.emplace(std::string(sql), std::move(statement));
  return raw;
}

Status SqliteConnection::MigrateModule(std::string_view module, std::span<const Migration> migrations) {
  FINCRM_RETURN_IF_ERROR(Execute(
      "CREATE TABLE IF NOT EXISTS module_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, "
      "description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))"));
  for (const Migration& migration : migrations) {
    Transaction transaction(*this);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    // Read under the write lock: two servers starting at once apply each migration once.
    auto current = Prepared("SELECT COALESCE(MAX(version), 0) FROM module_migrations WHERE module = ?1");
    if (!current.ok()) return current.status();
    (*current)->Bind(1, module);
    int64_t version = (*current)->Step() == SQLITE_ROW ? (*current)->Int(0) : 0;
    (*current)->Reset();
    if (version > migrations.back().version) {
      return FailedPrecondition("the database has version " + std::to_string(version) + " of the " +
                                std::string(module) + " module, newer than this build's " +
                                std::to_string(migrations.back().version) + ": upgrade FinCRM");
    }
    if (migration.version <= version) continue;
    Status applied = Execute(migration.sql);
    if (!applied.ok()) {
      return Internal(std::string(module) + " migration " + std::to_string(migration.version) +
                      " failed: " + applied.message());
    }
    auto record = Prepared(
        "INSERT INTO module_migrations(module, version, description, applied_at) "
        "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    if (!record.ok()) return record.status();
    (*record)->Bind(1, module);
    (*record)->Bind(2, int64_t{migration.version});
    (*record)->Bind(3, migration.description);
    FINCRM_RETURN_IF_ERROR(StepStatus(*this, (*record)->Step(), "recording a module migration"));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
  }
  return Status::Ok();
}

SqliteConnection::Transaction::~Transaction() {
  if (open_) (void)connection_.Execute("ROLLBACK");
}

Status SqliteConnection::Transaction::Begin() {
  Status status = connection_.Execute("BEGIN IMMEDIATE");
  if (!status.ok()) return Unavailable("cannot start a write transaction: " + status.message());
  open_ = true;
  return Status::Ok();
}

Status SqliteConnection::Transaction::BeginRead() {
  Status status = connection_.Execute("BEGIN");
  if (!status.ok()) return Unavailable("cannot start a read transaction: " + status.message());
  open_ = true;
  return Status::Ok();
}

Status SqliteConnection::Transaction::Commit() {
  Status status = connection_.Execute("COMMIT");
  if (!status.ok()) return Unavailable("the commit failed: " + status.message());
  open_ = false;
  return Status::Ok();
}

Status StepStatus(SqliteConnection& connection, int rc, std::string_view what) {
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string message = std::string(what) + ": " + connection.Error();
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return InvalidArgument(message);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Unavailable(message);
  return Internal(message);
}

}  // namespace fincrm
