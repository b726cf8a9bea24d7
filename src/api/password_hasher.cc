#include "api/password_hasher.h"

#include <sodium.h>

namespace fincrm {

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < 8) return InvalidArgument("must have at least 8 characters", "password");
  if (password.size() > 128) return InvalidArgument("must have at most 128 characters", "password");
  if (sodium_init() < 0) return Internal("libsodium could not be initialised");
  char encoded[crypto_pwhash_STRBYTES];
  // Interactive limits: about 0.1 s and 64 MiB per hash on this class of machine.
  if (crypto_pwhash_str(encoded, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Internal("out of memory while hashing the password");
  }
  return std::string(encoded);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0 || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace fincrm
