// The SQLite schema, as an ordered list of migrations. A migration is never edited
// once released: changes come as a new, higher version.
#pragma once

#include <span>
#include <string_view>

namespace fincrm {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> SqliteMigrations();

}  // namespace fincrm
