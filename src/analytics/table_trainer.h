// Bring-your-own-table training: any CSV with a label column becomes a boosted-trees
// classifier, cross-validated and described by a model card. Numeric columns stay
// numeric, other columns are one-hot encoded, NA and empty cells are missing.
#pragma once

#include <string>
#include <vector>

#include "analytics/boosted_trees.h"
#include "analytics/model_card.h"

namespace fincrm {

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct TableTrainingOptions {
  std::string label_column;
  std::string positive_value;
  int folds = 5;
  uint64_t seed = 7;
  BoostParams params;
};

// InvalidArgument when the label column is missing, the table has no rows with a
// label, or only one class.
Result<ModelCard> TrainOnTable(const TextTable& table, const TableTrainingOptions& options);

}  // namespace fincrm
