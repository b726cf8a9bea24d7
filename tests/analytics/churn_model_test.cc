#include "analytics/churn_model.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "analytics/table_trainer.h"
#include "ingest/csv/csv_reader.h"
#include "ingest/demo_data_generator.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

class ChurnModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto store = *OpenStore(dir_->File("demo.db"));
    DemoDataOptions options;
    options.customers = 4000;
    auto sink = StoreSink(*store);
    ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
    facts_ = new FactTables(*FactTables::Load(*store));
    auto result = TrainChurnModel(*facts_);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    result_ = new ChurnModelResult(std::move(*result));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete facts_;
    delete dir_;
  }

  static testing::TempDir* dir_;
  static FactTables* facts_;
  static ChurnModelResult* result_;
};
testing::TempDir* ChurnModelTest::dir_ = nullptr;
FactTables* ChurnModelTest::facts_ = nullptr;
ChurnModelResult* ChurnModelTest::result_ = nullptr;

TEST_F(ChurnModelTest, OutOfTimeValidationFindsThePlantedSignal) {
  const ModelCard& card = result_->card;
  EXPECT_GT(card.roc_auc, 0.85);
  EXPECT_GT(card.top_decile_lift, 3);
  EXPECT_GT(card.training_rows, 5000);
  EXPECT_GT(card.positives, 20);
  EXPECT_NE(card.evaluation.find("out of time"), std::string::npos);
  EXPECT_EQ(card.importance.size(), ChurnFeatureNames().size());
  EXPECT_NE(card.Print().find("ROC AUC: "), std::string::npos);
  EXPECT_NE(card.ToJson().find("\"roc_auc\":"), std::string::npos);
}

TEST_F(ChurnModelTest, ReasonsNameThePlantedCauses) {
  std::map<std::string, int> causes;
  int at_risk = 0;
  for (const ChurnScore& score : result_->scores) {
    EXPECT_GE(score.risk, 0.0f);
    EXPECT_LE(score.risk, 1.0f);
    EXPECT_LE(score.reasons.size(), 3u);
    EXPECT_EQ(score.reasons.size(), score.causes.size());
    if (score.risk < 0.5f) continue;
    ++at_risk;
    for (const std::string& cause : score.causes) ++causes[cause];
  }
  ASSERT_GT(at_risk, 10);
  // docs/demo-data.md: declining trading, asset outflow, complaints, fewer logins.
  for (const char* planted : {"trading_decline", "asset_outflow", "complaints", "fewer_logins"}) {
    EXPECT_GT(causes[planted], 0) << planted;
  }
}

TEST_F(ChurnModelTest, SavedModelsLoadAndScoreTheSame) {
  auto loaded = BoostedTrees::Load(result_->model_json);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto again = ScoreChurn(*facts_, *loaded, Date{facts_->last_day()});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), result_->scores.size());
  for (size_t i = 0; i < again->size(); i += 50) {
    EXPECT_FLOAT_EQ((*again)[i].risk, result_->scores[i].risk);
  }
  EXPECT_EQ(BoostedTrees::Load("not a model").status().code(), StatusCode::kInvalidArgument);
}

TEST(ChurnModelShortHistoryTest, SaysWhyThereIsNoModel) {
  testing::TempDir dir;
  auto store = *OpenStore(dir.File("short.db"));
  DemoDataOptions options;
  options.customers = 300;
  options.months = 3;
  auto sink = StoreSink(*store);
  ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
  FactTables facts = *FactTables::Load(*store);
  EXPECT_EQ(TrainChurnModel(facts).status().code(), StatusCode::kFailedPrecondition);
}

TEST(ModelEvaluationTest, KnownAnswers) {
  EXPECT_DOUBLE_EQ(RocAuc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(RocAuc({0.5f, 0.5f}, {0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(PrAuc({0.9f, 0.8f, 0.7f}, {1, 0, 1}), (1.0 + 2.0 / 3) / 2);
  std::vector<float> scores(100), labels(100);
  for (int i = 0; i < 100; ++i) {
    scores[i] = i / 100.0f;
    labels[i] = i >= 90 ? 1.0f : 0.0f;
  }
  EXPECT_DOUBLE_EQ(TopDecileLift(scores, labels), 10.0);
  auto folds = StratifiedFolds(labels, 5, 1);
  std::vector<int> positives_per_fold(5);
  for (int i = 90; i < 100; ++i) ++positives_per_fold[folds[i]];
  for (int n : positives_per_fold) EXPECT_EQ(n, 2);
  auto bins = Calibration({0.05f, 0.95f}, {0, 1});
  EXPECT_EQ(bins[0].count, 1);
  EXPECT_DOUBLE_EQ(bins[9].observed_rate, 1.0);
}

TextTable ReadTable(const std::string& path) {
  TextTable table;
  auto source = OpenFileSource(path);
  EXPECT_TRUE(source.ok()) << path << " is missing: tests/data holds the datasets";
  if (!source.ok()) return table;
  auto reader = CsvReader::Create(std::move(*source), TextEncoding::kAuto);
  CsvRecord record;
  (*reader)->Next(record);
  table.header.assign(record.fields.begin(), record.fields.end());
  while ((*reader)->Next(record)) table.rows.emplace_back(record.fields.begin(), record.fields.end());
  return table;
}

TEST(TableTrainerTest, PublicChurnDatasetReachesItsTarget) {
  TextTable table = ReadTable(std::string(FINCRM_SOURCE_DIR) + "/tests/data/mlc_churn.csv");
  ASSERT_EQ(table.rows.size(), 5000u);
  auto card = TrainOnTable(table, {"churn", "yes"});
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  EXPECT_GE(card->roc_auc, 0.92);
  EXPECT_NE(card->Print().find("ROC AUC: 0."), std::string::npos);
}

TEST(TableTrainerTest, PublicCreditDatasetReachesItsTarget) {
  TextTable table = ReadTable(std::string(FINCRM_SOURCE_DIR) + "/tests/data/credit_data.csv");
  auto card = TrainOnTable(table, {"Status", "bad"});
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  EXPECT_GE(card->roc_auc, 0.83);
}

TEST(TableTrainerTest, ClearErrorsForBadLabels) {
  TextTable table{{"a", "y"}, {{"1", "x"}, {"2", "z"}, {"NA", "x"}}};
  EXPECT_EQ(TrainOnTable(table, {"label", "x"}).status().field(), "label");
  EXPECT_EQ(TrainOnTable(table, {"y", "never"}).status().field(), "positive");
}

}  // namespace
}  // namespace fincrm
