#include "api/audit_trail.h"

#include <sodium.h>

#include <fstream>

namespace fincrm {
namespace {

constexpr std::string_view kKeyedPrefix = "h1:";
constexpr std::string_view kCheckpointTag = "fincrm-audit-checkpoint v1 ";

std::string Canonical(const AuditEntry& e) {
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
  return canonical;
}

std::string Hex(const unsigned char* data, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

// The value of "name=" in a checkpoint line, up to the next space.
std::string_view Field(std::string_view line, std::string_view name) {
  size_t at = line.find(" " + std::string(name) + "=");
  if (at == std::string_view::npos) return {};
  std::string_view rest = line.substr(at + name.size() + 2);
  return rest.substr(0, rest.find(' '));
}

}  // namespace

Result<AuditKey> AuditKey::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read the audit key file " + path, "audit_key_file");
  std::string text;
  std::getline(in, text);
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  std::string bytes(32, '\0');
  size_t length = 0;
  if (text.size() != 64 || sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                                          text.size(), nullptr, &length, nullptr) != 0 || length != 32) {
    return InvalidArgument(path + " is not an audit key (64 hex characters; fincrm audit keygen writes one)",
                           "audit_key_file");
  }
  return AuditKey(std::move(bytes));
}

std::string AuditKey::Generate() {
  if (sodium_init() < 0) return {};
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return Hex(bytes, sizeof bytes) + "\n";
}

std::string AuditKey::Mac(std::string_view message) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(bytes_.data()), bytes_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return Hex(mac, sizeof mac);
}

std::string AuditHash(const AuditEntry& e) { return AuditSeal(e, nullptr); }

std::string AuditSeal(const AuditEntry& e, const AuditKey* key) {
  std::string canonical = Canonical(e);
  if (key) return std::string(kKeyedPrefix) + key->Mac(canonical);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  return Hex(digest, sizeof digest);
}

std::function<std::string(const AuditEntry&)> AuditSealer(const AuditKey* key) {
  if (!key) return [](const AuditEntry& e) { return AuditSeal(e, nullptr); };
  return [key = *key](const AuditEntry& e) { return AuditSeal(e, &key); };
}

bool IsKeyedSeal(std::string_view hash) { return hash.starts_with(kKeyedPrefix); }

Result<std::optional<AuditEntry>> AuditHead(Store& store) {
  AuditQuery newest;
  newest.limit = 1;
  newest.newest_first = true;
  auto page = store.ListAudit(newest);
  if (!page.ok()) return page.status();
  if (page->empty()) return std::optional<AuditEntry>();
  return std::optional<AuditEntry>(std::move(page->front()));
}

Status CheckAuditKey(Store& store, const AuditKey* key) {
  auto found = AuditHead(store);
  if (!found.ok()) return found.status();
  const std::optional<AuditEntry>& head = *found;
  if (!head || !IsKeyedSeal(head->hash)) return Status::Ok();
  if (!key) {
    return FailedPrecondition("the audit trail is sealed with a key (up to entry " + std::to_string(head->sequence) +
                              "): give it with --audit-key-file or FINCRM_AUDIT_KEY_FILE");
  }
  if (AuditSeal(*head, key) != head->hash) {
    return FailedPrecondition("the audit key given is not the one the trail is sealed with (entry " +
                              std::to_string(head->sequence) + ")");
  }
  return Status::Ok();
}

Result<AuditEntry> RecordAudit(Store& store, std::string actor, std::string action, std::string customer_id,
                               std::string detail, std::string source, const AuditKey* key) {
  FINCRM_RETURN_IF_ERROR(CheckAuditKey(store, key));
  AuditEntry entry;
  entry.at = CurrentTime();
  entry.actor = std::move(actor);
  entry.action = std::move(action);
  entry.customer_id = std::move(customer_id);
  entry.detail = std::move(detail);
  entry.source = std::move(source);
  return store.AppendAudit(std::move(entry), AuditSealer(key));
}

std::string FormatCheckpoint(const AuditCheckpoint& c, const AuditKey& key) {
  std::string statement = std::string(kCheckpointTag) + "sequence=" + std::to_string(c.sequence) + " hash=" + c.hash +
                          " at=" + std::to_string(c.at.seconds);
  return statement + " mac=" + key.Mac(statement);
}

Result<std::optional<AuditCheckpoint>> LatestCheckpoint(const std::string& path, const AuditKey& key) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read the checkpoint file " + path, "checkpoint_file");
  std::optional<AuditCheckpoint> latest;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    size_t tag = line.find(kCheckpointTag);
    if (tag == std::string::npos) continue;
    std::string_view text = std::string_view(line).substr(tag);
    size_t mac_at = text.find(" mac=");
    if (mac_at == std::string_view::npos || key.Mac(text.substr(0, mac_at)) != Field(text, "mac")) {
      return InvalidArgument(path + " line " + std::to_string(number) +
                                 ": a checkpoint whose signature does not hold (the file was edited, or another key)",
                             "checkpoint_file");
    }
    AuditCheckpoint checkpoint;
    checkpoint.sequence = std::strtoll(std::string(Field(text, "sequence")).c_str(), nullptr, 10);
    checkpoint.hash = std::string(Field(text, "hash"));
    checkpoint.at = Timestamp{std::strtoll(std::string(Field(text, "at")).c_str(), nullptr, 10)};
    if (!latest || checkpoint.sequence >= latest->sequence) latest = checkpoint;
  }
  return latest;
}

AuditVerification VerifyAuditTrail(Store& store, Status& error, const AuditKey* key,
                                   const std::optional<AuditCheckpoint>& checkpoint) {
  AuditVerification result;
  std::string previous;
  int64_t expected = 1;
  auto broken = [&](int64_t sequence, std::string problem) {
    result.first_bad = sequence;
    result.problem = std::move(problem);
    return false;
  };
  error = store.ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
    ++result.entries;
    if (e.sequence != expected) {
      return broken(expected, "entry " + std::to_string(expected) + " is missing (next is " +
                                  std::to_string(e.sequence) + ")");
    }
    if (e.previous_hash != previous) return broken(e.sequence, "its link to the entry before does not match");
    if (IsKeyedSeal(e.hash)) {
      if (!result.keyed_from) result.keyed_from = e.sequence;
      if (!key) return broken(e.sequence, "it is sealed with the audit key: verify with --audit-key-file");
      if (AuditSeal(e, key) != e.hash) {
        return broken(e.sequence, "its content does not match its keyed seal (changed after it was written, "
                                  "or another key)");
      }
    } else if (result.keyed_from) {
      return broken(e.sequence, "it is not sealed with the key although entries before it are (rewritten without the key)");
    } else if (AuditHash(e) != e.hash) {
      return broken(e.sequence, "its content does not match its hash (changed after it was written)");
    }
    if (checkpoint && e.sequence == checkpoint->sequence && e.hash != checkpoint->hash) {
      return broken(e.sequence, "it differs from the signed checkpoint of " + FormatTimestamp(checkpoint->at));
    }
    previous = e.hash;
    ++expected;
    return true;
  }));
  if (checkpoint) {
    result.checkpoint_sequence = checkpoint->sequence;
    if (!result.first_bad && result.entries < checkpoint->sequence) {
      result.first_bad = result.entries + 1;
      result.problem = "the trail ends at entry " + std::to_string(result.entries) + " but the signed checkpoint of " +
                       FormatTimestamp(checkpoint->at) + " saw it reach entry " + std::to_string(checkpoint->sequence) +
                       ": entries " + std::to_string(result.entries + 1) + " to " +
                       std::to_string(checkpoint->sequence) + " were removed";
    }
  }
  return result;
}

}  // namespace fincrm
