#include "api/audit_trail.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>

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

// Issue 19: without a key, a forger removed entry 2, renumbered the rest and recomputed
// every hash; `audit verify` passed. A head kept elsewhere (`fincrm audit head`) catches
// it, and so does the same head read back from its printed line.
TEST_F(AuditTrailTest, ARemovedEntryWithTheChainRecomputedIsFoundAgainstAKeptHead) {
  auto head = AuditHead(*store_);
  ASSERT_TRUE(head.ok() && head->has_value());
  std::string kept_line = FormatAuditHead(**head);
  auto kept = ParseAuditHead(kept_line + "\n");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->sequence, 5);
  EXPECT_EQ(kept->hash, (*head)->hash);
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
    entries.push_back(e);
    return true;
  })).ok());
  Sql("DELETE FROM audit_log");
  std::string previous;
  int64_t sequence = 0;
  for (AuditEntry e : entries) {
    if (e.sequence == 2) continue;
    e.sequence = ++sequence;
    e.previous_hash = previous;
    e.hash = AuditHash(e);
    previous = e.hash;
    Sql("INSERT INTO audit_log (sequence, at, actor, action, customer_id, detail, source, previous_hash, hash) VALUES (" +
        std::to_string(e.sequence) + ", " + std::to_string(e.at.seconds) + ", '" + e.actor + "', '" + e.action +
        "', '" + e.customer_id + "', '" + e.detail + "', '" + e.source + "', '" + e.previous_hash + "', '" + e.hash +
        "')");
  }
  EXPECT_FALSE(Verify().first_bad.has_value()) << "the chain alone cannot tell";
  Status error;
  AuditVerification against_head = VerifyAuditTrail(*store_, error, nullptr, std::nullopt, *kept);
  ASSERT_TRUE(error.ok());
  ASSERT_TRUE(against_head.first_bad.has_value());
  EXPECT_EQ(*against_head.first_bad, 5);
  EXPECT_NE(against_head.problem.find("the head kept"), std::string::npos) << against_head.problem;
  // A kept head of entry 4 sees entry 4 changed (it is the old entry 5 now).
  AuditCheckpoint older{4, entries[3].hash, {}};
  AuditVerification against_older = VerifyAuditTrail(*store_, error, nullptr, std::nullopt, older);
  ASSERT_TRUE(against_older.first_bad.has_value());
  EXPECT_EQ(*against_older.first_bad, 4);
  EXPECT_TRUE(ParseAuditHead("4:" + entries[3].hash).ok());
  for (const char* bad : {"", "h1:abc", "x:abc", "4:", "fincrm-audit-head v1 sequence=0 hash=a at=1"}) {
    EXPECT_FALSE(ParseAuditHead(bad).ok()) << bad;
  }
}

TEST_F(AuditTrailTest, FieldBoundariesCannotBeShifted) {
  AuditEntry a, b;
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(AuditHash(a), AuditHash(b));
}

// With a key kept outside the database, a forger who can write the database but not
// read the key cannot re-chain the trail; signed checkpoints outside the database
// show that its newest entries were removed.
class KeyedAuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *OpenStore(dir_.File("audit.db"));
    key_path_ = dir_.File("audit.key");
    std::FILE* file = std::fopen(key_path_.c_str(), "w");
    std::fputs(AuditKey::Generate().c_str(), file);
    std::fclose(file);
    key_.emplace(*AuditKey::Load(key_path_));
    for (int i = 1; i <= 2; ++i) ASSERT_TRUE(RecordAudit(*store_, "agent", "customer.read", "C1", "", "").ok());
    for (int i = 3; i <= 10; ++i) {
      auto entry = RecordAudit(*store_, "agent", "customer.read", "C" + std::to_string(i), "", "", &*key_);
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      head_ = *entry;
    }
  }
  AuditVerification Verify(const std::optional<AuditCheckpoint>& checkpoint = std::nullopt,
                           const AuditKey* key = nullptr) {
    Status error;
    AuditVerification result = VerifyAuditTrail(*store_, error, key ? key : &*key_, checkpoint);
    EXPECT_TRUE(error.ok());
    return result;
  }
  std::vector<AuditEntry> Entries() {
    std::vector<AuditEntry> entries;
    EXPECT_TRUE(store_->ForEach(std::function<bool(const AuditEntry&)>([&](const AuditEntry& e) {
      entries.push_back(e);
      return true;
    })).ok());
    return entries;
  }
  void Sql(const std::string& sql) { ASSERT_TRUE(static_cast<SqliteStore&>(*store_).Execute(sql).ok()) << sql; }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::string key_path_;
  std::optional<AuditKey> key_;
  AuditEntry head_;
};

TEST_F(KeyedAuditTrailTest, KeyedEntriesFollowTheUnkeyedOnesAndVerifyWithTheKey) {
  AuditVerification result = Verify();
  EXPECT_FALSE(result.first_bad.has_value()) << result.problem;
  EXPECT_EQ(result.keyed_from, 3);
  EXPECT_EQ(Entries()[2].hash.substr(0, 3), "h1:");
  Status error;
  AuditVerification without = VerifyAuditTrail(*store_, error);
  ASSERT_TRUE(without.first_bad.has_value());
  EXPECT_EQ(*without.first_bad, 3);
  EXPECT_NE(without.problem.find("--audit-key-file"), std::string::npos);
  // Appending without the key, or with another, is refused before anything is written.
  EXPECT_EQ(RecordAudit(*store_, "cli:x", "user.add", "", "", "").status().code(), StatusCode::kFailedPrecondition);
  std::string other_path = dir_.File("other.key");
  std::FILE* file = std::fopen(other_path.c_str(), "w");
  std::fputs(AuditKey::Generate().c_str(), file);
  std::fclose(file);
  AuditKey other = *AuditKey::Load(other_path);
  EXPECT_EQ(CheckAuditKey(*store_, &other).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Entries().size(), 10u);
}

TEST_F(KeyedAuditTrailTest, ARechainedTrailFailsWithoutTheKey) {
  // The forger changes entry 5 and recomputes every later seal with SHA-256 (or with a
  // key of their own): both are found.
  std::vector<AuditEntry> entries = Entries();
  std::string previous = entries[3].hash;
  for (size_t i = 4; i < entries.size(); ++i) {
    AuditEntry e = entries[i];
    if (i == 4) e.actor = "nobody";
    e.previous_hash = previous;
    e.hash = AuditHash(e);
    previous = e.hash;
    Sql("UPDATE audit_log SET actor = '" + e.actor + "', previous_hash = '" + e.previous_hash + "', hash = '" + e.hash +
        "' WHERE sequence = " + std::to_string(e.sequence));
  }
  AuditVerification result = Verify();
  ASSERT_TRUE(result.first_bad.has_value());
  EXPECT_EQ(*result.first_bad, 5);
  EXPECT_NE(result.problem.find("not sealed with the key"), std::string::npos) << result.problem;
}

TEST_F(KeyedAuditTrailTest, TruncationIsFoundAgainstTheLatestSignedCheckpoint) {
  std::string checkpoints = dir_.File("checkpoints.log");
  std::FILE* file = std::fopen(checkpoints.c_str(), "w");
  std::fprintf(file, "some other log line\n%s\n", FormatCheckpoint({5, Entries()[4].hash, CurrentTime()}, *key_).c_str());
  std::fprintf(file, "fincrm serve: %s\n", FormatCheckpoint({head_.sequence, head_.hash, CurrentTime()}, *key_).c_str());
  std::fclose(file);
  auto latest = LatestCheckpoint(checkpoints, *key_);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->sequence, 10);
  EXPECT_FALSE(Verify(*latest).first_bad.has_value());
  // The last five entries deleted: the chain that is left is valid, the checkpoint is not met.
  Sql("DELETE FROM audit_log WHERE sequence > 5");
  EXPECT_FALSE(Verify().first_bad.has_value()) << "without a checkpoint a truncated chain still verifies";
  AuditVerification truncated = Verify(*latest);
  ASSERT_TRUE(truncated.first_bad.has_value());
  EXPECT_EQ(*truncated.first_bad, 6);
  EXPECT_NE(truncated.problem.find("entries 6 to 10 were removed"), std::string::npos) << truncated.problem;
  // A forged or edited checkpoint line is named.
  file = std::fopen(checkpoints.c_str(), "a");
  std::fprintf(file, "fincrm-audit-checkpoint v1 sequence=3 hash=h1:00 at=0 mac=0123\n");
  std::fclose(file);
  auto edited = LatestCheckpoint(checkpoints, *key_);
  ASSERT_FALSE(edited.ok());
  EXPECT_NE(edited.status().message().find("line 4"), std::string::npos) << edited.status().message();
}

TEST_F(KeyedAuditTrailTest, KeyFilesMustHoldAKey) {
  std::string bad = dir_.File("bad.key");
  std::FILE* file = std::fopen(bad.c_str(), "w");
  std::fputs("not-a-key\n", file);
  std::fclose(file);
  EXPECT_EQ(AuditKey::Load(bad).status().field(), "audit_key_file");
  EXPECT_EQ(AuditKey::Load(dir_.File("missing.key")).status().field(), "audit_key_file");
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
