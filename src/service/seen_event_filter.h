// The event ids recorded in the store, as a Bloom filter (libbloom) in front of the
// store's index. Replays are rare, so nearly every event is new: the filter tells the
// ingest writer so without a B-tree probe; a "maybe" (a recorded id, or about 1 in 100
// new ones) is asked of the store. Used by one thread (the ingest writer).
#pragma once

#include <bloom.h>

#include <cstdint>
#include <string_view>

#include "storage/store.h"

namespace fincrm {

class SeenEventFilter {
 public:
  SeenEventFilter() = default;
  ~SeenEventFilter();
  SeenEventFilter(const SeenEventFilter&) = delete;
  SeenEventFilter& operator=(const SeenEventFilter&) = delete;

  // Reads every recorded id; sized for twice as many, at least `kMinimumCapacity`.
  // Until a load succeeds every id is a "maybe".
  Status Load(Store& store);
  // False: the id is certainly not recorded.
  bool MaybeSeen(std::string_view event_id);
  // An id the store has just recorded.
  void Add(std::string_view event_id);
  // More ids than it was sized for (its false "maybe"s grow): Load again.
  bool full() const { return loaded_ && count_ > capacity_ && capacity_ < kMaximumCapacity; }
  int64_t count() const { return count_; }

  static constexpr int64_t kMinimumCapacity = 1 << 20;
  static constexpr int64_t kMaximumCapacity = 1 << 27;  // libbloom counts the bits in an int
  static constexpr double kFalseMaybeRate = 0.01;

 private:
  struct bloom bloom_ {};
  bool loaded_ = false;
  int64_t count_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace fincrm
