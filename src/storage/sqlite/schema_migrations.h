// The SQLite schema, as an ordered list of migrations. A migration is never edited
// once released: changes come as a new, higher version.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace fincrm {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> SqliteMigrations();

// The change log's triggers (migration 13) and the statements that drop them: a bulk
// write drops them inside its transaction and runs the first before it commits, so
// no other connection ever sees them missing (SQLite has one writer at a time and
// DDL is transactional), and the bulk rows pay nothing for them.
std::string_view ChangeLogTriggersSql();
std::string DropChangeLogTriggersSql();

}  // namespace fincrm
