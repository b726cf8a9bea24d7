// SQLite-specific checks: pragmas, migrations, and that the schema matches the
// entity field tables that the generic SQL is built from.
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/open_store.h"
#include "storage/sqlite/schema_migrations.h"
#include "storage/sqlite/sqlite_event_journal.h"
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

JournalEntry Entry(int64_t sequence, std::string customer) {
  return {sequence, "e-" + std::to_string(sequence), "trade", std::move(customer), Timestamp{1700000000 + sequence},
          "row " + std::to_string(sequence) + "\nwith 换行"};
}

// The journal lives in its own file ("<db>.events"), so appending takes that file's
// write lock: it commits while another connection holds the store's.
TEST(SqliteEventJournalTest, AppendsWhileTheStoreIsLockedReadsAndTrims) {
  testing::TempDir dir;
  std::string path = dir.File("s.db");
  auto store = SqliteStore::Open(path, true);
  ASSERT_TRUE(store.ok() && (*store)->Migrate().ok());
  auto journal = (*store)->OpenJournal();
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  EXPECT_EQ(*(*journal)->LastSequence(), 0);

  auto holder = SqliteStore::Open(path, false);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Execute("BEGIN IMMEDIATE").ok());  // the store's write lock, as an application holds it
  std::vector<JournalEntry> entries = {Entry(1, "C1"), Entry(2, "C2"), Entry(3, "C1")};
  ASSERT_TRUE((*journal)->Append(entries).ok());
  ASSERT_TRUE((*holder)->Execute("ROLLBACK").ok());

  auto read = (*journal)->Read(1, 10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].sequence, 2);
  EXPECT_EQ((*read)[1].row, entries[2].row);
  EXPECT_EQ((*read)[1].received_at.seconds, entries[2].received_at.seconds);
  EXPECT_EQ(*(*journal)->LastSequence(), 3);
  ASSERT_TRUE((*journal)->Trim(2).ok());
  EXPECT_EQ((*journal)->Read(0, 10)->size(), 1u);
  EXPECT_FALSE((*journal)->Append(std::vector<JournalEntry>{Entry(3, "C3")}).ok()) << "a sequence is used once";

  EXPECT_EQ(*(*store)->JournalAppliedThrough(), 0);
  auto writer = (*store)->BeginWrite();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->MarkJournalApplied(2).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(*(*store)->JournalAppliedThrough(), 2);
}

// Earlier versions kept the journal in the store (migration 11): opening the journal
// file moves those entries over, once.
TEST(SqliteEventJournalTest, TakesOverEntriesLeftInTheStoreByEarlierVersions) {
  testing::TempDir dir;
  std::string path = dir.File("s.db");
  auto store = SqliteStore::Open(path, true);
  ASSERT_TRUE(store.ok() && (*store)->Migrate().ok());
  ASSERT_TRUE((*store)->Execute("INSERT INTO event_journal (sequence, event_id, type, customer_id, received_at, row) "
                                "VALUES (7, 'old-7', 'trade', 'C9', 1700000000, 'r7'), "
                                "(8, 'old-8', 'interaction', 'C9', 1700000001, 'r8')").ok());
  for (int open = 0; open < 2; ++open) {
    auto journal = (*store)->OpenJournal();
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    auto read = (*journal)->Read(0, 10);
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(read->size(), 2u) << "open " << open;
    EXPECT_EQ((*read)[0].event_id, "old-7");
    EXPECT_EQ((*read)[1].type, "interaction");
  }
  SqliteStatement left((*store)->handle(), "SELECT COUNT(*) FROM event_journal");
  ASSERT_EQ(left.Step(), SQLITE_ROW);
  EXPECT_EQ(left.Int(0), 0);
  EXPECT_TRUE(std::filesystem::exists(SqliteEventJournal::PathFor(path)));
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
