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

namespace fincrm {
namespace {

// Entries are indexed by customer in batches of 200,000; a query by customer finds
// them in the index and in the tail that is not indexed yet, in order, page by page.
TEST(AuditCustomerIndexTest, QueriesByCustomerSeeIndexedAndTailEntries) {
  testing::TempDir dir;
  auto store = *OpenStore(dir.File("audit.db"));
  const int total = 450000;  // two indexed batches and a tail
  std::vector<AuditEntry> batch;
  for (int i = 0; i < total; ++i) {
    batch.push_back({0, CurrentTime(), "agent", "customer.read", "C" + std::to_string(i % 1000), "360", "", {}, {}});
    if (batch.size() == 10000) {
      ASSERT_TRUE(store->AppendAuditBatch(std::move(batch), AuditHash).ok());
      batch.clear();
    }
  }
  AuditQuery query;
  query.customer_id = "C7";
  query.limit = 500;
  std::vector<int64_t> sequences;
  while (true) {
    auto page = store->ListAudit(query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    for (const AuditEntry& e : *page) {
      EXPECT_EQ(e.customer_id, "C7");
      sequences.push_back(e.sequence);
    }
    query.after = page->back().sequence;
  }
  ASSERT_EQ(sequences.size(), size_t{total / 1000});
  for (size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], static_cast<int64_t>(8 + i * 1000));
  Status error;
  EXPECT_FALSE(VerifyAuditTrail(*store, error).first_bad.has_value());
}

}  // namespace
}  // namespace fincrm
