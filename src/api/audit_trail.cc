#include "api/audit_trail.h"

#include <sodium.h>


namespace fincrm {

std::string AuditHash(const AuditEntry& e) {
  std::string canonical;
  auto add = [&](std::string_view field) {
    canonical += std::to_string(field.size());
    canonical += ':';
    canonical.append(field);
    canonical += '\n';
  };
  add(std::to_string(e.sequence));
  add(std::to_string(e.at.seconds));
  add(e.actor);
  add(e.action);
  add(e.customer_id);
  add(e.detail);
  add(e.source);
  add(e.previous_hash);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<AuditEntry> RecordAudit(Store& store, std::string actor, std::string action, std::string customer_id,
                               std::string detail, std::string source) {
  AuditEntry entry;
  entry.at = CurrentTime();
  entry.actor = std::move(actor);
  entry.action = std::move(action);
  entry.customer_id = std::move(customer_id);
  entry.detail = std::move(detail);
  entry.source = std::move(source);
  return store.AppendAudit(std::move(entry), AuditHash);
}

AuditVerification VerifyAuditTrail(Store& store, Status& error) {
  AuditVerification result;
  std::string previous;
  int64_t expected = 1;
  error = store.ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
    ++result.entries;
    if (e.sequence != expected) {
      result.first_bad = expected;
      result.problem = "entry " + std::to_string(expected) + " is missing (next is " + std::to_string(e.sequence) + ")";
      return false;
    }
    if (e.previous_hash != previous) {
      result.first_bad = e.sequence;
      result.problem = "its link to the entry before does not match";
      return false;
    }
    if (AuditHash(e) != e.hash) {
      result.first_bad = e.sequence;
      result.problem = "its content does not match its hash (changed after it was written)";
      return false;
    }
    previous = e.hash;
    ++expected;
    return true;
  }));
  return result;
}

}  // namespace fincrm
