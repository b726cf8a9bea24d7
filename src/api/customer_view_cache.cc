#include "api/customer_view_cache.h"

#include <lz4.h>

namespace fincrm {
std::optional<CachedCustomerView> CustomerViewCache::Find(std::string_view customer_id, std::string_view variant) {
  if (variant.size() != 1) return std::nullopt;
  CachedCustomerView view;
  std::string compressed;
  uint32_t size = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(customer_id));
    if (it == entries_.end()) return std::nullopt;
    const Entry* found = nullptr;
    for (const Entry& e : it->second.entries) {
      if (e.variant == variant[0]) found = &e;
    }
    if (!found) return std::nullopt;
    view.branch_id = it->second.branch_id;
    view.broker_id = it->second.broker_id;
    compressed = found->compressed;  // decompressed outside the lock
    size = found->json_size;
  }
  view.json.resize(size);
  int written = LZ4_decompress_safe(compressed.data(), view.json.data(), static_cast<int>(compressed.size()),
                                    static_cast<int>(size));
  if (written != static_cast<int>(size)) return std::nullopt;
  return view;
}

void CustomerViewCache::Put(std::string_view customer_id, std::string_view variant, const CachedCustomerView& view,
                            uint64_t ticket) {
  if (variant.size() != 1) return;
  Entry entry{variant[0], {}, static_cast<uint32_t>(view.json.size())};
  entry.compressed.resize(LZ4_compressBound(static_cast<int>(view.json.size())));
  int size = LZ4_compress_default(view.json.data(), entry.compressed.data(), static_cast<int>(view.json.size()),
                                  static_cast<int>(entry.compressed.size()));
  if (size <= 0) return;
  entry.compressed.resize(size);
  entry.compressed.shrink_to_fit();
  std::string key(customer_id);
  std::lock_guard lock(mutex_);
  if (invalidations_.load(std::memory_order_acquire) != ticket) return;
  auto [it, inserted] = entries_.try_emplace(std::move(key));
  Views& views = it->second;
  if (!inserted) bytes_ -= Cost(it->first, views);
  views.branch_id = view.branch_id;
  views.broker_id = view.broker_id;
  std::erase_if(views.entries, [&](const Entry& e) { return e.variant == entry.variant; });
  views.entries.push_back(std::move(entry));
  size_t cost = Cost(it->first, views);
  if (cost > budget_bytes_) {
    entries_.erase(it);
    return;
  }
  bytes_ += cost;
  // Over budget, customers from a rotating bucket make room: cheap, and close to
  // random eviction, which suits the uniform access of lists and search.
  const std::string* kept = &it->first;
  while (bytes_ > budget_bytes_ && entries_.size() > 1) {
    size_t bucket = eviction_cursor_++ % entries_.bucket_count();
    auto victim = entries_.begin(bucket);
    if (victim == entries_.end(bucket) || &victim->first == kept) continue;
    auto doomed = entries_.find(victim->first);
    bytes_ -= Cost(doomed->first, doomed->second);
    entries_.erase(doomed);
  }
}

void CustomerViewCache::EraseCustomerLocked(const std::string& customer_id) {
  auto it = entries_.find(customer_id);
  if (it == entries_.end()) return;
  bytes_ -= Cost(it->first, it->second);
  entries_.erase(it);
}

void CustomerViewCache::ClearLocked() {
  entries_.clear();
  bytes_ = 0;
  clears_.fetch_add(1);
}

void CustomerViewCache::OnCommit(const CommittedChange& change) {
  std::lock_guard lock(mutex_);
  invalidations_.fetch_add(1, std::memory_order_acq_rel);
  if (change.generation > checked_generation_) own_generations_.insert(change.generation);
  if (change.everything) {
    ClearLocked();
    return;
  }
  for (const std::string& customer : change.customers) EraseCustomerLocked(customer);
}

void CustomerViewCache::CheckGeneration(int64_t generation) {
  std::lock_guard lock(mutex_);
  if (checked_generation_ < 0 || generation < checked_generation_) {
    // First look, or the database was replaced: nothing cached can be trusted.
    if (checked_generation_ >= 0) {
      invalidations_.fetch_add(1, std::memory_order_acq_rel);
      ClearLocked();
    }
    checked_generation_ = generation;
    own_generations_.clear();
    return;
  }
  bool foreign = false;
  for (int64_t g = checked_generation_ + 1; g <= generation && !foreign; ++g) foreign = !own_generations_.count(g);
  own_generations_.erase(own_generations_.begin(), own_generations_.upper_bound(generation));
  checked_generation_ = generation;
  if (foreign) {
    invalidations_.fetch_add(1, std::memory_order_acq_rel);
    ClearLocked();
  }
}

void CustomerViewCache::Clear() {
  std::lock_guard lock(mutex_);
  invalidations_.fetch_add(1, std::memory_order_acq_rel);
  ClearLocked();
}

size_t CustomerViewCache::Bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t CustomerViewCache::Entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace fincrm
