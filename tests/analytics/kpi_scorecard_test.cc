#include "analytics/kpi_scorecard.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"

namespace fincrm {
namespace {

TEST(KpiPeriodTest, ParsesMonthsQuartersAndYears) {
  auto month = ParseKpiPeriod("2026-10");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(FormatDate(month->start), "2026-10-01");
  EXPECT_EQ(FormatDate(month->end), "2026-10-31");
  auto quarter = ParseKpiPeriod("2026-Q3");
  EXPECT_EQ(FormatDate(quarter->start), "2026-07-01");
  EXPECT_EQ(FormatDate(quarter->end), "2026-09-30");
  auto year = ParseKpiPeriod("2025");
  EXPECT_EQ(FormatDate(year->end), "2025-12-31");
  for (const char* bad : {"2026-13", "26-10", "2026-Q5", "2026-1", "soon", ""}) {
    EXPECT_EQ(ParseKpiPeriod(bad).status().field(), "period") << bad;
  }
}

TEST(KpiPeriodTest, LatestCompleteMonthNeedsEveryTradingDay) {
  BusinessCalendar weekdays;
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2026-10-30")->days, weekdays).label, "2026-10");  // 31st is a Saturday
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2026-10-29")->days, weekdays).label, "2026-09");
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2026-01-15")->days, weekdays).label, "2025-12");
  // The Spring Festival of 2025 closed the exchanges from 28 January to 4 February: data
  // to Monday the 27th covers January's trading days, though not its weekdays. A make-up
  // working Saturday (调休) is no trading day.
  BusinessCalendar mainland;
  for (int d = 28; d <= 31; ++d) mainland.AddDay({Date{DaysFromCivil(2025, 1, d)}, CalendarDayKind::kHoliday, "春节"});
  mainland.AddDay({Date{DaysFromCivil(2025, 1, 26)}, CalendarDayKind::kMakeUpWorkday, "春节调休"});
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2025-01-27")->days, mainland).label, "2025-01");
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2025-01-27")->days, weekdays).label, "2024-12");
  EXPECT_EQ(LatestCompleteMonth(ParseDate("2025-01-24")->days, mainland).label, "2024-12");
}

TEST(KpiWeightsTest, FourNonNegativeNumbers) {
  auto weights = ParseKpiWeights("20:30:30:20");
  ASSERT_TRUE(weights.ok());
  EXPECT_EQ(weights->retention, 30);
  for (const char* bad : {"1:2:3", "a:b:c:d", "0:0:0:0", "-1:1:1:1", "1:2:3:4:5", ""}) {
    EXPECT_FALSE(ParseKpiWeights(bad).ok()) << bad;
  }
}

TEST(KpiScorecardTest, GoldenBranchScorecard) {
  testing::TempDir dir;
  auto store = testing::GoldenStore(dir);
  FactTables facts = *FactTables::Load(*store);
  auto card = ComputeKpiScorecard(facts, *ParseKpiPeriod("2026-10"), KpiLevel::kBranch);
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  ASSERT_EQ(card->rows.size(), 2u);
  const KpiRow* b1 = nullptr;
  const KpiRow* b2 = nullptr;
  for (const KpiRow& row : card->rows) (row.unit == "B1" ? b1 : b2) = &row;
  ASSERT_TRUE(b1 && b2);
  // B1: C1 and C3 live on 30 September; C3 fades out in October; C2 is new.
  EXPECT_EQ(b1->customers_at_start, 2);
  EXPECT_EQ(b1->new_customers, 1);
  EXPECT_DOUBLE_EQ(b1->new_rate, 0.5);
  EXPECT_EQ(b1->churned, 1);
  EXPECT_DOUBLE_EQ(b1->retention_rate, 0.5);
  EXPECT_EQ(b1->customers_at_end, 3);
  // B2: C4 and C5, steady.
  EXPECT_EQ(b2->customers_at_start, 2);
  EXPECT_EQ(b2->new_customers, 0);
  EXPECT_EQ(b2->churned, 0);
  EXPECT_DOUBLE_EQ(b2->retention_rate, 1.0);
  // Min-max across the two branches.
  EXPECT_DOUBLE_EQ(b1->new_score, 100);
  EXPECT_DOUBLE_EQ(b2->new_score, 0);
  EXPECT_DOUBLE_EQ(b1->retention_score, 0);
  EXPECT_DOUBLE_EQ(b2->retention_score, 100);
  // October profit: B1 = C1 10,000 + margin interest and fund fees for one month, C2 500,
  // C3 0; B2 = C4 750 + C5 500 fen.
  EXPECT_EQ(b2->profit_fen, 1250);
  EXPECT_EQ(b1->profit_fen, 10000 + 500 + 54167 + 16667);
  for (const KpiRow* row : {b1, b2}) {
    double expected = (20 * row->new_score + 30 * row->retention_score + 30 * row->upgrade_score +
                       20 * row->profit_score) / 100;
    EXPECT_NEAR(row->composite, expected, 1e-9);
    EXPECT_LE(row->upgraded, row->customers_at_start - row->churned);
  }
  EXPECT_GE(card->rows[0].composite, card->rows[1].composite);
  EXPECT_EQ(card->rows[0].rank, 1);
}

TEST(KpiScorecardTest, BrokerLevelAndPeriodsOutsideTheData) {
  testing::TempDir dir;
  auto store = testing::GoldenStore(dir);
  FactTables facts = *FactTables::Load(*store);
  auto card = ComputeKpiScorecard(facts, *ParseKpiPeriod("2026-10"), KpiLevel::kBroker);
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->rows.size(), 2u);
  EXPECT_EQ(ComputeKpiScorecard(facts, *ParseKpiPeriod("2027-01"), KpiLevel::kBranch).status().field(), "period");
}

}  // namespace
}  // namespace fincrm
