#include "api/sessions.h"

#include <sodium.h>

#include "api/password_hasher.h"

namespace fincrm {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

}  // namespace

std::string RandomToken(size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(digest, sizeof digest);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return Hex(mac, sizeof mac);
}

LoginOutcome SessionRegistry::Login(Store& store, std::string_view login, std::string_view password,
                                    const std::string& remote_address) {
  using Clock = std::chrono::steady_clock;
  auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    // Sign-ins are rare next to requests: a good moment to drop ended sessions and old
    // attempt counters, so a long-running server's tables do not grow without end.
    std::erase_if(sessions_, [&](const auto& entry) {
      return now > entry.second.idle_deadline || now > entry.second.absolute_deadline;
    });
    std::erase_if(attempts_, [&](const auto& entry) { return now - entry.second.window_start > std::chrono::minutes(1); });
    Attempts& attempts = attempts_[remote_address];
    if (now - attempts.window_start > std::chrono::minutes(1)) attempts = {now, 0};
    if (++attempts.count > options_.attempts_per_minute_per_address) {
      return {429, "too_many_attempts", "too many sign-in attempts from this address; wait a minute", {}, {}, {}};
    }
  }
  std::lock_guard one_at_a_time(LoginLock(login));
  auto found = store.FindUser(login);
  if (!found.ok()) return {503, "unavailable", found.status().message(), {}, {}, {}};
  LoginOutcome invalid{401, "invalid_credentials", "wrong login or password", {}, {}, {}};
  Timestamp wall = CurrentTime();
  auto locked = [](Timestamp until) {
    return LoginOutcome{423, "login_locked", "too many wrong passwords: locked until " + FormatTimestamp(until),
                        {}, {}, {}};
  };
  if (!found->has_value()) {
    // The same cost as a real check, so the answer's timing does not tell that the
    // login is unknown; and the same lockout, so its answers do not either.
    static const std::string dummy = [] {
      auto hash = HashPassword("timing-equaliser-password");
      return hash.ok() ? *hash : std::string();
    }();
    {
      std::lock_guard lock(mutex_);
      if (unknown_logins_.size() > 100000) {
        std::erase_if(unknown_logins_, [&](const auto& entry) { return entry.second.locked_until < wall.seconds; });
      }
      auto it = unknown_logins_.find(std::string(login));
      if (it != unknown_logins_.end() && it->second.locked_until > wall.seconds) return locked({it->second.locked_until});
    }
    (void)VerifyPassword(dummy, password);
    std::lock_guard lock(mutex_);
    UnknownLogin& unknown = unknown_logins_[std::string(login)];
    if (++unknown.failures >= options_.max_failures) {
      unknown.locked_until = wall.seconds + options_.lockout_minutes * 60;
      unknown.failures = 0;
    }
    return invalid;
  }
  StaffUser user = **found;
  if (user.locked_until.seconds > wall.seconds) return locked(user.locked_until);
  if (!VerifyPassword(user.password_hash, password)) {
    user.failed_logins += 1;
    if (user.failed_logins >= options_.max_failures) {
      user.locked_until = Timestamp{wall.seconds + options_.lockout_minutes * 60};
      user.failed_logins = 0;
    }
    (void)store.UpdateUser(user);
    return invalid;
  }
  // Only the right password learns that the login is disabled.
  if (user.disabled) return {403, "login_disabled", "this login is disabled", {}, {}, {}};
  if (user.failed_logins != 0 || user.locked_until.seconds != 0) {
    user.failed_logins = 0;
    user.locked_until = Timestamp{0};
    (void)store.UpdateUser(user);
  }
  LoginOutcome outcome;
  outcome.token = RandomToken(32);
  outcome.principal = {user.login, user.role, user.branch_id, user.staff_id, false};
  if (user.role == UserRole::kInvestor && user.login.starts_with(kInvestorLoginPrefix)) {
    outcome.principal.customer_id = user.login.substr(kInvestorLoginPrefix.size());
  }
  outcome.expires_at = Timestamp{wall.seconds + options_.absolute_hours * 3600};
  std::lock_guard lock(mutex_);
  sessions_[outcome.token] = {outcome.principal, now + std::chrono::minutes(options_.idle_minutes),
                              now + std::chrono::hours(options_.absolute_hours)};
  return outcome;
}

std::optional<Principal> SessionRegistry::Resolve(std::string_view token) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(token));
  if (it == sessions_.end()) return std::nullopt;
  if (now > it->second.idle_deadline || now > it->second.absolute_deadline) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.idle_deadline = now + std::chrono::minutes(options_.idle_minutes);
  return it->second.principal;
}

void SessionRegistry::Logout(std::string_view token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(std::string(token));
}

int SessionRegistry::EndSessionsOf(std::string_view login) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::erase_if(sessions_, [&](const auto& entry) { return entry.second.principal.login == login; }));
}

std::mutex& SessionRegistry::LoginLock(std::string_view login) {
  return login_locks_[std::hash<std::string_view>{}(login) % login_locks_.size()];
}

size_t SessionRegistry::active_sessions() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::optional<Principal> SessionRegistry::ResolveApiKey(Store& store, std::string_view key) {
  auto found = store.FindApiKeyByHash(Sha256Hex(key));
  if (!found.ok() || !found->has_value() || (*found)->disabled) return std::nullopt;
  return Principal{"apikey:" + (*found)->key_id, UserRole::kIntegration, "", "", true, (*found)->scopes};
}

}  // namespace fincrm
