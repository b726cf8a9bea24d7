#include <chrono>
#include <cstdio>
#include <map>

#include "analytics/analysis_pipeline.h"
#include "analytics/cube.h"
#include "analytics/kpi_scorecard.h"
#include "analytics/table_trainer.h"
#include "ingest/csv/csv_reader.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "storage/calendar_store.h"
#include "storage/open_store.h"

namespace fincrm {
namespace {

Result<FactTables> LoadFacts(const std::string& db) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return store.status();
  return FactTables::Load(**store);
}

std::string Cell(CubeMeasure measure, int64_t value) {
  return IsMoneyMeasure(measure) ? FormatYuanGrouped(Money{value}) : GroupThousands(value);
}

// Prints rows as an aligned text table; column widths count display columns, with
// CJK characters two wide.
void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t right_aligned_from) {
  auto width = [](const std::string& text) {
    size_t columns = 0;
    for (size_t i = 0; i < text.size();) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      size_t length = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      columns += length >= 3 ? 2 : 1;
      i += length;
    }
    return columns;
  };
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(widths[i] - width(row[i]), ' ');
      line += i >= right_aligned_from ? pad + row[i] : row[i] + pad;
      line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

int RunCube(const CubeArgs& args) {
  auto query = ParseCubeQuery(args.measures, args.by, args.where, args.from, args.to, args.top);
  if (!query.ok()) return Fail(query.status());
  if (args.pivot && (query->by.size() != 2)) {
    return Fail(InvalidArgument("--pivot needs exactly two dimensions in --by", "pivot"));
  }
  auto facts = LoadFacts(args.db);
  if (!facts.ok()) return Fail(facts.status());
  CubeContext context;
  bool needs_tiers = false;
  for (CubeDimension d : query->by) needs_tiers |= d == CubeDimension::kTier;
  for (const CubeFilter& f : query->filters) needs_tiers |= f.dimension == CubeDimension::kTier;
  if (needs_tiers && facts->last_day() != kNoDay) {
    Date as_of{facts->last_day()};
    context.tier = AssignTiers(*facts, ComputeCustomerMetrics(*facts, as_of), as_of).tier;
  }
  auto result = RunCube(*facts, context, *query);
  if (!result.ok()) return Fail(result.status());

  std::vector<std::vector<std::string>> table;
  if (args.pivot) {
    // Rows: first dimension; columns: second dimension; cells: the first measure.
    std::vector<std::string> columns;
    std::map<std::string, std::map<std::string, int64_t>> cells;
    for (const CubeResult::Row& row : result->rows) {
      if (std::find(columns.begin(), columns.end(), row.keys[1]) == columns.end()) columns.push_back(row.keys[1]);
      cells[row.keys[0]][row.keys[1]] = row.values[0];
    }
    std::vector<std::string> header{result->dimensions[0] + " \\ " + result->dimensions[1]};
    header.insert(header.end(), columns.begin(), columns.end());
    table.push_back(header);
    for (const auto& [key, by_column] : cells) {
      std::vector<std::string> line{key};
      for (const std::string& column : columns) {
        auto it = by_column.find(column);
        line.push_back(it == by_column.end() ? "" : Cell(query->measures[0], it->second));
      }
      table.push_back(line);
    }
    PrintTable(table, 1);
    return kExitOk;
  }
  std::vector<std::string> header = result->dimensions;
  header.insert(header.end(), result->measures.begin(), result->measures.end());
  table.push_back(header);
  for (const CubeResult::Row& row : result->rows) {
    std::vector<std::string> line = row.keys;
    for (size_t m = 0; m < row.values.size(); ++m) line.push_back(Cell(query->measures[m], row.values[m]));
    table.push_back(line);
  }
  PrintTable(table, result->dimensions.size());
  std::printf("(%zu rows)\n", result->rows.size());
  return kExitOk;
}

int RunKpi(const KpiArgs& args) {
  auto weights = ParseKpiWeights(args.weights);
  if (!weights.ok()) return Fail(weights.status());
  KpiLevel level;
  if (args.level == "branch") level = KpiLevel::kBranch;
  else if (args.level == "broker") level = KpiLevel::kBroker;
  else return Fail(InvalidArgument("level must be branch or broker", "level"));
  auto facts = LoadFacts(args.db);
  if (!facts.ok()) return Fail(facts.status());
  if (facts->last_day() == kNoDay) return Fail(FailedPrecondition("the database holds no facts to score"));
  KpiPeriod period;
  if (args.period.empty()) {
    auto calendar = CalendarInForce(args.db);
    if (!calendar.ok()) return Fail(calendar.status());
    period = LatestCompleteMonth(facts->last_day(), *calendar);
  } else {
    auto parsed = ParseKpiPeriod(args.period);
    if (!parsed.ok()) return Fail(parsed.status());
    period = *parsed;
  }
  auto card = ComputeKpiScorecard(*facts, period, level, *weights);
  if (!card.ok()) return Fail(card.status());
  std::printf("KPI scorecard %s (%s to %s), per %s, weights new:retention:upgrade:profit = %g:%g:%g:%g\n\n",
              period.label.c_str(), FormatDate(period.start).c_str(), FormatDate(period.end).c_str(),
              args.level.c_str(), weights->new_customers, weights->retention, weights->upgrade,
              weights->profitability);
  std::vector<std::vector<std::string>> table{{"rank", args.level, "customers", "new", "new %", "churned",
                                               "retained %", "upgraded", "upgraded %", "profit/customer",
                                               "composite"}};
  char text[32];
  auto percent = [&](double value) {
    std::snprintf(text, sizeof text, "%.2f", value * 100);
    return std::string(text);
  };
  for (const KpiRow& row : card->rows) {
    std::snprintf(text, sizeof text, "%.1f", row.composite);
    std::string composite = text;
    table.push_back({std::to_string(row.rank), row.unit, GroupThousands(row.customers_at_end),
                     GroupThousands(row.new_customers), percent(row.new_rate), GroupThousands(row.churned),
                     percent(row.retention_rate), GroupThousands(row.upgraded), percent(row.upgrade_rate),
                     FormatYuanGrouped(Money{static_cast<int64_t>(row.average_profit_fen)}), composite});
  }
  PrintTable(table, 2);
  // Average profitability per tier (客户平均赢利能力, 有级次), over all units.
  std::printf("\naverage profit per customer by tier in %s:", period.label.c_str());
  std::array<int64_t, kTierCount> customers{};
  std::array<double, kTierCount> profit{};
  for (const KpiRow& row : card->rows) {
    for (int t = 0; t < kTierCount; ++t) {
      customers[t] += row.customers_by_tier[t];
      profit[t] += row.average_profit_by_tier[t] * row.customers_by_tier[t];
    }
  }
  for (int t = kTierCount - 1; t >= 0; --t) {
    std::printf("  %s %s", std::string(EnumCode(static_cast<ValueTier>(t))).c_str(),
                FormatYuanGrouped(Money{customers[t] ? static_cast<int64_t>(profit[t] / customers[t]) : 0}).c_str());
  }
  std::printf("\n");
  return kExitOk;
}

int RunAnalyze(const std::string& db, int clusters) {
  if (clusters != 0 && (clusters < 2 || clusters > 32)) {
    return Fail(InvalidArgument("must be between 2 and 32 (or 0 to choose by silhouette)", "clusters"));
  }
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  ProgressBar progress("analysing");
  AnalysisOptions options;
  options.clusters = clusters;
  auto calendar = CalendarInForce(db);
  if (!calendar.ok()) return Fail(calendar.status());
  options.calendar = std::move(*calendar);
  options.on_stage = [&](const std::string& stage, int step, int steps) {
    if (progress.enabled()) {
      std::printf("\r\033[K[%d/%d] %s...", step, steps, stage.c_str());
      std::fflush(stdout);
    }
  };
  auto summary = RunAnalysis(**store, options);
  progress.Finish();
  if (!summary.ok()) return Fail(summary.status());
  const AnalysisSummary& s = *summary;
  std::printf("analysis run %lld as of %s: %s customers, %s trades in %.1f s\n",
              static_cast<long long>(s.run_id), FormatDate(s.as_of).c_str(), GroupThousands(s.customers).c_str(),
              GroupThousands(s.trades).c_str(), s.seconds);
  std::printf("value ladder:");
  for (int t = kTierCount - 1; t >= 0; --t) {
    std::printf("  %s %s (12-month retention %.1f%%)", std::string(EnumCode(static_cast<ValueTier>(t))).c_str(),
                GroupThousands(s.customers_by_tier[t]).c_str(), s.retention_by_tier[t] * 100);
  }
  std::printf("\ncustomer segments (k = %zu", s.clusters.size());
  for (const auto& [k, silhouette] : s.silhouettes) std::printf("%s k=%d: %.3f", k == 3 ? "; silhouette" : ",", k, silhouette);
  std::printf(")\n");
  for (const ClusterProfile& p : s.clusters) {
    std::printf("  %d  %-48s %s customers\n", p.cluster, p.label.c_str(), GroupThousands(p.size).c_str());
  }
  if (s.churn_card) {
    std::printf("\nchurn model %s: out-of-time ROC AUC %.3f, PR AUC %.3f, top-decile lift %.2f; %s customers at 50%%+ risk\n",
                s.churn_card->version.c_str(), s.churn_card->roc_auc, s.churn_card->pr_auc,
                s.churn_card->top_decile_lift, GroupThousands(s.customers_at_risk).c_str());
  } else {
    std::printf("\nno churn model: %s\n", s.churn_skipped.c_str());
  }
  std::printf("last month: %s upgrades, %s downgrades; KPI scorecards stored for %s (fincrm kpi --db %s)\n",
              GroupThousands(s.upgrades_last_month).c_str(), GroupThousands(s.downgrades_last_month).c_str(),
              s.kpi_period.c_str(), db.c_str());
  return kExitOk;
}

int RunTrain(const TrainArgs& args) {
  auto source = OpenFileSource(args.csv);
  if (!source.ok()) return Fail(source.status());
  auto reader = CsvReader::Create(std::move(*source), TextEncoding::kAuto);
  if (!reader.ok()) return Fail(reader.status());
  TextTable table;
  CsvRecord record;
  if (!(*reader)->Next(record) || !record.error.ok()) {
    return Fail(InvalidArgument(args.csv + ": no header line", "csv"));
  }
  table.header.assign(record.fields.begin(), record.fields.end());
  (*reader)->set_expected_fields(table.header.size());
  int64_t skipped = 0;
  while ((*reader)->Next(record)) {
    if (!record.error.ok()) {
      std::fprintf(stderr, "%s line %lld: skipped: %s\n", args.csv.c_str(), static_cast<long long>(record.line),
                   record.error.message().c_str());
      ++skipped;
      continue;
    }
    table.rows.emplace_back(record.fields.begin(), record.fields.end());
  }
  TableTrainingOptions options;
  options.label_column = args.label;
  options.positive_value = args.positive;
  options.folds = args.folds;
  options.params.rounds = args.rounds;
  options.params.max_depth = args.depth;
  options.params.learning_rate = args.learning_rate;
  auto card = TrainOnTable(table, options);
  if (!card.ok()) return Fail(card.status());
  card->name = args.csv + ": " + card->name;
  std::printf("%s", card->Print().c_str());
  if (skipped) std::printf("(%lld malformed rows skipped, listed on stderr)\n", static_cast<long long>(skipped));
  return kExitOk;
}

int RunModel(const std::string& db, const std::string& name) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto model = (*store)->LatestModel(name);
  if (!model.ok()) return Fail(model.status());
  if (!model->has_value()) {
    return Fail(NotFound("no model named '" + name + "' yet: run fincrm analyze --db " + db, "name"));
  }
  const StoredModel& m = **model;
  std::printf("%s (version %s, stored %s)\n\n%s\nDecision-tree rules:\n%s", m.name.c_str(), m.version.c_str(),
              FormatTimestamp(m.created_at).c_str(), m.card_text.c_str(), m.rules_text.c_str());
  return kExitOk;
}

}  // namespace fincrm
