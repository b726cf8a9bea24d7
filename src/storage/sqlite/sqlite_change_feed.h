// The SQLite change feed: the store's `change_log` table (migration 12), read through a
// connection of its own.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "storage/change_feed.h"
#include "storage/sqlite/sqlite_statement.h"

namespace fincrm {

class SqliteChangeFeed final : public ChangeFeed {
 public:
  // Unavailable when the database cannot be opened; FailedPrecondition before
  // migration 12 (open the store with migrations first).
  static Result<std::unique_ptr<SqliteChangeFeed>> Open(const std::string& path);
  ~SqliteChangeFeed() override;

  Result<std::vector<ChangeRecord>> ChangesAfter(int64_t after_seq, int limit) override;
  Result<int64_t> LastChange() override;
  Status TrimBefore(Timestamp at) override;

 private:
  explicit SqliteChangeFeed(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unique_ptr<SqliteStatement> read_, last_, trim_;
};

}  // namespace fincrm
