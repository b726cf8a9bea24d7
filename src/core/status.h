// Status and Result<T>: how FinCRM reports expected failures.
//
// Expected failures (bad input, missing rows, conflicts) travel as values, never as
// exceptions. Exceptions are reserved for programming errors and are caught at the
// adapters (storage, API) that turn library exceptions into a Status.
// Both types are plain values: safe to copy and move between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace fincrm {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is malformed
  kNotFound,            // a referenced row does not exist
  kAlreadyExists,       // a natural key is taken
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kUnavailable,         // a resource (file, database) could not be reached
  kInternal,            // a bug or a library failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the failure is about, if any ("mobile", "id_number"...).
  const std::string& field() const { return field_; }

  // "InvalidArgument: mobile: must be 11 digits" — for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status InvalidArgument(std::string message, std::string field = {}) {
  return {StatusCode::kInvalidArgument, std::move(message), std::move(field)};
}
inline Status NotFound(std::string message, std::string field = {}) {
  return {StatusCode::kNotFound, std::move(message), std::move(field)};
}
inline Status AlreadyExists(std::string message, std::string field = {}) {
  return {StatusCode::kAlreadyExists, std::move(message), std::move(field)};
}
inline Status FailedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status Unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}
inline Status Internal(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

// Either a value or a non-OK Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace fincrm

#define FINCRM_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::fincrm::Status fincrm_status_ = (expr); \
    if (!fincrm_status_.ok()) return fincrm_status_; \
  } while (0)
