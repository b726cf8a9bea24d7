// The tamper-evident audit trail (审计): every read of a customer's 360 view or
// personal data and every write is appended with who, when, what, which customer and
// from where. Each entry's hash is SHA-256 over its fields and the previous entry's
// hash, so verification names the first entry that was changed, removed or inserted.
// Thread-safe as far as the Store is (appends are serialised by its write lock).
#pragma once

#include <optional>
#include <string>

#include "storage/store.h"

namespace fincrm {

// Hex SHA-256 over the entry's fields (length-prefixed, so no two entries collide
// by shifting text between fields) and its previous hash.
std::string AuditHash(const AuditEntry& entry);

// Appends an entry stamped now. Returns the stored entry.
Result<AuditEntry> RecordAudit(Store& store, std::string actor, std::string action, std::string customer_id,
                               std::string detail, std::string source);

struct AuditVerification {
  int64_t entries = 0;
  std::optional<int64_t> first_bad;  // sequence of the first broken entry
  std::string problem;               // what is wrong with it
};
AuditVerification VerifyAuditTrail(Store& store, Status& error);

}  // namespace fincrm
