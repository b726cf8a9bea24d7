// What the service modules' handlers share: reading a JSON body's fields and path ids
// with errors that name the field, writing times, and one store connection per thread.
#pragma once

#include <atomic>
#include <charconv>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "api/route_support.h"
#include "api/service_module.h"
#include "core/json_writer.h"

namespace fincrm::module_support {

// A string field of at most `max` bytes (422 naming it otherwise).
inline std::string Text(const JsonField& f, size_t max) {
  if (f.kind != JsonField::kString) throw ApiError{422, "invalid", "must be a string", f.name};
  if (f.text.size() > max) throw ApiError{422, "invalid", "longer than " + std::to_string(max) + " bytes", f.name};
  return f.text;
}

// A field holding one of E's codes (or Chinese labels).
template <class E>
E Enum(const JsonField& f) {
  auto parsed = ParseEnum<E>(f.text);
  if (f.kind != JsonField::kString || !parsed) throw ApiError{422, "invalid", "expected " + EnumChoices<E>(), f.name};
  return *parsed;
}

// A positive integer id from the path; 404 naming `what` otherwise.
inline int64_t PathId(const HttpRequest& request, std::string_view param, std::string_view what) {
  std::string_view text = request.Param(param);
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    throw ApiError{404, "not_found", "no " + std::string(what) + " '" + std::string(text) + "'", std::string(param)};
  }
  return id;
}

// A positive whole number field (ids, versions); 422 naming it otherwise.
inline int64_t PositiveInt(const JsonField& f) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(f.text.data(), f.text.data() + f.text.size(), value);
  if (f.kind != JsonField::kNumber || error != std::errc() || end != f.text.data() + f.text.size() || value <= 0) {
    throw ApiError{422, "invalid", "must be a positive whole number", f.name};
  }
  return value;
}

// The customer named in the path or body, if the caller may see them: 404 naming
// `field` otherwise (out of scope is indistinguishable from absent).
inline Customer VisibleCustomer(ModuleCall& call, const std::string& customer_id,
                                std::string_view field = "customer_id") {
  auto customer = call.store.GetCustomer(customer_id);
  if (!customer.ok() && customer.status().code() != StatusCode::kNotFound) ThrowStatus(customer.status());
  if (!customer.ok() || !InScope(call.principal, *customer)) {
    throw ApiError{404, "not_found", "no customer '" + customer_id + "'", std::string(field)};
  }
  return std::move(*customer);
}

// A failed store or audit write becomes the error answer.
inline void Check(const Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

// A time, or null when unset (0).
inline void WriteTime(JsonWriter& json, std::string_view key, Timestamp at) {
  json.Key(key);
  if (at.seconds) json.String(FormatTimestamp(at));
  else json.Null();
}

// One connection of a module's store per handler thread (a store is one thread's at a
// time). A thread finds its own without a lock: quick routes run on the I/O threads,
// where a shared lock per request was contended.
template <class T>
class PerThread {
 public:
  explicit PerThread(std::function<Result<std::unique_ptr<T>>()> open)
      : open_(std::move(open)), serial_(next_serial_.fetch_add(1)) {}
  T& Get() {
    // Keyed by a serial number, not the address: a new PerThread may reuse a dead one's.
    thread_local std::unordered_map<uint64_t, T*> mine;
    T*& cached = mine[serial_];
    if (cached) return *cached;
    std::lock_guard lock(mutex_);
    std::unique_ptr<T>& store = stores_[std::this_thread::get_id()];
    if (!store) {
      auto opened = open_();
      if (!opened.ok()) ThrowStatus(opened.status());
      store = std::move(*opened);
    }
    cached = store.get();
    return *store;
  }

 private:
  static inline std::atomic<uint64_t> next_serial_{1};
  std::function<Result<std::unique_ptr<T>>()> open_;
  const uint64_t serial_;
  std::mutex mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<T>> stores_;
};

}  // namespace fincrm::module_support
