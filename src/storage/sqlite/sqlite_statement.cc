#include "storage/sqlite/sqlite_statement.h"

#include <utility>

namespace fincrm {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    prepare_status_ = Internal(std::string("cannot prepare SQL: ") + sqlite3_errmsg(db));
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), prepare_status_(std::move(other.prepare_status_)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    prepare_status_ = std::move(other.prepare_status_);
  }
  return *this;
}

void SqliteStatement::Reset() {
  // Bindings are kept: every caller binds all parameters before each step, and
  // clearing hundreds of parameters per multi-row insert is measurable.
  sqlite3_reset(stmt_);
}

int SqliteStatement::Step() { return sqlite3_step(stmt_); }

void SqliteStatement::Bind(int index, const std::string& value, bool empty_is_null) {
  if (value.empty() && empty_is_null) {
    sqlite3_bind_null(stmt_, index);
    return;
  }
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
}

void SqliteStatement::Bind(int index, std::string_view value) {
  // A default string_view has no data pointer, which SQLite would bind as NULL; an
  // empty text must stay an empty text.
  const char* data = value.data() ? value.data() : "";
  sqlite3_bind_text(stmt_, index, data, static_cast<int>(value.size()), SQLITE_STATIC);
}

void SqliteStatement::Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void SqliteStatement::Bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }

void SqliteStatement::Bind(int index, Date value) {
  std::string text = FormatDate(value);
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view SqliteStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string_view(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

void SqliteStatement::Read(int column, std::string& out) const { out.assign(Text(column)); }

void SqliteStatement::Read(int column, int64_t& out) const { out = Int(column); }

void SqliteStatement::Read(int column, Date& out) const {
  auto date = ParseDate(Text(column));
  out = date.ok() ? *date : Date{};
}

}  // namespace fincrm
