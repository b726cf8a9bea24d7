#include "analytics/table_trainer.h"
#include "core/date_time.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>

namespace fincrm {
namespace {

// Columns with more levels than this are frequency-encoded (one numeric feature: how
// common the value is) instead of one-hot: many sparse indicator columns mostly add
// noise to trees.
constexpr size_t kMaxOneHotLevels = 10;

bool IsMissing(const std::string& text) {
  return text.empty() || text == "NA" || text == "N/A" || text == "NaN" || text == "nan" || text == "null" ||
         text == "NULL" || text == "?";
}

bool ParseNumber(const std::string& text, float& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

struct Encoding {
  std::vector<std::string> feature_names;
  std::vector<std::string> source_column;  // per feature
  DenseMatrix x;
  std::vector<float> y;
};

Result<Encoding> Encode(const TextTable& table, const TableTrainingOptions& options) {
  auto label_it = std::find(table.header.begin(), table.header.end(), options.label_column);
  if (label_it == table.header.end()) {
    return InvalidArgument("no column '" + options.label_column + "' in the header", "label");
  }
  size_t label_column = label_it - table.header.begin();
  std::vector<size_t> rows;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (label_column < table.rows[r].size() && !IsMissing(table.rows[r][label_column])) rows.push_back(r);
  }
  if (rows.empty()) return InvalidArgument("no row has a label", "label");

  Encoding encoding;
  struct Column {
    size_t index;
    bool numeric;
    std::vector<std::string> levels;         // one-hot levels
    std::map<std::string, float> frequency;  // frequency encoding instead, when set
  };
  std::vector<Column> columns;
  for (size_t c = 0; c < table.header.size(); ++c) {
    if (c == label_column) continue;
    Column column{c, true, {}};
    std::map<std::string, int64_t> counts;
    for (size_t r : rows) {
      const std::string& cell = c < table.rows[r].size() ? table.rows[r][c] : std::string();
      if (IsMissing(cell)) continue;
      float value;
      if (!ParseNumber(cell, value)) column.numeric = false;
      ++counts[cell];
    }
    if (!column.numeric && counts.size() > kMaxOneHotLevels) {
      for (const auto& [level, count] : counts) {
        column.frequency[level] = static_cast<float>(count) / static_cast<float>(rows.size());
      }
      encoding.feature_names.push_back(table.header[c] + " (frequency)");
      encoding.source_column.push_back(table.header[c]);
    } else if (!column.numeric) {
      for (const auto& [level, count] : counts) column.levels.push_back(level);
      for (const std::string& level : column.levels) {
        encoding.feature_names.push_back(table.header[c] + "=" + level);
        encoding.source_column.push_back(table.header[c]);
      }
    } else {
      encoding.feature_names.push_back(table.header[c]);
      encoding.source_column.push_back(table.header[c]);
    }
    columns.push_back(std::move(column));
  }
  DenseMatrix& x = encoding.x;
  x.rows = rows.size();
  x.cols = encoding.feature_names.size();
  x.values.assign(x.rows * x.cols, std::nanf(""));
  encoding.y.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string>& row = table.rows[rows[i]];
    encoding.y[i] = row[label_column] == options.positive_value ? 1.0f : 0.0f;
    size_t feature = 0;
    float* out = x.Row(i);
    for (const Column& column : columns) {
      const std::string& cell = column.index < row.size() ? row[column.index] : std::string();
      if (column.numeric) {
        float value;
        if (!IsMissing(cell) && ParseNumber(cell, value)) out[feature] = value;
        ++feature;
      } else if (!column.frequency.empty()) {
        auto it = column.frequency.find(cell);
        out[feature++] = IsMissing(cell) || it == column.frequency.end() ? std::nanf("") : it->second;
      } else {
        for (const std::string& level : column.levels) {
          out[feature++] = IsMissing(cell) ? std::nanf("") : (cell == level ? 1.0f : 0.0f);
        }
      }
    }
  }
  return encoding;
}

DenseMatrix SelectRows(const DenseMatrix& x, const std::vector<size_t>& rows) {
  DenseMatrix out;
  out.rows = rows.size();
  out.cols = x.cols;
  out.values.resize(out.rows * out.cols);
  for (size_t i = 0; i < rows.size(); ++i) std::copy_n(x.Row(rows[i]), x.cols, out.Row(i));
  return out;
}

}  // namespace

Result<ModelCard> TrainOnTable(const TextTable& table, const TableTrainingOptions& options) {
  auto encoding_or = Encode(table, options);
  if (!encoding_or.ok()) return encoding_or.status();
  const Encoding& e = *encoding_or;
  int64_t positives = std::count(e.y.begin(), e.y.end(), 1.0f);
  if (positives == 0 || positives == static_cast<int64_t>(e.y.size())) {
    return InvalidArgument("the label has only one class (is '" + options.positive_value + "' a value of '" +
                               options.label_column + "'?)",
                           "positive");
  }
  int folds = std::clamp(options.folds, 2, 20);
  std::vector<int> fold_of = StratifiedFolds(e.y, folds, options.seed);
  std::vector<float> out_of_fold(e.y.size());
  std::vector<double> fold_auc;
  for (int f = 0; f < folds; ++f) {
    std::vector<size_t> train_rows, test_rows;
    for (size_t i = 0; i < fold_of.size(); ++i) (fold_of[i] == f ? test_rows : train_rows).push_back(i);
    std::vector<float> train_y, test_y;
    for (size_t i : train_rows) train_y.push_back(e.y[i]);
    for (size_t i : test_rows) test_y.push_back(e.y[i]);
    auto model = BoostedTrees::Train(SelectRows(e.x, train_rows), train_y, options.params);
    if (!model.ok()) return model.status();
    auto predicted = model->Predict(SelectRows(e.x, test_rows));
    if (!predicted.ok()) return predicted.status();
    for (size_t i = 0; i < test_rows.size(); ++i) out_of_fold[test_rows[i]] = (*predicted)[i];
    fold_auc.push_back(RocAuc(*predicted, test_y));
  }
  ModelCard card;
  card.name = options.label_column + " classifier";
  card.trained_at = FormatTimestamp(CurrentTime());
  card.version = "table-" + card.trained_at.substr(0, 10);
  card.label = options.label_column + " = " + options.positive_value;
  card.evaluation = std::to_string(folds) + "-fold stratified cross-validation (out-of-fold predictions)";
  card.training_rows = static_cast<int64_t>(e.y.size());
  card.positives = positives;
  card.features = static_cast<int64_t>(e.x.cols);
  double mean = std::accumulate(fold_auc.begin(), fold_auc.end(), 0.0) / fold_auc.size();
  double variance = 0;
  for (double auc : fold_auc) variance += (auc - mean) * (auc - mean);
  card.roc_auc = mean;
  card.roc_auc_sd = std::sqrt(variance / fold_auc.size());
  card.pr_auc = PrAuc(out_of_fold, e.y);
  card.top_decile_lift = TopDecileLift(out_of_fold, e.y);
  card.calibration = Calibration(out_of_fold, e.y);
  const BoostParams& p = options.params;
  card.parameters = "boosted trees: " + std::to_string(p.rounds) + " rounds, depth " + std::to_string(p.max_depth) +
                    ", learning rate " + std::to_string(p.learning_rate).substr(0, 5);
  // Importance from a model on all rows, summed back onto the source columns.
  auto full = BoostedTrees::Train(e.x, e.y, options.params);
  if (!full.ok()) return full.status();
  auto contributions = full->Contributions(e.x, /*approximate=*/false);
  if (!contributions.ok()) return contributions.status();
  std::map<std::string, double> by_column;
  for (size_t r = 0; r < e.x.rows; ++r) {
    const float* row = contributions->data() + r * (e.x.cols + 1);
    for (size_t f = 0; f < e.x.cols; ++f) by_column[e.source_column[f]] += std::fabs(row[f]) / e.x.rows;
  }
  card.importance.assign(by_column.begin(), by_column.end());
  std::stable_sort(card.importance.begin(), card.importance.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return card;
}

}  // namespace fincrm
