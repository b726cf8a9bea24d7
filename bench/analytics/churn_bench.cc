// Churn-model benchmark, our side: generates the demo brokerage for N customers
// straight into fact tables (no database), trains FinCRM's churn model (features,
// out-of-time split, XGBoost) and prints its time and validation ROC AUC. It also
// writes the training and validation matrices for the peer, scikit-learn's
// HistGradientBoostingClassifier (churn_vs_sklearn.sh).
//   churn_bench CUSTOMERS OUT_DIR
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analytics/churn_model.h"
#include "ingest/demo_data_generator.h"

namespace {

using namespace fincrm;

// Feeds generated rows into fact tables.
class FactSink final : public RowSink {
 public:
  explicit FactSink(FactTables& facts) : facts_(facts) {}
  Status Put(const Branch&) override { return Status::Ok(); }
  Status Put(const Staff&) override { return Status::Ok(); }
  Status Put(const Product&) override { return Status::Ok(); }
  Status Put(const Customer& row) override {
    facts_.UpsertCustomer(row);
    return Status::Ok();
  }
  Status Put(const HouseholdMember&) override { return Status::Ok(); }
  Status Put(const Account&) override { return Status::Ok(); }
  Status Put(const AssetSnapshot& row) override { return facts_.Append(row); }
  Status Put(const Trade& row) override { return facts_.Append(row); }
  Status Put(const Interaction& row) override { return facts_.Append(row); }
  Status Finish() override { return Status::Ok(); }

 private:
  FactTables& facts_;
};

std::vector<float> ReadFloats(const std::string& path, size_t count) {
  std::vector<float> values(count);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file || std::fread(values.data(), sizeof(float), count, file) != count) std::exit(1);
  std::fclose(file);
  return values;
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: churn_bench CUSTOMERS OUT_DIR\n");
    return 2;
  }
  FactTables facts;
  FactSink sink(facts);
  DemoDataOptions options;
  options.customers = std::atoll(argv[1]);
  auto start = std::chrono::steady_clock::now();
  auto generated = GenerateDemoData(options, sink);
  if (!generated.ok()) {
    std::fprintf(stderr, "%s\n", generated.status().ToString().c_str());
    return 1;
  }
  facts.ClusterByCustomer();
  double generation = Since(start);
  ChurnOptions churn;
  churn.export_directory = argv[2];
  start = std::chrono::steady_clock::now();
  auto model = TrainChurnModel(facts, churn);
  double training = Since(start);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "generated %lld customers, %lld trades in %.1f s\n", static_cast<long long>(facts.customer_count()),
               static_cast<long long>(facts.trades().size()), generation);
  // The fit alone on the exported rows, comparable with the peer's fit.
  std::string dir = argv[2];
  size_t train_rows = 0, valid_rows = 0, features = 0;
  std::FILE* shape = std::fopen((dir + "/shape.txt").c_str(), "r");
  if (!shape || std::fscanf(shape, "%zu %zu %zu", &train_rows, &valid_rows, &features) != 3) return 1;
  std::fclose(shape);
  DenseMatrix x{ReadFloats(dir + "/train_x.f32", train_rows * features), train_rows, features};
  std::vector<float> y = ReadFloats(dir + "/train_y.f32", train_rows);
  DenseMatrix vx{ReadFloats(dir + "/valid_x.f32", valid_rows * features), valid_rows, features};
  std::vector<float> vy = ReadFloats(dir + "/valid_y.f32", valid_rows);
  start = std::chrono::steady_clock::now();
  auto fitted = BoostedTrees::Train(x, y, churn.params);
  double fit = Since(start);
  if (!fitted.ok()) return 1;
  double fit_auc = RocAuc(*fitted->Predict(vx), vy);
  std::printf("fincrm %.3f %.4f %lld %.3f\n", fit, fit_auc, static_cast<long long>(train_rows), training);
  return 0;
}
