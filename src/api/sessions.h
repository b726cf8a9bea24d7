// Sign-in (登录): sessions for staff, API keys for integration systems.
//
// Sessions live in the server's memory (a restart signs everyone out) and end after
// `idle_minutes` without use, `absolute_hours` after sign-in, at sign-out, or at once
// when an administrator disables the login, changes its role or scope, or resets its
// password (EndSessionsOf).
//
// Failed passwords count per login in the store: after `max_failures` in a row the
// login is locked for `lockout_minutes`. Attempts for one login are evaluated one at a
// time, so concurrent guesses cannot all pass the count before it is written. Logins
// that do not exist count and lock the same way (in memory), and a disabled login says
// so only to the right password: no answer tells whether a login exists. Sign-in
// attempts are also limited per client address, against guessing across many logins.
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/access_policy.h"

namespace fincrm {

struct SessionOptions {
  int idle_minutes = 30;
  int absolute_hours = 8;
  int max_failures = 5;
  int lockout_minutes = 15;
  int attempts_per_minute_per_address = 30;
};

struct LoginOutcome {
  // 200 with a token, 401 bad credentials, 423 locked, 429 too many attempts,
  // 403 disabled.
  int status = 200;
  std::string code;
  std::string message;
  std::string token;
  Principal principal;
  Timestamp expires_at;
};

class SessionRegistry {
 public:
  explicit SessionRegistry(SessionOptions options = {}) : options_(options) {}

  LoginOutcome Login(Store& store, std::string_view login, std::string_view password,
                     const std::string& remote_address);
  // The session's principal, extending its idle deadline; nullopt when unknown or expired.
  std::optional<Principal> Resolve(std::string_view token);
  void Logout(std::string_view token);
  // Ends every session of the login; returns how many there were.
  int EndSessionsOf(std::string_view login);
  // An integration key ("fk_<id>_<secret>"); nullopt when unknown or disabled.
  std::optional<Principal> ResolveApiKey(Store& store, std::string_view key);

  const SessionOptions& options() const { return options_; }
  size_t active_sessions();

 private:
  struct Session {
    Principal principal;
    std::chrono::steady_clock::time_point idle_deadline;
    std::chrono::steady_clock::time_point absolute_deadline;
  };
  struct Attempts {
    std::chrono::steady_clock::time_point window_start;
    int count = 0;
  };
  struct UnknownLogin {
    int failures = 0;
    int64_t locked_until = 0;  // wall-clock seconds
  };
  std::mutex& LoginLock(std::string_view login);

  SessionOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
  std::unordered_map<std::string, Attempts> attempts_;
  std::unordered_map<std::string, UnknownLogin> unknown_logins_;
  // One sign-in at a time per login (striped by the login's hash).
  std::array<std::mutex, 64> login_locks_;
};

// A new random token (hex), also used for API key secrets.
std::string RandomToken(size_t bytes);
// Hex SHA-256.
std::string Sha256Hex(std::string_view data);
// Hex HMAC-SHA256 (webhook signatures).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace fincrm
