#include "analytics/rfm.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"

namespace fincrm {
namespace {

TEST(RfmTest, AgreesWithTheFullMetrics) {
  testing::TempDir dir;
  auto store = testing::GoldenStore(dir);
  FactTables facts = *FactTables::Load(*store);
  Date as_of = *ParseDate("2026-10-30");
  std::vector<CustomerMetrics> full = ComputeCustomerMetrics(facts, as_of);
  for (int threads : {1, 2, 3}) {
    std::vector<RfmRow> rfm = ComputeRfm(facts, as_of, {}, threads);
    ASSERT_EQ(rfm.size(), full.size());
    for (size_t c = 0; c < rfm.size(); ++c) {
      EXPECT_EQ(rfm[c].recency_days, full[c].recency_days);
      EXPECT_EQ(rfm[c].frequency, full[c].frequency);
      EXPECT_EQ(rfm[c].monetary_fen, full[c].monetary_fen);
      EXPECT_EQ(rfm[c].profit_fen, full[c].profit_fen);
      EXPECT_EQ(rfm[c].r, full[c].r_score);
      EXPECT_EQ(rfm[c].f, full[c].f_score);
      EXPECT_EQ(rfm[c].m, full[c].m_score);
    }
  }
}

}  // namespace
}  // namespace fincrm
