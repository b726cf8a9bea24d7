#include "analytics/cube.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"
#include "analytics/value_ladder.h"

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
  auto injected = RunCube(*facts_, context_, *ParseCubeQuery("commission", "branch", "branch=B1' OR 1=1 --", "", "", 0));
  EXPECT_EQ(injected.status().field(), "where");
  EXPECT_NE(injected.status().message().find("no branch 'B1' OR 1=1 --'"), std::string::npos);
}

// The values a filter on `d` can take: every code of a closed vocabulary (and its
// Chinese label), or for the open ones every label the cube prints when grouping by d.
template <class E>
std::vector<std::string> CodesAndLabels() {
  std::vector<std::string> values;
  for (const EnumName& name : EnumNames<E>()) {
    values.emplace_back(name.code);
    values.emplace_back(name.zh);
  }
  return values;
}

class CubeVocabularyTest : public CubeTest {
 protected:
  void SetUp() override {
    CubeTest::SetUp();
    // Tiers and clusters for every customer, so that those dimensions have values.
    for (uint32_t c = 0; c < facts_->customer_count(); ++c) {
      context_.tier.push_back(static_cast<int8_t>(c % kTierCount));
      context_.cluster.push_back(static_cast<int16_t>(c % 3));
    }
  }
  std::vector<std::string> ValuesOf(CubeDimension d) {
    switch (d) {
      case CubeDimension::kTier: return CodesAndLabels<ValueTier>();
      case CubeDimension::kRiskLevel: return CodesAndLabels<RiskLevel>();
      case CubeDimension::kChannel: return CodesAndLabels<TradeChannel>();
      case CubeDimension::kProductType: return CodesAndLabels<ProductType>();
      case CubeDimension::kMarket: return CodesAndLabels<Market>();
      default: break;
    }
    std::vector<std::string> values;
    auto query = ParseCubeQuery("trade_count", EnumCode(d), "", "", "", 0);
    auto result = RunCube(*facts_, context_, *query);
    for (const auto& row : result->rows) values.push_back(row.keys[0]);
    return values;
  }
  int64_t Total(const std::string& measure, const std::string& where) {
    auto query = ParseCubeQuery(measure, "", where, "", "", 0);
    EXPECT_TRUE(query.ok()) << where << ": " << query.status().ToString();
    auto result = RunCube(*facts_, context_, *query);
    EXPECT_TRUE(result.ok()) << where << ": " << result.status().ToString();
    return result.ok() && !result->rows.empty() ? result->rows[0].values[0] : 0;
  }
};

// The cube class of crashes (a filter on channel=app once read past the vocabulary):
// every dimension as a group and as a filter with every value it can take, for every
// measure it combines with; a filter and its negation must split the total exactly.
TEST_F(CubeVocabularyTest, EveryDimensionGroupsAndFiltersWithEveryValue) {
  for (const EnumName& dimension : EnumNames<CubeDimension>()) {
    auto d = static_cast<CubeDimension>(dimension.value);
    bool trade_only = d == CubeDimension::kChannel || d == CubeDimension::kProductType || d == CubeDimension::kMarket;
    std::vector<std::string> measures = {"trade_amount", "commission", "trade_count", "active_customers"};
    if (!trade_only) measures.insert(measures.end(), {"new_customers", "assets"});
    for (const std::string& measure : measures) {
      for (const char* by : {"", "branch", "month"}) {
        std::string group = std::string(by).empty() ? std::string(dimension.code) : std::string(by) + "," + std::string(dimension.code);
        auto grouped = ParseCubeQuery(measure, group, "", "", "", 0);
        ASSERT_TRUE(grouped.ok()) << group;
        ASSERT_TRUE(RunCube(*facts_, context_, *grouped).ok()) << measure << " by " << group;
      }
      int64_t total = Total(measure, "");
      for (const std::string& value : ValuesOf(d)) {
        std::string is = std::string(dimension.code) + "=" + value;
        std::string is_not = std::string(dimension.code) + "!=" + value;
        if (measure != "active_customers") {
          EXPECT_EQ(Total(measure, is) + Total(measure, is_not), total) << measure << " where " << is;
        } else {
          EXPECT_LE(Total(measure, is), total) << is;
        }
        for (const char* by : {"branch", "month", dimension.code.data()}) {
          auto query = ParseCubeQuery(measure, by, is + ";tier!=diamond", "", "", 3);
          ASSERT_TRUE(query.ok()) << is;
          auto result = RunCube(*facts_, context_, *query);
          ASSERT_TRUE(result.ok()) << measure << " by " << by << " where " << is << ": " << result.status().ToString();
        }
      }
    }
  }
}

TEST_F(CubeVocabularyTest, ChannelFilterFromTheConsolePlaceholder) {
  EXPECT_EQ(Run("commission", "branch", "channel=app"), (Lines{"B1=13000", "B2=1750"}));  // T1+T3+T4; T6+T7+T8
  EXPECT_LE(Run("commission", "branch", "tier=gold;channel=app").size(), 2u);
  EXPECT_EQ(Run("trade_count", "channel", "channel=手机"), (Lines{"app=6"}));
  EXPECT_EQ(Run("trade_count", "channel", "channel=web,counter"), (Lines{"counter=1", "web=1"}));
}

TEST_F(CubeVocabularyTest, EmptyUnknownAndMalformedFilterValuesAreNamed) {
  struct Case {
    const char* where;
    const char* says;
  };
  for (Case bad : {Case{"channel=", "lists no value"}, Case{"channel=fax", "unknown channel 'fax'"},
                   Case{"channel", "is not dimension=value"}, Case{"=app", "is not dimension=value"},
                   Case{"colour=red", "unknown dimension 'colour'"}, Case{"channel==app", "unknown channel '=app'"},
                   Case{"tier=golden", "unknown tier 'golden'"}, Case{"risk_level=C9", "unknown risk_level 'C9'"},
                   Case{"market=NY", "unknown market 'NY'"}, Case{"product_type=crypto", "unknown product_type"},
                   Case{"month=2026-13", "is not a month"}, Case{"month=26-10", "is not a month"},
                   Case{"quarter=2026-Q5", "is not a quarter"}, Case{"year=20x6", "is not a year"},
                   Case{"day=2026-02-30", "is not a day"}, Case{"cluster=-1", "is not a cluster"},
                   Case{"cluster=99999999999", "is not a cluster"}, Case{"age_band=70+", "is not a age_band"},
                   Case{"channel!=", "lists no value"}, Case{"channel=\xff\xfe", "unknown channel"}}) {
    auto query = ParseCubeQuery("commission", "branch", bad.where, "", "", 0);
    ASSERT_FALSE(query.ok()) << bad.where;
    EXPECT_EQ(query.status().field(), "where") << bad.where;
    EXPECT_NE(query.status().message().find(bad.says), std::string::npos) << bad.where << ": " << query.status().message();
  }
  for (const char* unknown : {"branch=B9", "broker=S99", "province=火星"}) {
    auto query = ParseCubeQuery("commission", "branch", unknown, "", "", 0);
    ASSERT_TRUE(query.ok()) << unknown;
    auto result = RunCube(*facts_, context_, *query);
    EXPECT_EQ(result.status().field(), "where") << unknown;
    EXPECT_NE(result.status().message().find("in the data"), std::string::npos) << unknown;
  }
  // Empty conditions between separators are skipped; a scope filter may name a unit
  // without facts.
  EXPECT_EQ(Run("commission", "branch", ";;branch=B1;;"), (Lines{"B1=19250"}));
  auto scoped = ParseCubeQuery("commission", "branch", "", "", "", 0);
  scoped->filters.push_back({CubeDimension::kBranch, false, {"B404"}, true});
  EXPECT_TRUE(RunCube(*facts_, context_, *scoped)->rows.empty());
}

TEST_F(CubeVocabularyTest, BoundsFarBeyondTheFactsAreFine) {
  auto far = ParseCubeQuery("commission", "month", "month=2026-10", "1800-01-01", "2200-12-31", 0);
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(Run("commission", "month", "month=2026-10", "1800-01-01", "2200-12-31"), (Lines{"2026-10=11750"}));
  EXPECT_EQ(Run("commission", "day", "", "2200-01-01", "2200-12-31"), Lines{});
  EXPECT_EQ(Run("trade_count", "age_band", "", "", "2200-12-31"), (Lines{"40-49=8"}));
}

// Facts themselves spread over more than the 16-bit day codes hold: refused by name.
TEST(CubeSpanTest, FactsSpanningMoreThanTheDayCodesAreRefused) {
  FactTables facts;
  Customer customer = testing::GoldenCustomer("C1", "B1", "1800-01-01");
  facts.UpsertCustomer(customer);
  ASSERT_TRUE(facts.Append(testing::GoldenTrade("T1", "C1", "2026-10-30 10:00:00", 100, 1)).ok());
  auto query = ParseCubeQuery("commission", "month", "", "", "", 0);
  EXPECT_EQ(RunCube(facts, {}, *query).status().field(), "from");
  auto narrowed = ParseCubeQuery("commission", "month", "", "2000-01", "", 0);
  EXPECT_EQ(RunCube(facts, {}, *narrowed)->rows.size(), 1u);
}

}  // namespace
}  // namespace fincrm
