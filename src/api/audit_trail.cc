#include "api/audit_trail.h"

#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <vector>

namespace fincrm {
namespace {

constexpr std::string_view kKeyedPrefix = "h1:";
constexpr std::string_view kCheckpointTag = "fincrm-audit-checkpoint v1 ";
constexpr std::string_view kHeadTag = "fincrm-audit-head v1 ";

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

std::string FormatAuditHead(const AuditEntry& head) {
  return std::string(kHeadTag) + "sequence=" + std::to_string(head.sequence) + " hash=" + head.hash +
         " at=" + std::to_string(head.at.seconds);
}

Result<AuditCheckpoint> ParseAuditHead(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  AuditCheckpoint head;
  std::string sequence, hash;
  if (size_t tag = text.find(kHeadTag); tag != std::string_view::npos) {
    std::string_view line = text.substr(tag);
    sequence = std::string(Field(line, "sequence"));
    hash = std::string(Field(line, "hash"));
    head.at = Timestamp{std::strtoll(std::string(Field(line, "at")).c_str(), nullptr, 10)};
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos && !text.starts_with("h1:")) {
    sequence = std::string(text.substr(0, colon));
    hash = std::string(text.substr(colon + 1));
  }
  char* end = nullptr;
  head.sequence = sequence.empty() ? 0 : std::strtoll(sequence.c_str(), &end, 10);
  if (head.sequence <= 0 || (end && *end != '\0') || hash.empty()) {
    return InvalidArgument("expected the line `fincrm audit head` printed, or SEQUENCE:HASH", "expect_head");
  }
  head.hash = std::move(hash);
  return head;
}

AuditVerification VerifyAuditTrail(Store& store, Status& error, const AuditKey* key,
                                   const std::optional<AuditCheckpoint>& checkpoint,
                                   const std::optional<AuditCheckpoint>& kept_head) {
  AuditVerification result;
  std::string previous;
  int64_t expected = 1;
  auto broken = [&](int64_t sequence, std::string problem) {
    result.first_bad = sequence;
    result.problem = std::move(problem);
    return false;
  };
  // What the trail is compared with: heads recorded outside the database.
  struct Known {
    const AuditCheckpoint* head;
    std::string name;
  };
  std::vector<Known> known;
  if (checkpoint) known.push_back({&*checkpoint, "the signed checkpoint of " + FormatTimestamp(checkpoint->at)});
  if (kept_head) {
    known.push_back({&*kept_head, kept_head->at.seconds ? "the head kept at " + FormatTimestamp(kept_head->at)
                                                        : std::string("the head kept")});
  }
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
    for (const Known& k : known) {
      if (e.sequence == k.head->sequence && e.hash != k.head->hash) {
        return broken(e.sequence, "it differs from " + k.name +
                                      " (entries up to it were removed, changed or inserted and the chain recomputed)");
      }
    }
    previous = e.hash;
    ++expected;
    return true;
  }));
  for (const Known& k : known) {
    result.checkpoint_sequence = std::max(result.checkpoint_sequence, k.head->sequence);
    if (!result.first_bad && result.entries < k.head->sequence) {
      result.first_bad = result.entries + 1;
      result.problem = "the trail ends at entry " + std::to_string(result.entries) + " but " + k.name +
                       " saw it reach entry " + std::to_string(k.head->sequence) + ": entries " +
                       std::to_string(result.entries + 1) + " to " + std::to_string(k.head->sequence) +
                       " were removed";
    }
  }
  return result;
}

}  // namespace fincrm
