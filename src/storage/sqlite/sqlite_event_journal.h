// The SQLite event journal: its own database file beside the store's ("<db>.events"),
// so appending to it takes that file's write lock, never the store's — the store's is
// held for seconds while the journal is applied to the customer tables.
//
// What is applied is recorded in the store (MarkJournalApplied, in the applying
// transaction); the journal is trimmed afterwards. A crash in between leaves applied
// entries in the journal, which the next reader skips by that mark. Journals written
// by earlier versions (a table in the store itself) are moved into the file when it is
// opened.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "storage/sqlite/sqlite_statement.h"
#include "storage/store.h"

namespace fincrm {

class SqliteEventJournal final : public EventJournal {
 public:
  // The journal file of the store at `store_path`, created when missing.
  static Result<std::unique_ptr<SqliteEventJournal>> Open(const std::string& store_path);
  ~SqliteEventJournal() override;

  Status Append(std::span<const JournalEntry> entries) override;
  Result<std::vector<JournalEntry>> Read(int64_t after_sequence, int limit) override;
  Status Trim(int64_t through_sequence) override;
  Result<int64_t> LastSequence() override;

  static std::string PathFor(const std::string& store_path) { return store_path + ".events"; }

 private:
  explicit SqliteEventJournal(sqlite3* db) : db_(db) {}
  Status Execute(const char* sql);
  Status AdoptStoreJournal(const std::string& store_path);
  Status Fail(const char* what);

  sqlite3* db_;
  std::unique_ptr<SqliteStatement> insert_, read_, trim_, last_;
};

}  // namespace fincrm
