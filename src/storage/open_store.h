// Opens a Store by location: a file path means the embedded SQLite backend; a
// "postgresql://" URL will select the PostgreSQL backend once it exists.
#pragma once

#include <memory>
#include <string>

#include "storage/change_feed.h"
#include "storage/store.h"

namespace fincrm {

struct StoreOptions {
  // Apply pending schema migrations when opening (fincrm init, serve, import...).
  bool migrate = true;
  // Create the database file if missing.
  bool create = true;
};

// Unavailable when the database cannot be opened; FailedPrecondition when its schema
// is newer than this build understands.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreOptions options = {});

// The change log of the database at `location` (storage/change_feed.h), on a
// connection of its own. FailedPrecondition before the schema has the log.
Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const std::string& location);

}  // namespace fincrm
