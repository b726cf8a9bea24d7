#include "storage/open_store.h"

#include "storage/sqlite/sqlite_change_feed.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_store.h"

namespace fincrm {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreOptions options) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0) {
    return FailedPrecondition("this build has only the embedded SQLite backend; PostgreSQL is planned");
  }
  auto store = SqliteStore::Open(location, options.create);
  if (!store.ok()) return store.status();
  if (options.migrate) FINCRM_RETURN_IF_ERROR((*store)->Migrate());
  SqliteStore& sqlite = **store;
  if (options.server_connection) {
    // The journal's application holds the tables' write lock for up to ~10–20 s on
    // a large database; the server's other writes wait that out rather than fail.
    WaitWhenBusy(sqlite.handle(), 30000);
    (void)sqlite.Execute("PRAGMA wal_autocheckpoint=0");  // the server's checkpointer does it
    // Reads map the file instead of copying pages into each connection's cache: the
    // OS page cache is shared by all threads (readers, the ingest writer's id probes).
    (void)sqlite.Execute("PRAGMA mmap_size=68719476736");
    // Grow the file in 64 MiB steps: every change of its size makes each reader
    // remap it (and fault its pages in again), which cost 10% of the 360 route.
    int chunk = 64 << 20;
    sqlite3_file_control(sqlite.handle(), "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
  }
  if (options.cache_kib > 0) (void)sqlite.Execute("PRAGMA cache_size=-" + std::to_string(options.cache_kib));
  return std::unique_ptr<Store>(std::move(*store));
}

Status CheckpointLog(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (!sqlite) return Status::Ok();
  return sqlite->Execute("PRAGMA wal_checkpoint(PASSIVE)");
}

Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const std::string& location) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0) {
    return FailedPrecondition("this build has only the embedded SQLite backend; PostgreSQL is planned");
  }
  auto feed = SqliteChangeFeed::Open(location);
  if (!feed.ok()) return feed.status();
  return std::unique_ptr<ChangeFeed>(std::move(*feed));
}

}  // namespace fincrm
