// One SQLite connection for the stores of the service modules (calendar, tickets,
// jobs): the same durability settings as the main store (WAL, synchronous=FULL,
// foreign keys), prepared statements kept by text, transactions that roll back unless
// committed, and each module's own schema migrations, recorded per module in
// `module_migrations` so that a module can be added to an existing database.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "storage/sqlite/schema_migrations.h"
#include "storage/sqlite/sqlite_statement.h"

namespace fincrm {

// Opens a database file read-write for one thread's use (creating it only when
// `create`); Unavailable naming the file otherwise.
Result<sqlite3*> OpenSqliteFile(const std::string& path, bool create = false);
// Runs SQL text (several statements allowed); Internal with SQLite's message.
Status ExecuteSql(sqlite3* db, std::string_view sql);
// Makes a writer that finds the write lock taken wait up to `timeout_ms` for it, retrying
// after 50 µs and backing off to 2 ms. SQLite's own busy_timeout sleeps 1, 2, 5, 10 ms…,
// which between the server's group-commit writers (tickets, audit) held a lock that
// frees in a fraction of a millisecond idle for whole milliseconds.
void WaitWhenBusy(sqlite3* db, int timeout_ms);

class SqliteConnection {
 public:
  // Unavailable when the file cannot be opened (it must exist: `fincrm init` or a
  // demo creates it).
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Status Execute(std::string_view sql);
  // The statement for `sql`, prepared once per connection and reset for reuse.
  Result<SqliteStatement*> Prepared(std::string_view sql);
  // The last error as text, for messages.
  std::string Error() const { return sqlite3_errmsg(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

  // Applies the module's migrations above the version it has here, each in its own
  // transaction. FailedPrecondition when the database has a newer version of the
  // module than `migrations` knows.
  Status MigrateModule(std::string_view module, std::span<const Migration> migrations);

  // BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted.
  class Transaction {
   public:
    explicit Transaction(SqliteConnection& connection) : connection_(connection) {}
    ~Transaction();
    Status Begin();
    // A read-only snapshot: a deferred BEGIN, which takes no write lock.
    Status BeginRead();
    Status Commit();

   private:
    SqliteConnection& connection_;
    bool open_ = false;
  };

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  // Looked up by the text without copying it (hot statements are long).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, TextHash, std::equal_to<>> statements_;
};

// A module's connection at `location`, its migrations applied (see MigrateModule).
Result<std::unique_ptr<SqliteConnection>> OpenModuleConnection(const std::string& location, std::string_view module,
                                                               std::span<const Migration> migrations);

// A statement's outcome as a Status: OK for SQLITE_DONE, InvalidArgument for a
// constraint, Unavailable for a busy database, Internal otherwise.
Status StepStatus(SqliteConnection& connection, int rc, std::string_view what);

}  // namespace fincrm
