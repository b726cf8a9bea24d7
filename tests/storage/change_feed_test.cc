// The change log: FinCRM's writers log each changed customer once per transaction with
// their origin; anyone else's direct SQL is logged by the triggers.
#include "storage/change_feed.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

class ChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("feed.db");
    store_ = std::move(*OpenStore(db_));
    auto organisation = *store_->BeginWrite();
    ASSERT_TRUE(organisation->Put(Branch{"B001", "上海营业部", "上海", "上海", *ParseDate("2001-03-01")}).ok());
    ASSERT_TRUE(organisation->Put(Staff{"S001", "王经纪", StaffRole::kBroker, "B001", "", "", std::nullopt}).ok());
    ASSERT_TRUE(organisation->Commit().ok());
    organisation.reset();
    auto feed = OpenChangeFeed(db_);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    feed_ = std::move(*feed);
    // Branches and staff are not one customer's: their transaction logged "all".
    auto org_changes = After(0);
    ASSERT_EQ(org_changes.size(), 1u);
    EXPECT_EQ(org_changes[0].entity, "all");
    after_organisation_ = *feed_->LastChange();
    auto writer = *store_->BeginWrite();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer->Put(MakeCustomer("C00" + std::to_string(i))).ok());
    ASSERT_TRUE(writer->Commit().ok());
    writer.reset();
  }
  static Customer MakeCustomer(const std::string& id) {
    Customer c;
    c.customer_id = id;
    c.name = "客户" + id;
    c.id_type = IdType::kPassport;
    c.id_number = "P" + id;
    c.province = c.city = "上海";
    c.open_date = *ParseDate("2015-06-01");
    c.branch_id = "B001";
    c.broker_id = "S001";
    return c;
  }
  // Runs SQL on a connection of its own, as a DBA's sqlite3 shell would.
  void Outside(const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  std::vector<ChangeRecord> After(int64_t seq) { return *feed_->ChangesAfter(seq, 1000); }

  testing::TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ChangeFeed> feed_;
  int64_t after_organisation_ = 0;
};

TEST_F(ChangeFeedTest, OwnWritersLogEachCustomerOncePerTransactionWithTheirOrigin) {
  std::vector<ChangeRecord> changes = After(after_organisation_);
  ASSERT_EQ(changes.size(), 3u);  // three customers; the triggers stood aside
  std::set<std::string> keys;
  for (const ChangeRecord& c : changes) {
    EXPECT_EQ(c.entity, "customer");
    EXPECT_EQ(c.origin, ThisProcessChangeOrigin());
    keys.insert(c.key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"C000", "C001", "C002"}));
  int64_t last = *feed_->LastChange();
  auto writer = *store_->BeginWrite();
  Customer c = *store_->GetCustomer("C001");
  for (const char* city : {"苏州", "无锡", "常州"}) {
    c.city = city;
    ASSERT_TRUE(writer->Put(c).ok());
  }
  ASSERT_TRUE(writer->Commit().ok());
  writer.reset();
  changes = After(last);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].key, "C001");
  // A rolled-back transaction logs nothing and leaves the triggers on.
  last = *feed_->LastChange();
  {
    auto abandoned = *store_->BeginWrite();
    ASSERT_TRUE(abandoned->Put(MakeCustomer("C009")).ok());
  }
  EXPECT_TRUE(After(last).empty());
  Outside("UPDATE customers SET city = '杭州' WHERE customer_id = 'C002'");
  ASSERT_EQ(After(last).size(), 1u);
}

TEST_F(ChangeFeedTest, DirectSqlIsLoggedByTheTriggers) {
  int64_t last = *feed_->LastChange();
  Outside("UPDATE customers SET broker_id = NULL WHERE customer_id = 'C001'");
  Outside("INSERT INTO tasks (customer_id, title, status, created_at, due_on) VALUES ('C002', 'x', 'open', 0, '2026-11-01')");
  Outside("DELETE FROM customers WHERE customer_id = 'C000'");
  std::vector<ChangeRecord> changes = After(last);
  std::vector<std::string> keys;
  for (const ChangeRecord& c : changes) {
    EXPECT_EQ(c.origin, "");
    keys.push_back(c.key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"C001", "C002", "C000"}));
}

TEST_F(ChangeFeedTest, LoginsAreLoggedWhenTheirRightsChange) {
  StaffUser user{"alice", UserRole::kAgent, "", "", "hash", 0, 0, {}, CurrentTime()};
  ASSERT_TRUE(store_->AddUser(user).ok());
  int64_t last = *feed_->LastChange();
  user.failed_logins = 3;  // a wrong password is no change of rights
  ASSERT_TRUE(store_->UpdateUser(user).ok());
  EXPECT_TRUE(After(last).empty());
  user.role = UserRole::kResearchAnalyst;
  ASSERT_TRUE(store_->UpdateUser(user).ok());
  ASSERT_EQ(After(last).size(), 1u);
  EXPECT_EQ(After(last)[0].entity, "user");
  EXPECT_EQ(After(last)[0].key, "alice");
  last = *feed_->LastChange();
  Outside("UPDATE users SET failed_logins = 4 WHERE login = 'alice'");
  EXPECT_TRUE(After(last).empty());
  Outside("UPDATE users SET disabled = 1 WHERE login = 'alice'");
  ASSERT_EQ(After(last).size(), 1u);
  EXPECT_EQ(After(last)[0].origin, "");
}

TEST_F(ChangeFeedTest, BulkWritesLogOneAllAndOldRowsAreTrimmed) {
  int64_t last = *feed_->LastChange();
  auto writer = *store_->BeginWrite();
  for (int i = 0; i < 6000; ++i) ASSERT_TRUE(writer->Put(MakeCustomer("D" + std::to_string(100000 + i))).ok());
  ASSERT_TRUE(writer->Commit().ok());
  writer.reset();
  std::vector<ChangeRecord> changes = After(last);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entity, "all");
  // The bulk transaction took the triggers out for itself only: they are back.
  last = *feed_->LastChange();
  Outside("UPDATE customers SET city = '南京' WHERE customer_id = 'D100001'");
  ASSERT_EQ(After(last).size(), 1u);
  EXPECT_EQ(After(last)[0].key, "D100001");
  // A bulk transaction that rolls back leaves them in place too.
  {
    auto abandoned = *store_->BeginWrite();
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(abandoned->Put(MakeCustomer("E" + std::to_string(100000 + i))).ok());
  }
  last = *feed_->LastChange();
  Outside("UPDATE customers SET city = '合肥' WHERE customer_id = 'D100002'");
  EXPECT_EQ(After(last).size(), 1u);
  EXPECT_TRUE(feed_->TrimBefore(Timestamp{CurrentTime().seconds + 10}).ok());
  EXPECT_TRUE(After(0).empty());
}

}  // namespace
}  // namespace fincrm
