#include "analytics/customer_metrics.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"
#include "analytics/value_ladder.h"

namespace fincrm {
namespace {

class CustomerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::GoldenStore(dir_);
    facts_ = std::make_unique<FactTables>(*FactTables::Load(*store_));
    metrics_ = ComputeCustomerMetrics(*facts_, *ParseDate("2026-10-30"));
  }
  const CustomerMetrics& Of(const char* id) { return metrics_[*facts_->CustomerIndex(id)]; }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FactTables> facts_;
  std::vector<CustomerMetrics> metrics_;
};

TEST_F(CustomerMetricsTest, FactTablesHoldEverything) {
  EXPECT_EQ(facts_->customer_count(), 5u);
  EXPECT_EQ(facts_->trades().size(), 8u);
  EXPECT_EQ(facts_->assets().size(), 13u);
  EXPECT_EQ(facts_->interactions().size(), 1u);
  EXPECT_EQ(FormatDate(Date{facts_->last_day()}), "2026-10-30");
  EXPECT_EQ(facts_->Totals(*facts_->CustomerIndex("C1")).commission_fen, 17500);
}

TEST_F(CustomerMetricsTest, AppendUpdatesTheCustomerAtOnce) {
  uint32_t c4 = *facts_->CustomerIndex("C4");
  ASSERT_TRUE(facts_->Append(testing::GoldenTrade("T9", "C4", "2026-10-30 14:00:00", 4000000, 1000)).ok());
  EXPECT_EQ(facts_->Totals(c4).trade_count, 2);
  EXPECT_EQ(facts_->Totals(c4).commission_fen, 1750);
  EXPECT_EQ(FormatDate(Date{facts_->Totals(c4).last_trade_day}), "2026-10-30");
  EXPECT_EQ(facts_->Append(testing::GoldenTrade("T10", "C9", "2026-10-30 14:00:00", 1, 1)).code(),
            StatusCode::kNotFound);
}

TEST_F(CustomerMetricsTest, RecencyFrequencyMonetary) {
  EXPECT_EQ(Of("C1").recency_days, 18);  // 2026-10-12 to 2026-10-30
  EXPECT_EQ(Of("C1").frequency, 3);
  EXPECT_EQ(Of("C1").monetary_fen, 17500);
  EXPECT_EQ(Of("C3").recency_days, 107);  // 2026-07-15
  EXPECT_EQ(Of("C5").frequency, 1);  // the 2025 trade lies outside the window
  EXPECT_EQ(Of("C5").recency_days, 14);
  // R: C1 18 days, C2 10, C3 107, C4 15, C5 14 -> scores by rank of recency.
  EXPECT_EQ(Of("C2").r_score, 5);
  EXPECT_EQ(Of("C5").r_score, 4);
  EXPECT_EQ(Of("C4").r_score, 3);
  EXPECT_EQ(Of("C1").r_score, 2);
  EXPECT_EQ(Of("C3").r_score, 1);
  EXPECT_EQ(Of("C1").f_score, 5);
  EXPECT_EQ(Of("C1").m_score, 5);
}

TEST_F(CustomerMetricsTest, ProfitContributionByHand) {
  const CustomerMetrics& c1 = Of("C1");
  // Three month-end snapshots: funds 400,000 yuan, margin debt 100,000 yuan.
  // Margin interest: 10,000,000 fen × 6.5% × 3/12 = 162,500 fen.
  // Fund fees: 40,000,000 fen × 0.5% × 3/12 = 50,000 fen.
  EXPECT_EQ(c1.margin_interest_fen, 162500);
  EXPECT_EQ(c1.product_fee_fen, 50000);
  EXPECT_EQ(c1.profit_fen, 17500 + 162500 + 50000);
  EXPECT_EQ(c1.average_assets_fen, 100000000);
  EXPECT_EQ(c1.traded_amount_fen, 70000000);
  EXPECT_NEAR(c1.channel_mix[static_cast<int>(TradeChannel::kApp)], 2.0 / 3, 1e-9);
  EXPECT_NEAR(c1.product_mix[static_cast<int>(ProductType::kStock)], 1.0, 1e-9);
  EXPECT_EQ(c1.active_months, 3);
}

TEST_F(CustomerMetricsTest, BehaviourLoyaltyAndChurn) {
  const CustomerMetrics& c3 = Of("C3");
  EXPECT_EQ(c3.complaints, 1);
  EXPECT_EQ(c3.peak_assets_fen, 100000000);
  EXPECT_NEAR(c3.asset_retention, 0.05, 1e-9);
  EXPECT_TRUE(IsChurned(c3, true));  // below 10% of peak, no trade for 90 days
  EXPECT_FALSE(IsChurned(Of("C1"), true));
  EXPECT_LT(c3.loyalty_index, Of("C1").loyalty_index);
  // C2 opened on 2026-10-08: one trade in its first month is one trade a month.
  EXPECT_NEAR(Of("C2").trades_per_month, 1.0, 1e-9);  // at least a month is counted
  EXPECT_EQ(Of("C1").style, TradingStyle::kLongTerm);  // 0.7× a year
}

TEST_F(CustomerMetricsTest, CreditGradeNeedsAssetsAndExperience) {
  // C1: loyalty 25 (tenure) + 6.25 (3 of 12 months) + 20 (kept all assets) + 15 (no
  // complaints) + 7.5 (never contacted: neutral) = 73.75. Credit points: assets 30,
  // some experience 10, risk C3 15, clean record 15, loyalty 73.75 / 5 = 14 -> 84: B.
  EXPECT_NEAR(Of("C1").loyalty_index, 73.75, 1e-9);
  EXPECT_EQ(Of("C1").credit_points, 84);
  EXPECT_EQ(Of("C1").credit_grade, CreditGrade::kB);
  EXPECT_EQ(Of("C4").credit_grade, CreditGrade::kE);  // 200,000 yuan
  EXPECT_FALSE(Of("C4").credit_reasons.empty());
  EXPECT_NE(Of("C4").credit_reasons[0].find("below the 500,000 yuan threshold"), std::string::npos);
}

TEST_F(CustomerMetricsTest, TiersRankValueNotAssetsAlone) {
  Date as_of = *ParseDate("2026-10-30");
  TierAssignment tiers = AssignTiers(*facts_, metrics_, as_of);
  uint32_t c1 = *facts_->CustomerIndex("C1"), c3 = *facts_->CustomerIndex("C3");
  EXPECT_GT(tiers.score[c1], tiers.score[c3]);
  // Score 0.5 × 0.9 (profit) + 0.3 × (0.6 × 0.9 + 0.4 × 0.5) (potential) + 0.2 × 0.7375.
  EXPECT_NEAR(tiers.score[c1], 0.8195, 1e-9);
  EXPECT_EQ(tiers.tier[c1], static_cast<int8_t>(ValueTier::kPlatinum));
  for (uint32_t c = 0; c < facts_->customer_count(); ++c) EXPECT_LE(tiers.tier[c], tiers.tier[c1]);
  for (uint32_t c = 0; c < facts_->customer_count(); ++c) EXPECT_NE(tiers.tier[c], kNoTier);
  // Before C2 opened it has no tier.
  Date before = *ParseDate("2026-09-30");
  TierAssignment earlier = AssignTiers(*facts_, ComputeCustomerMetrics(*facts_, before), before);
  EXPECT_EQ(earlier.tier[*facts_->CustomerIndex("C2")], kNoTier);
}

TEST(QuintileScoresTest, TiesShareAScore) {
  EXPECT_EQ(QuintileScores({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}),
            (std::vector<uint8_t>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(QuintileScores({0, 0, 0, 0, 7}), (std::vector<uint8_t>{1, 1, 1, 1, 5}));
}

TEST(MonthEndsTest, LastDaysOfMonths) {
  std::vector<Date> ends = MonthEnds(ParseDate("2026-03-15")->days, 4);
  ASSERT_EQ(ends.size(), 4u);
  EXPECT_EQ(FormatDate(ends[0]), "2025-12-31");
  EXPECT_EQ(FormatDate(ends[1]), "2026-01-31");
  EXPECT_EQ(FormatDate(ends[2]), "2026-02-28");
  EXPECT_EQ(FormatDate(ends[3]), "2026-03-15");
}

}  // namespace
}  // namespace fincrm
