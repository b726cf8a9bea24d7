// A prepared SQLite statement with typed binding and reading of the domain's value
// types, so that the store's generic code can move any entity field in and out.
// Not thread-safe; owned by one connection.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/status.h"

namespace fincrm {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  bool valid() const { return stmt_ != nullptr; }
  const Status& prepare_status() const { return prepare_status_; }
  sqlite3_stmt* get() const { return stmt_; }

  // Resets the statement so it can run again (bindings stay).
  void Reset();
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();

  // Binding: `empty_is_null` turns "" into NULL (optional text columns); natural-key
  // columns keep "" so that uniqueness holds.
  void Bind(int index, const std::string& value, bool empty_is_null = true);
  void Bind(int index, std::string_view value);
  void Bind(int index, int64_t value);
  void Bind(int index, double value);
  void Bind(int index, Money value) { Bind(index, value.fen); }
  void Bind(int index, PriceLi value) { Bind(index, value.li); }
  void Bind(int index, Date value);
  void Bind(int index, Timestamp value) { Bind(index, value.seconds); }
  void BindNull(int index);
  template <class E>
    requires requires { EnumInfo<E>::kNames; }
  void Bind(int index, E value) {
    Bind(index, EnumCode(value));
  }
  template <class T>
  void Bind(int index, const std::optional<T>& value) {
    if (value) Bind(index, *value);
    else BindNull(index);
  }

  void Read(int column, std::string& out) const;
  void Read(int column, int64_t& out) const;
  void Read(int column, double& out) const { out = sqlite3_column_double(stmt_, column); }
  void Read(int column, Money& out) const { Read(column, out.fen); }
  void Read(int column, PriceLi& out) const { Read(column, out.li); }
  void Read(int column, Date& out) const;
  void Read(int column, Timestamp& out) const { Read(column, out.seconds); }
  template <class E>
    requires requires { EnumInfo<E>::kNames; }
  void Read(int column, E& out) const {
    out = ParseEnum<E>(Text(column)).value_or(E{});
  }
  template <class T>
  void Read(int column, std::optional<T>& out) const {
    if (IsNull(column)) {
      out.reset();
      return;
    }
    T value{};
    Read(column, value);
    out = value;
  }

  bool IsNull(int column) const;
  std::string_view Text(int column) const;
  int64_t Int(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  Status prepare_status_;
};

}  // namespace fincrm
