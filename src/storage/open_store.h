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
  // A connection of the long-running server: waits up to 30 s for the write lock
  // (the journal's application holds it for seconds), leaves WAL checkpoints to
  // CheckpointLog, maps the file for reads, and grows it in 64 MiB steps.
  bool server_connection = false;
  // Page cache per connection in KiB (0: the backend's default).
  int cache_kib = 0;
};

// Unavailable when the database cannot be opened; FailedPrecondition when its schema
// is newer than this build understands.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreOptions options = {});

// Copies committed pages back into the database file without blocking writers (for
// SQLite a passive WAL checkpoint); a server calls it from a thread of its own.
Status CheckpointLog(Store& store);

// The change log of the database at `location` (storage/change_feed.h), on a
// connection of its own. FailedPrecondition before the schema has the log.
Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const std::string& location);

}  // namespace fincrm
