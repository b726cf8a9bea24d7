// Password hashing for logins: argon2id through libsodium (crypto_pwhash_str), with
// its memory- and time-hard parameters stored inside the encoded hash. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace fincrm {

// Passwords must have 8 to 128 bytes. InvalidArgument otherwise; Internal when
// libsodium cannot be initialised or runs out of memory.
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches `hash` (constant-time inside libsodium).
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace fincrm
