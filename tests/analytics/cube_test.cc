#include "analytics/cube.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"

namespace fincrm {
namespace {

class CubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::GoldenStore(dir_);
    facts_ = std::make_unique<FactTables>(*FactTables::Load(*store_));
  }
  // Runs a query and returns "key|key=value,value" lines.
  std::vector<std::string> Run(const char* measures, const char* by, const char* where = "",
                               const char* from = "", const char* to = "", int top = 0) {
    auto query = ParseCubeQuery(measures, by, where, from, to, top);
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    if (!query.ok()) return {};
    auto result = RunCube(*facts_, context_, *query);
    EXPECT_TRUE(result.ok());
    std::vector<std::string> lines;
    for (const auto& row : result->rows) {
      std::string line;
      for (const auto& key : row.keys) line += (line.empty() ? "" : "|") + key;
      line += "=";
      for (size_t i = 0; i < row.values.size(); ++i) line += (i ? "," : "") + std::to_string(row.values[i]);
      lines.push_back(line);
    }
    return lines;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FactTables> facts_;
  CubeContext context_;
};

using Lines = std::vector<std::string>;

TEST_F(CubeTest, CommissionByBranchAndByMonth) {
  EXPECT_EQ(Run("commission,trade_count", "branch"), (Lines{"B1=19250,5", "B2=1750,3"}));
  EXPECT_EQ(Run("commission", "month"),
            (Lines{"2025-10=500", "2026-07=1250", "2026-08=2500", "2026-09=5000", "2026-10=11750"}));
  EXPECT_EQ(Run("commission", "quarter"), (Lines{"2025-Q4=500", "2026-Q3=8750", "2026-Q4=11750"}));
  EXPECT_EQ(Run("commission", "year"), (Lines{"2025=500", "2026=20500"}));
  EXPECT_EQ(Run("commission", ""), (Lines{"=21000"}));
}

TEST_F(CubeTest, FiltersRangesAndDistinctCustomers) {
  EXPECT_EQ(Run("active_customers,trade_amount", "branch", "", "2026-10"),
            (Lines{"B1=2,41000000", "B2=2,5000000"}));
  EXPECT_EQ(Run("trade_count", "channel"), (Lines{"counter=1", "web=1", "app=6"}));
  EXPECT_EQ(Run("trade_count", "market", "market=SZ"), (Lines{"SZ=1"}));
  EXPECT_EQ(Run("commission", "branch", "branch!=B1"), (Lines{"B2=1750"}));
  EXPECT_EQ(Run("commission", "branch,month", "month=2026-10;branch=B1"), (Lines{"B1|2026-10=10500"}));
  EXPECT_EQ(Run("commission", "province"), (Lines{"上海=19250", "北京=1750"}));
  EXPECT_EQ(Run("trade_count", "age_band"), (Lines{"40-49=8"}));
  EXPECT_EQ(Run("trade_count", "risk_level"), (Lines{"C3=8"}));
}

TEST_F(CubeTest, TradesAppendedAfterLoadingCountToo) {
  ASSERT_TRUE(facts_->Append(testing::GoldenTrade("T9", "C4", "2026-10-30 14:00:00", 4000000, 1000)).ok());
  ASSERT_TRUE(facts_->Append(testing::GoldenTrade("T10", "C2", "2026-10-30 14:00:00", 4000000, 1000)).ok());
  EXPECT_EQ(Run("commission,trade_count", "branch"), (Lines{"B1=20250,6", "B2=2750,4"}));
  EXPECT_EQ(Run("active_customers", "branch", "", "2026-10"), (Lines{"B1=2", "B2=2"}));
  facts_->ClusterByCustomer();
  EXPECT_EQ(Run("commission,active_customers", "branch", "", "2026-10"), (Lines{"B1=11500,2", "B2=2250,2"}));
}

TEST_F(CubeTest, TopN) {
  EXPECT_EQ(Run("commission", "month", "", "", "", 2), (Lines{"2026-10=11750", "2026-09=5000"}));
}

TEST_F(CubeTest, AssetsTakeTheLatestSnapshotPerCustomerAndBucket) {
  EXPECT_EQ(Run("assets", "branch"), (Lines{"B1=108000000", "B2=50000000"}));
  EXPECT_EQ(Run("assets", "month", "", "2026-09"), (Lines{"2026-09=200000000", "2026-10=158000000"}));
}

TEST_F(CubeTest, NewCustomersByOpenDate) {
  EXPECT_EQ(Run("new_customers", "year"), (Lines{"2015=1", "2018=1", "2019=1", "2020=1", "2026=1"}));
  EXPECT_EQ(Run("new_customers", "branch", "", "2026-01-01"), (Lines{"B1=1"}));
}

TEST_F(CubeTest, TiersComeFromTheContext) {
  context_.tier.assign(facts_->customer_count(), 0);
  context_.tier[*facts_->CustomerIndex("C1")] = 4;
  EXPECT_EQ(Run("commission", "tier"), (Lines{"bronze=3500", "diamond=17500"}));
  EXPECT_EQ(Run("commission", "branch", "tier=Diamond"), (Lines{"B1=17500"}));
}

TEST_F(CubeTest, BadQueriesNameWhatIsWrong) {
  EXPECT_EQ(ParseCubeQuery("profit", "", "", "", "", 0).status().field(), "measures");
  EXPECT_EQ(ParseCubeQuery("", "", "", "", "", 0).status().field(), "measures");
  EXPECT_EQ(ParseCubeQuery("commission", "color", "", "", "", 0).status().field(), "by");
  EXPECT_EQ(ParseCubeQuery("commission", "day,month,year,branch,broker", "", "", "", 0).status().field(), "by");
  EXPECT_EQ(ParseCubeQuery("assets", "channel", "", "", "", 0).status().field(), "by");
  EXPECT_EQ(ParseCubeQuery("new_customers", "", "market=SH", "", "", 0).status().field(), "where");
  EXPECT_EQ(ParseCubeQuery("commission", "", "tier", "", "", 0).status().field(), "where");
  EXPECT_EQ(ParseCubeQuery("commission", "", "tier=", "", "", 0).status().field(), "where");
  EXPECT_EQ(ParseCubeQuery("commission", "", "", "2026-13", "", 0).status().field(), "from");
  EXPECT_EQ(ParseCubeQuery("commission", "", "", "", "x", 0).status().field(), "to");
  EXPECT_EQ(ParseCubeQuery("commission", "", "", "", "", -1).status().field(), "top");
  EXPECT_TRUE(ParseCubeQuery("commission", "branch", "branch=B1' OR 1=1 --", "", "", 0).ok());
  EXPECT_EQ(Run("commission", "branch", "branch=B1' OR 1=1 --"), Lines{});
}

}  // namespace
}  // namespace fincrm
