#include "storage/sqlite/sqlite_change_feed.h"

#include <random>

#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {

std::string_view ThisProcessChangeOrigin() {
  static const std::string origin = [] {
    std::random_device random;
    char text[24];
    std::snprintf(text, sizeof text, "p%08x%08x", random(), random());
    return std::string(text);
  }();
  return origin;
}

Result<std::unique_ptr<SqliteChangeFeed>> SqliteChangeFeed::Open(const std::string& path) {
  auto opened = OpenSqliteFile(path);
  if (!opened.ok()) return opened.status();
  sqlite3* db = *opened;
  std::unique_ptr<SqliteChangeFeed> feed(new SqliteChangeFeed(db));
  WaitWhenBusy(db, 30000);
  feed->read_ = std::make_unique<SqliteStatement>(
      db, "SELECT seq, entity, key, origin FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  feed->last_ = std::make_unique<SqliteStatement>(db, "SELECT COALESCE(MAX(seq), 0) FROM change_log");
  feed->trim_ = std::make_unique<SqliteStatement>(db, "DELETE FROM change_log WHERE at < ?1");
  for (const auto* statement : {feed->read_.get(), feed->last_.get(), feed->trim_.get()}) {
    if (!statement->valid()) {
      return FailedPrecondition("the database has no change log (schema older than migration 12): " +
                                statement->prepare_status().message());
    }
  }
  return feed;
}

SqliteChangeFeed::~SqliteChangeFeed() {
  read_.reset();
  last_.reset();
  trim_.reset();
  sqlite3_close(db_);
}

Result<std::vector<ChangeRecord>> SqliteChangeFeed::ChangesAfter(int64_t after_seq, int limit) {
  read_->Bind(1, after_seq);
  read_->Bind(2, int64_t{limit});
  std::vector<ChangeRecord> changes;
  int rc;
  while ((rc = read_->Step()) == SQLITE_ROW) {
    ChangeRecord& change = changes.emplace_back();
    read_->Read(0, change.seq);
    read_->Read(1, change.entity);
    read_->Read(2, change.key);
    read_->Read(3, change.origin);
  }
  read_->Reset();
  if (rc != SQLITE_DONE) return Unavailable(std::string("reading the change log: ") + sqlite3_errmsg(db_));
  return changes;
}

Result<int64_t> SqliteChangeFeed::LastChange() {
  int rc = last_->Step();
  int64_t last = rc == SQLITE_ROW ? last_->Int(0) : 0;
  last_->Reset();
  if (rc != SQLITE_ROW) return Unavailable(std::string("reading the change log: ") + sqlite3_errmsg(db_));
  return last;
}

Status SqliteChangeFeed::TrimBefore(Timestamp at) {
  trim_->Bind(1, at);
  int rc = trim_->Step();
  trim_->Reset();
  if (rc != SQLITE_DONE) return Unavailable(std::string("trimming the change log: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

}  // namespace fincrm
