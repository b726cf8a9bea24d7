// SQLite-specific checks: pragmas, migrations, and that the schema matches the
// entity field tables that the generic SQL is built from.
#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "storage/sqlite/schema_migrations.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

std::vector<std::string> ColumnsOf(SqliteStore& store, std::string_view table) {
  SqliteStatement query(store.handle(), "SELECT name FROM pragma_table_info('" + std::string(table) + "') ORDER BY cid");
  std::vector<std::string> columns;
  while (query.Step() == SQLITE_ROW) columns.emplace_back(query.Text(0));
  return columns;
}

TEST(SqliteSchemaTest, TablesMatchTheFieldTables) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("s.db"), true);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  for (int k = 0; k <= static_cast<int>(EntityKind::kApiKey); ++k) {
    EntityKind kind = static_cast<EntityKind>(k);
    VisitEntityKind(kind, [&]<class T>() {
      std::vector<std::string> expected;
      for (const auto& field : EntityInfo<T>::kFields) expected.emplace_back(field.name);
      EXPECT_EQ(ColumnsOf(**store, EntityInfo<T>::kName), expected) << EntityInfo<T>::kName;
    });
  }
}

TEST(SqliteSchemaTest, DurabilityPragmasAreOn) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("s.db"), true);
  ASSERT_TRUE(store.ok());
  auto pragma = [&](const char* sql) {
    SqliteStatement query((*store)->handle(), sql);
    EXPECT_EQ(query.Step(), SQLITE_ROW);
    return std::string(query.Text(0));
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "2");  // FULL
}

TEST(SqliteSchemaTest, MigrationsApplyOnceAndRecordTheirVersion) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("s.db"), true);
  ASSERT_TRUE((*store)->Migrate().ok());
  ASSERT_TRUE((*store)->Migrate().ok());  // idempotent
  EXPECT_EQ(*(*store)->SchemaVersion(), SqliteMigrations().back().version);
  SqliteStatement count((*store)->handle(), "SELECT COUNT(*) FROM schema_migrations");
  ASSERT_EQ(count.Step(), SQLITE_ROW);
  EXPECT_EQ(count.Int(0), static_cast<int64_t>(SqliteMigrations().size()));
}

TEST(SqliteSchemaTest, RefusesADatabaseFromANewerBuild) {
  testing::TempDir dir;
  {
    auto store = SqliteStore::Open(dir.File("s.db"), true);
    ASSERT_TRUE((*store)->Migrate().ok());
    ASSERT_TRUE((*store)->Execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").ok());
  }
  auto reopened = OpenStore(dir.File("s.db"));
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
}

TEST(SqliteSchemaTest, MissingFileWithoutCreateIsUnavailable) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("absent.db"), {.migrate = true, .create = false});
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fincrm
