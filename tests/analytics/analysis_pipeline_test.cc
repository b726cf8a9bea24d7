#include "analytics/analysis_pipeline.h"

#include <gtest/gtest.h>

#include "analytics/golden_brokerage.h"
#include "ingest/demo_data_generator.h"

namespace fincrm {
namespace {

TEST(LifetimeValueTest, DiscountedRetainedProfit) {
  EXPECT_EQ(LifetimeValue(1000, 0.5, 0.0, 2), 750);  // 1000 × (0.5 + 0.25)
  EXPECT_EQ(LifetimeValue(1000, 1.0, 1.0, 1), 500);
  EXPECT_EQ(LifetimeValue(0, 0.9, 0.08, 5), 0);
}

TEST(AnalysisPipelineTest, StoresScoresTiersAndKpis) {
  testing::TempDir dir;
  auto store = testing::GoldenStore(dir);
  auto summary = RunAnalysis(*store);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->run_id, 1);
  EXPECT_EQ(FormatDate(summary->as_of), "2026-10-30");
  EXPECT_EQ(summary->kpi_period, "2026-10");
  auto score = store->GetCustomerScore("C1");
  ASSERT_TRUE(score.ok() && score->has_value());
  EXPECT_EQ((*score)->run_id, 1);
  EXPECT_EQ((*score)->tier, "platinum");
  EXPECT_EQ((*score)->rfm, "255");
  EXPECT_EQ((*score)->profit.fen, 17500 + 162500 + 50000);
  EXPECT_EQ((*score)->credit_grade, "B");
  EXPECT_EQ((*score)->preferred_channel, "app");
  EXPECT_EQ((*score)->churn_risk, -1);
  EXPECT_GT((*score)->lifetime_value.fen, 0);
  EXPECT_EQ(*store->Count(EntityKind::kKpiRecord), 4);  // two branches, two brokers
  EXPECT_GT(*store->Count(EntityKind::kTierRecord), 5);
  // A second run replaces the scores and keeps one row per customer.
  auto again = RunAnalysis(*store);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->run_id, 2);
  EXPECT_EQ(*store->Count(EntityKind::kCustomerScore), 5);
  EXPECT_EQ((*store->LatestAnalysisRun())->run_id, 2);
}

TEST(AnalysisPipelineTest, AnEmptyStoreHasNothingToAnalyse) {
  testing::TempDir dir;
  auto store = *OpenStore(dir.File("empty.db"));
  EXPECT_EQ(RunAnalysis(*store).status().code(), StatusCode::kFailedPrecondition);
}

TEST(AnalysisPipelineTest, DemoBrokerageLaddersAndPlantedChurn) {
  testing::TempDir dir;
  auto store = *OpenStore(dir.File("demo.db"));
  DemoDataOptions options;
  options.customers = 3000;
  auto sink = StoreSink(*store);
  ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
  auto summary = RunAnalysis(*store);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  // Every tier is populated, Bronze more than Diamond.
  for (int t = 0; t < kTierCount; ++t) EXPECT_GT(summary->customers_by_tier[t], 0) << t;
  EXPECT_GT(summary->customers_by_tier[0], summary->customers_by_tier[4]);
  // Higher tiers keep their customers better: the planted churn hits small customers.
  EXPECT_GT(summary->retention_by_tier[4], summary->retention_by_tier[0]);
  EXPECT_GT(summary->upgrades_last_month, 0);
  EXPECT_GT(summary->downgrades_last_month, 0);
  // Segments: k from 3 to 8, every cluster labelled, sizes adding up to the live customers.
  ASSERT_GE(summary->clusters.size(), 3u);
  ASSERT_LE(summary->clusters.size(), 8u);
  int64_t clustered = 0;
  for (const ClusterProfile& p : summary->clusters) {
    EXPECT_FALSE(p.label.empty());
    EXPECT_EQ(p.distinguishing.size(), 3u);
    clustered += p.size;
  }
  EXPECT_GT(clustered, 2000);
  EXPECT_EQ(*store->Count(EntityKind::kCluster), static_cast<int64_t>(summary->clusters.size()));
  // A churn model was trained and saved.
  ASSERT_TRUE(summary->churn_card.has_value());
  auto model = store->LatestModel("churn");
  ASSERT_TRUE(model.ok() && model->has_value());
  EXPECT_EQ((*model)->version, summary->churn_card->version);
  EXPECT_NE((*model)->rules_text.find("THEN churns"), std::string::npos);
  EXPECT_NE((*model)->card_text.find("ROC AUC: "), std::string::npos);
  auto tier_rules = store->LatestModel("tier_rules");
  ASSERT_TRUE(tier_rules.ok() && tier_rules->has_value());
  EXPECT_NE((*tier_rules)->rules_text.find("IF "), std::string::npos);
  EXPECT_GT(summary->tier_rules.accuracy, 0.5);
}

}  // namespace
}  // namespace fincrm
