// The tamper-evident audit trail (审计): every read of a customer's 360 view or
// personal data and every write is appended with who, when, what, which customer and
// from where, each entry chained to the one before.
//
// Sealing. With an audit key (a file kept outside the database, given by
// --audit-key-file or FINCRM_AUDIT_KEY_FILE), each entry's hash is HMAC-SHA256 under
// the key over its fields and the previous entry's hash, written "h1:<hex>": whoever
// can write the database but lacks the key cannot rewrite an entry, insert one, or
// re-chain the trail after removing one. Without a key the hash is plain SHA-256
// (detects accidents and careless edits, not a forger who recomputes the chain).
// Once one entry is keyed, every later entry must be: an unkeyed entry after a keyed
// one is reported as a downgrade.
//
// Checkpoints. Removing the newest entries leaves a valid shorter chain. So the
// server writes signed checkpoints of the head (sequence, hash) outside the database:
// to its log and, optionally, to an append-only file. Verification against the
// latest checkpoint proves that every entry up to it is still there, unchanged.
// What it cannot prove: entries written after the latest checkpoint (at most the last
// commit's, usually under a second) can be removed unnoticed, and an attacker holding
// the key can forge anything. Thread-safe as far as the Store is.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "storage/store.h"

namespace fincrm {

// The key that seals the trail and signs its checkpoints. Immutable once loaded.
class AuditKey {
 public:
  // Reads a key file: 64 hex characters (32 random bytes), as `fincrm audit keygen`
  // writes. InvalidArgument naming the file when it is missing, unreadable or not a key.
  static Result<AuditKey> Load(const std::string& path);
  // A new random key in the key file's format (64 hex characters and a newline).
  static std::string Generate();
  // Hex HMAC-SHA256 under the key.
  std::string Mac(std::string_view message) const;

 private:
  explicit AuditKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

// The seal of an entry: "h1:" + HMAC under the key, or plain hex SHA-256 without one.
// Both cover the entry's fields (length-prefixed, so no two entries collide by
// shifting text between fields) and its previous hash.
std::string AuditHash(const AuditEntry& entry);
std::string AuditSeal(const AuditEntry& entry, const AuditKey* key);
// The seal function for writers (Store::AppendAudit), with or without a key.
std::function<std::string(const AuditEntry&)> AuditSealer(const AuditKey* key);
bool IsKeyedSeal(std::string_view hash);

// The newest entry of the trail, or nullopt when it is empty.
Result<std::optional<AuditEntry>> AuditHead(Store& store);

// Whether this writer may append to the trail: FailedPrecondition when the trail is
// keyed and no key is given, or the key given is not the trail's.
Status CheckAuditKey(Store& store, const AuditKey* key);

// Appends an entry stamped now. Returns the stored entry.
Result<AuditEntry> RecordAudit(Store& store, std::string actor, std::string action, std::string customer_id,
                               std::string detail, std::string source, const AuditKey* key = nullptr);

// A signed statement that the trail had reached `sequence` with `hash` at `at`.
struct AuditCheckpoint {
  int64_t sequence = 0;
  std::string hash;
  Timestamp at;
};
// "fincrm-audit-checkpoint v1 sequence=S hash=H at=T mac=M": one line (no newline).
std::string FormatCheckpoint(const AuditCheckpoint& checkpoint, const AuditKey& key);
// The latest checkpoint whose signature holds among the lines of a file (a checkpoint
// file or a server log: other lines are skipped). nullopt when there is none;
// InvalidArgument when the file cannot be read or a checkpoint line's signature fails
// (the file was edited), naming the line.
Result<std::optional<AuditCheckpoint>> LatestCheckpoint(const std::string& path, const AuditKey& key);

struct AuditVerification {
  int64_t entries = 0;
  int64_t keyed_from = 0;            // sequence of the first keyed entry (0: none)
  int64_t checkpoint_sequence = 0;   // the checkpoint compared against (0: none)
  std::optional<int64_t> first_bad;  // sequence of the first broken entry
  std::string problem;               // what is wrong with it
};
// The head as `fincrm audit head` prints it, to be kept off the database's machine:
// "fincrm-audit-head v1 sequence=S hash=H at=T". Unsigned: it proves something only
// where the database's writers cannot reach it. Without an audit key it is the only
// defence against a forger who removes entries and recomputes the whole chain.
std::string FormatAuditHead(const AuditEntry& head);
// Reads such a line back, or "SEQUENCE:HASH". InvalidArgument on anything else.
Result<AuditCheckpoint> ParseAuditHead(std::string_view text);

// Checks the chain (with the key, if given, for keyed entries) and, when a signed
// checkpoint or a head kept elsewhere is given, that the trail still holds that entry
// with that hash. `error` receives a failure to read the store.
AuditVerification VerifyAuditTrail(Store& store, Status& error, const AuditKey* key = nullptr,
                                   const std::optional<AuditCheckpoint>& checkpoint = std::nullopt,
                                   const std::optional<AuditCheckpoint>& kept_head = std::nullopt);

}  // namespace fincrm
