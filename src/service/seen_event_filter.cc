#include "service/seen_event_filter.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace fincrm {
namespace {

// The filter holds 64-bit hashes of the ids rather than the ids: Load() can then keep
// what it read in 8 bytes an id until it knows how many there are (libbloom takes its
// capacity at creation). Two ids sharing a hash only add a "maybe".
uint64_t IdHash(std::string_view event_id) { return std::hash<std::string_view>{}(event_id); }

}  // namespace

SeenEventFilter::~SeenEventFilter() {
  if (loaded_) bloom_free(&bloom_);
}

Status SeenEventFilter::Load(Store& store) {
  std::vector<uint64_t> hashes;
  Status read = store.ForEachEventId([&](std::string_view id) { hashes.push_back(IdHash(id)); });
  if (!read.ok()) return read;
  int64_t capacity = std::max<int64_t>(kMinimumCapacity, 2 * static_cast<int64_t>(hashes.size()));
  capacity = std::min(capacity, kMaximumCapacity);
  struct bloom fresh {};
  if (bloom_init(&fresh, static_cast<int>(capacity), kFalseMaybeRate) != 0) {
    return Internal("cannot allocate the seen-event filter for " + std::to_string(capacity) + " ids");
  }
  for (uint64_t hash : hashes) bloom_add(&fresh, &hash, sizeof hash);
  if (loaded_) bloom_free(&bloom_);
  bloom_ = fresh;
  loaded_ = true;
  count_ = static_cast<int64_t>(hashes.size());
  capacity_ = capacity;
  return Status::Ok();
}

bool SeenEventFilter::MaybeSeen(std::string_view event_id) {
  if (!loaded_) return true;
  uint64_t hash = IdHash(event_id);
  return bloom_check(&bloom_, &hash, sizeof hash) != 0;
}

void SeenEventFilter::Add(std::string_view event_id) {
  if (!loaded_) return;
  uint64_t hash = IdHash(event_id);
  bloom_add(&bloom_, &hash, sizeof hash);
  ++count_;
}

}  // namespace fincrm
