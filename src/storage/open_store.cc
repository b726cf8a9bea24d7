#include "storage/open_store.h"

#include "storage/sqlite/sqlite_change_feed.h"
#include "storage/sqlite/sqlite_store.h"

namespace fincrm {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreOptions options) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0) {
    return FailedPrecondition("this build has only the embedded SQLite backend; PostgreSQL is planned");
  }
  auto store = SqliteStore::Open(location, options.create);
  if (!store.ok()) return store.status();
  if (options.migrate) FINCRM_RETURN_IF_ERROR((*store)->Migrate());
  return std::unique_ptr<Store>(std::move(*store));
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
