// ChangeFeed: the database's log of changes to what customer views and sessions depend
// on (the `change_log`), written by every writer: FinCRM's own writers add one row per
// customer and transaction with their process's origin; triggers record the changes of
// anyone else (a DBA's direct SQL update). A server reads it to drop exactly the cached
// views a change affects and to end the sessions of a login whose rights changed
// elsewhere — the shape a PostgreSQL backend's change_log has as well.
//
// Threading: one thread at a time per ChangeFeed, like a Store.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"

namespace fincrm {

struct ChangeRecord {
  int64_t seq = 0;
  std::string entity;  // "customer" (key: customer_id), "user" (key: login), "all"
  std::string key;
  std::string origin;  // the writing process's ThisProcessChangeOrigin(), "" for triggers
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Changes after `after_seq`, in order, at most `limit`.
  virtual Result<std::vector<ChangeRecord>> ChangesAfter(int64_t after_seq, int limit) = 0;
  // The newest change's seq (0 when the log is empty).
  virtual Result<int64_t> LastChange() = 0;
  // Removes changes recorded before `at` (readers keep no older position than that).
  virtual Status TrimBefore(Timestamp at) = 0;
};

// The origin this process writes its change rows with: random, fixed for its lifetime.
std::string_view ThisProcessChangeOrigin();

}  // namespace fincrm
