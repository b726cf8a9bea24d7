// The customer-360 views the server has built, kept LZ4-compressed in memory so that a
// brokerage's whole customer base fits a modest budget (a 4.7 KB view takes about a
// quarter of that) and a read costs a decompression instead of nine store queries.
//
// Correctness: commits of this process name the customers they changed (the store's
// commit listener) and those entries go at once; commits of other processes (an
// import, an analysis run) are noticed by their data generation, which this process
// did not produce, and empty the cache. A view built from a read that a commit
// overtook is not kept (fill tickets).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.h"

namespace fincrm {

struct CachedCustomerView {
  std::string branch_id;  // for the scope check without a store read
  std::string broker_id;
  std::string json;
};

class CustomerViewCache {
 public:
  // A view's variant is its masking: one character, '0' + a 4-bit field mask.
  static constexpr int kVariants = 16;

  explicit CustomerViewCache(size_t budget_bytes) : budget_bytes_(budget_bytes) {}

  // The view of `customer_id` as rendered for `variant` (the masking), if cached.
  std::optional<CachedCustomerView> Find(std::string_view customer_id, std::string_view variant);

  // Taken before reading the store for a view; Put keeps the view only if nothing
  // was invalidated since.
  uint64_t FillTicket() const { return invalidations_.load(std::memory_order_acquire); }
  void Put(std::string_view customer_id, std::string_view variant, const CachedCustomerView& view, uint64_t ticket);

  // The store's commit listener (any thread).
  void OnCommit(const CommittedChange& change);
  // Called periodically with the store's data generation: a generation this process
  // did not produce means another process changed data.
  void CheckGeneration(int64_t generation);

  void Clear();
  size_t Bytes() const;
  size_t Entries() const;
  int64_t Clears() const { return clears_.load(); }

 private:
  struct Entry {
    char variant;
    std::string compressed;
    uint32_t json_size = 0;
  };
  // A customer's views (usually one masking variant), so that dropping a customer is
  // one lookup.
  struct Views {
    std::string branch_id, broker_id;
    std::vector<Entry> entries;
  };
  void EraseCustomerLocked(const std::string& customer_id);
  void ClearLocked();
  static size_t Cost(const std::string& customer_id, const Views& v) {
    size_t bytes = customer_id.size() + v.branch_id.size() + v.broker_id.size() + 96;
    for (const Entry& e : v.entries) bytes += e.compressed.size() + 32;
    return bytes;
  }

  const size_t budget_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Views> entries_;  // by customer_id
  size_t bytes_ = 0;
  size_t eviction_cursor_ = 0;
  std::atomic<uint64_t> invalidations_{0};
  std::atomic<int64_t> clears_{0};
  // Generations: the highest one checked against the store, and those this process
  // produced above it (commits of other processes are the gaps).
  int64_t checked_generation_ = -1;
  std::set<int64_t> own_generations_;
};

}  // namespace fincrm
