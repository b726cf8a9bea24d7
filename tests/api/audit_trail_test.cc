#include "api/audit_trail.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

class AuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *OpenStore(dir_.File("audit.db"));
    for (int i = 1; i <= 5; ++i) {
      auto entry = RecordAudit(*store_, "broker1", "customer.read", "C00" + std::to_string(i), "360 view", "10.0.0.1");
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      EXPECT_EQ(entry->sequence, i);
    }
  }
  AuditVerification Verify() {
    Status error;
    AuditVerification result = VerifyAuditTrail(*store_, error);
    EXPECT_TRUE(error.ok());
    return result;
  }
  void Sql(const std::string& sql) {
    ASSERT_TRUE(static_cast<SqliteStore&>(*store_).Execute(sql).ok()) << sql;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditTrailTest, AnIntactChainVerifies) {
  AuditVerification result = Verify();
  EXPECT_EQ(result.entries, 5);
  EXPECT_FALSE(result.first_bad.has_value());
}

TEST_F(AuditTrailTest, EntriesChainToTheirPredecessor) {
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
    entries.push_back(e);
    return true;
  })).ok());
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].previous_hash, "");
  for (size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].previous_hash, entries[i - 1].hash);
  EXPECT_EQ(entries[4].hash.size(), 64u);
  EXPECT_EQ(AuditHash(entries[4]), entries[4].hash);
}

TEST_F(AuditTrailTest, AChangedFieldIsFound) {
  Sql("UPDATE audit_log SET customer_id = 'C999' WHERE sequence = 3");
  AuditVerification result = Verify();
  ASSERT_TRUE(result.first_bad.has_value());
  EXPECT_EQ(*result.first_bad, 3);
  EXPECT_NE(result.problem.find("content"), std::string::npos);
}

TEST_F(AuditTrailTest, ARemovedEntryIsFound) {
  Sql("DELETE FROM audit_log WHERE sequence = 2");
  AuditVerification result = Verify();
  ASSERT_TRUE(result.first_bad.has_value());
  EXPECT_EQ(*result.first_bad, 2);
}

TEST_F(AuditTrailTest, ARewrittenEntryWithAFreshHashBreaksTheNextLink) {
  // A forger who recomputes entry 3's own hash still breaks entry 4's link.
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
    entries.push_back(e);
    return true;
  })).ok());
  AuditEntry forged = entries[2];
  forged.actor = "someone_else";
  forged.hash = AuditHash(forged);
  Sql("UPDATE audit_log SET actor = 'someone_else', hash = '" + forged.hash + "' WHERE sequence = 3");
  AuditVerification result = Verify();
  ASSERT_TRUE(result.first_bad.has_value());
  EXPECT_EQ(*result.first_bad, 4);
  EXPECT_NE(result.problem.find("link"), std::string::npos);
}

TEST_F(AuditTrailTest, FieldBoundariesCannotBeShifted) {
  AuditEntry a, b;
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(AuditHash(a), AuditHash(b));
}

}  // namespace
}  // namespace fincrm
