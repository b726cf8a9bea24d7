// PortalStore: one-time activation codes with which a customer sets their own portal
// password (issued at the counter, later by SMS). Only a hash of the code is kept.
// Implemented for SQLite in sqlite/sqlite_portal_store.cc.
//
// Threading: one thread at a time per PortalStore; open one per thread.
#pragma once

#include <memory>
#include <string>

#include "core/date_time.h"
#include "core/status.h"

namespace fincrm {

struct PortalActivation {
  std::string customer_id;
  std::string code_sha256;
  Timestamp issued_at, expires_at;
  std::string issued_by;
};

inline constexpr int kMaxActivationFailures = 5;

class PortalStore {
 public:
  virtual ~PortalStore() = default;
  // Replaces any code the customer had.
  virtual Status Issue(const PortalActivation& activation) = 0;
  // Uses the customer's code once: Ok when `code_sha256` matches an unexpired, unused
  // code; FailedPrecondition (field "code") otherwise, counting the failure — after
  // kMaxActivationFailures the code is void.
  virtual Status Redeem(const std::string& customer_id, const std::string& code_sha256, Timestamp now) = 0;
};

Result<std::unique_ptr<PortalStore>> OpenPortalStore(const std::string& location);

}  // namespace fincrm
