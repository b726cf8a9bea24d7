// Hold-out groups (对照组): a customer's bucket 0–99 for a key such as "campaign 7,
// customer C0001", the same on every server and every run, so that a control group is
// fixed when it is drawn and can be drawn again to check it.
#pragma once

#include <cstdint>
#include <string_view>

namespace fincrm {

inline int HoldOutBucket(std::string_view key) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, then SplitMix64's finaliser to mix the low digits
  for (unsigned char c : key) hash = (hash ^ c) * 1099511628211ull;
  hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9ull;
  hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBull;
  hash ^= hash >> 31;
  return static_cast<int>(hash % 100);
}

}  // namespace fincrm
