// SQL text and row binding for any entity, derived from its field table
// (core/entity_fields.h). Internal to the SQLite backend.
#pragma once

#include <string>

#include "core/entity_fields.h"
#include "storage/sqlite/sqlite_statement.h"

namespace fincrm {

template <class T>
std::string ColumnList() {
  std::string out;
  for (const auto& field : EntityInfo<T>::kFields) {
    if (!out.empty()) out += ", ";
    out += field.name;
  }
  return out;
}

template <class T>
std::string KeyColumns() {
  std::string out;
  for (const auto& field : EntityInfo<T>::kFields) {
    if (!field.key) continue;
    if (!out.empty()) out += ", ";
    out += field.name;
  }
  return out;
}

template <class T>
std::string SelectSql() {
  return "SELECT " + ColumnList<T>() + " FROM " + std::string(EntityInfo<T>::kName);
}

template <class T>
std::string InsertSql() {
  std::string placeholders;
  for (size_t i = 0; i < std::size(EntityInfo<T>::kFields); ++i) placeholders += i ? ", ?" : "?";
  return "INSERT INTO " + std::string(EntityInfo<T>::kName) + " (" + ColumnList<T>() +
         ") VALUES (" + placeholders + ")";
}

// One INSERT of `rows` rows.
template <class T, size_t rows>
std::string GroupInsertSql() {
  std::string row = "(";
  for (size_t i = 0; i < std::size(EntityInfo<T>::kFields); ++i) row += i ? ", ?" : "?";
  row += ")";
  std::string sql = "INSERT INTO " + std::string(EntityInfo<T>::kName) + " (" + ColumnList<T>() +
                    ") VALUES ";
  for (size_t r = 0; r < rows; ++r) sql += r ? ", " + row : row;
  return sql;
}

// Insert, or update the row with the same natural key only where a value differs,
// so that sqlite3_changes() tells a real change from a replay.
template <class T>
std::string UpsertSql() {
  std::string table(EntityInfo<T>::kName);
  std::string placeholders, updates, differs;
  for (const auto& field : EntityInfo<T>::kFields) {
    if (!placeholders.empty()) placeholders += ", ";
    placeholders += "?";
    if (field.key) continue;
    std::string name(field.name);
    if (!updates.empty()) {
      updates += ", ";
      differs += " OR ";
    }
    updates += name + " = excluded." + name;
    differs += table + "." + name + " IS NOT excluded." + name;
  }
  std::string sql = "INSERT INTO " + table + " (" + ColumnList<T>() + ") VALUES (" + placeholders +
                    ") ON CONFLICT (" + KeyColumns<T>() + ") DO ";
  if (updates.empty()) return sql + "NOTHING";
  return sql + "UPDATE SET " + updates + " WHERE " + differs;
}

// Binds the row's fields to parameters offset+1, offset+2, ...
template <class T>
void BindRow(SqliteStatement& statement, const T& row, int offset = 0) {
  int index = offset + 1;
  for (const auto& field : EntityInfo<T>::kFields) {
    std::visit(
        [&](auto member) {
          const auto& value = row.*member;
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
            statement.Bind(index, value, /*empty_is_null=*/!field.key);
          } else {
            statement.Bind(index, value);
          }
        },
        field.member);
    ++index;
  }
}

template <class T>
void ReadRow(const SqliteStatement& statement, T& row) {
  int column = 0;
  for (const auto& field : EntityInfo<T>::kFields) {
    std::visit([&](auto member) { statement.Read(column, row.*member); }, field.member);
    ++column;
  }
}

}  // namespace fincrm
