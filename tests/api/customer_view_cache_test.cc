#include "api/customer_view_cache.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

CachedCustomerView View(std::string json) { return {"B01", "S001", std::move(json)}; }

TEST(CustomerViewCacheTest, KeepsViewsCompressedAndReturnsThemWhole) {
  CustomerViewCache cache(1 << 20);
  std::string json = "{\"profile\":{\"name\":\"张三\"},\"trades\":[";
  for (int i = 0; i < 50; ++i) json += R"({"symbol":"600000","side":"buy","amount":1234.56},)";
  json += "{}]}";
  cache.Put("C1", "0", View(json), cache.FillTicket());
  auto found = cache.Find("C1", "0");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->json, json);
  EXPECT_EQ(found->branch_id, "B01");
  EXPECT_EQ(found->broker_id, "S001");
  EXPECT_LT(cache.Bytes(), json.size() / 2) << "stored compressed";
  EXPECT_FALSE(cache.Find("C1", "1").has_value()) << "another masking is another view";
}

TEST(CustomerViewCacheTest, ACommitDropsItsCustomersInEveryMasking) {
  CustomerViewCache cache(1 << 20);
  for (const char* variant : {"0", "5", "?"}) cache.Put("C1", variant, View("{}"), cache.FillTicket());
  cache.Put("C2", "0", View("{}"), cache.FillTicket());
  cache.OnCommit({.generation = 0, .customers = {"C1"}, .everything = false});
  for (const char* variant : {"0", "5", "?"}) EXPECT_FALSE(cache.Find("C1", variant).has_value()) << variant;
  EXPECT_TRUE(cache.Find("C2", "0").has_value());
  cache.OnCommit({.generation = 0, .customers = {}, .everything = true});
  EXPECT_EQ(cache.Entries(), 0u);
}

TEST(CustomerViewCacheTest, AViewReadBeforeACommitIsNotKept) {
  CustomerViewCache cache(1 << 20);
  uint64_t ticket = cache.FillTicket();
  cache.OnCommit({.generation = 0, .customers = {"C9"}, .everything = false});  // overtakes the read
  cache.Put("C1", "0", View("{}"), ticket);
  EXPECT_FALSE(cache.Find("C1", "0").has_value());
}

TEST(CustomerViewCacheTest, OnlyGenerationsOfOtherProcessesEmptyTheCache) {
  CustomerViewCache cache(1 << 20);
  cache.CheckGeneration(10);
  cache.Put("C1", "0", View("{}"), cache.FillTicket());
  cache.OnCommit({.generation = 11, .customers = {"C2"}, .everything = false});
  cache.OnCommit({.generation = 12, .customers = {"C3"}, .everything = false});
  cache.CheckGeneration(12);  // both ours
  EXPECT_TRUE(cache.Find("C1", "0").has_value());
  cache.OnCommit({.generation = 14, .customers = {"C2"}, .everything = false});
  cache.CheckGeneration(14);  // 13 was not ours
  EXPECT_FALSE(cache.Find("C1", "0").has_value());
  EXPECT_EQ(cache.Clears(), 1);
  cache.Put("C1", "0", View("{}"), cache.FillTicket());
  cache.CheckGeneration(3);  // the database was replaced
  EXPECT_FALSE(cache.Find("C1", "0").has_value());
}

TEST(CustomerViewCacheTest, StaysWithinItsBudget) {
  CustomerViewCache cache(64 << 10);
  std::string json(2000, 'x');
  for (int i = 0; i < 2000; ++i) json[i] = static_cast<char>('a' + (i * 7919 % 26));  // compresses poorly
  for (int i = 0; i < 500; ++i) cache.Put("C" + std::to_string(i), "0", View(json), cache.FillTicket());
  EXPECT_LE(cache.Bytes(), size_t{64} << 10);
  EXPECT_GT(cache.Entries(), 10u);
  EXPECT_TRUE(cache.Find("C499", "0").has_value()) << "the newest view is kept";
}

}  // namespace
}  // namespace fincrm
