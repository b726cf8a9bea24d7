#include "analytics/analysis_pipeline.h"

#include <chrono>
#include <cmath>

#include "analytics/value_ladder.h"
#include "core/field_value.h"

namespace fincrm {
namespace {

const std::vector<std::string>& TierFeatureNames() {
  static const std::vector<std::string> kNames = {"profit_12m_yuan", "assets_yuan", "asset_growth_3m",
                                                  "loyalty_index", "trades_per_month", "tenure_years"};
  return kNames;
}

// Rules that say in words what puts a customer on each rung of the ladder.
DecisionTree TierRules(const std::vector<CustomerMetrics>& metrics, const TierAssignment& tiers) {
  DenseMatrix x;
  x.cols = TierFeatureNames().size();
  std::vector<int> labels;
  for (size_t c = 0; c < metrics.size(); ++c) {
    if (tiers.tier[c] == kNoTier) continue;
    const CustomerMetrics& m = metrics[c];
    float row[] = {static_cast<float>(m.profit_fen / 100.0), static_cast<float>(m.latest_assets_fen / 100.0),
                   static_cast<float>(m.asset_growth_3m), static_cast<float>(m.loyalty_index),
                   static_cast<float>(m.trades_per_month), static_cast<float>(m.tenure_years)};
    x.values.insert(x.values.end(), std::begin(row), std::end(row));
    labels.push_back(tiers.tier[c]);
  }
  x.rows = labels.size();
  return FitDecisionTree(x, labels, kTierCount, TierFeatureNames());
}

std::string RulesText(const DecisionTree& tree, const std::vector<std::string>& classes) {
  std::string text;
  for (const TreeRule& rule : tree.rules) text += rule.ToString(classes) + "\n";
  char accuracy[64];
  std::snprintf(accuracy, sizeof accuracy, "(%zu rules, training accuracy %.1f%%)\n", tree.rules.size(),
                tree.accuracy * 100);
  return text + accuracy;
}

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& reason : reasons) {
    if (!out.empty()) out += "; ";
    out += reason;
  }
  return out;
}

// Share of customers in each tier at the start of the history who have not churned
// by its end: the empirical yearly retention of the tier.
std::array<double, kTierCount> TierRetention(const LadderHistory& history,
                                             const std::vector<CustomerMetrics>& now,
                                             const TierAssignment& tiers_now) {
  std::array<int64_t, kTierCount> stayed{}, total{};
  const TierAssignment& first = history.months.front();
  for (size_t c = 0; c < first.tier.size(); ++c) {
    if (first.tier[c] == kNoTier) continue;
    ++total[first.tier[c]];
    if (!IsChurned(now[c], tiers_now.tier[c] != kNoTier)) ++stayed[first.tier[c]];
  }
  std::array<double, kTierCount> retention{};
  for (int t = 0; t < kTierCount; ++t) retention[t] = total[t] ? static_cast<double>(stayed[t]) / total[t] : 0.9;
  return retention;
}

}  // namespace

int64_t LifetimeValue(int64_t yearly_profit_fen, double retention, double discount_rate, int years) {
  double factor = 0, survive = 1, discount = 1;
  for (int t = 1; t <= years; ++t) {
    survive *= retention;
    discount *= 1 + discount_rate;
    factor += survive / discount;
  }
  return std::llround(yearly_profit_fen * factor);
}

Result<AnalysisSummary> RunAnalysis(Store& store, const AnalysisOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto stage = [&](const char* name, int step) {
    if (options.on_stage) options.on_stage(name, step, 8);
  };
  stage("loading facts", 1);
  auto facts_or = FactTables::Load(store);
  if (!facts_or.ok()) return facts_or.status();
  const FactTables& facts = *facts_or;
  if (facts.last_day() == kNoDay) return FailedPrecondition("the store holds no trades, assets or interactions to analyse");
  Date as_of{facts.last_day()};

  stage("customer metrics", 2);
  std::vector<CustomerMetrics> metrics = ComputeCustomerMetrics(facts, as_of, options.metrics);
  TierAssignment tiers = AssignTiers(facts, metrics, as_of);

  stage("value ladder history", 3);
  LadderHistory history = BuildLadderHistory(facts, options.ladder_months, options.metrics);
  std::array<double, kTierCount> retention = TierRetention(history, metrics, tiers);

  stage("customer segments", 4);
  std::vector<bool> live(facts.customer_count());
  for (size_t c = 0; c < live.size(); ++c) live[c] = tiers.tier[c] != kNoTier && !IsChurned(metrics[c], true);
  Segmentation segments = SegmentCustomers(facts, metrics, live, as_of, options.clusters);

  stage("churn model", 5);
  std::vector<const ChurnScore*> churn_of(facts.customer_count(), nullptr);
  auto churn = TrainChurnModel(facts, options.churn);
  if (churn.ok()) {
    for (const ChurnScore& score : churn->scores) churn_of[score.customer] = &score;
  }

  stage("KPI scorecards", 6);
  KpiPeriod period = LatestCompleteMonth(facts.last_day(), options.calendar);
  std::vector<KpiRecord> kpis;
  for (KpiLevel level : {KpiLevel::kBranch, KpiLevel::kBroker}) {
    auto card = ComputeKpiScorecard(facts, period, level, options.kpi_weights, options.metrics);
    if (!card.ok()) return card.status();
    for (const KpiRow& row : card->rows) {
      KpiRecord record;
      record.period = period.label;
      record.level = level == KpiLevel::kBranch ? "branch" : "broker";
      record.unit = row.unit;
      record.rank = row.rank;
      record.composite = row.composite;
      record.customers = row.customers_at_end;
      record.new_customers = row.new_customers;
      record.new_rate = row.new_rate;
      record.churned = row.churned;
      record.retention_rate = row.retention_rate;
      record.upgraded = row.upgraded;
      record.upgrade_rate = row.upgrade_rate;
      record.average_profit.fen = std::llround(row.average_profit_fen);
      kpis.push_back(std::move(record));
    }
  }

  stage("customer scores", 7);
  AnalysisSummary summary;
  summary.as_of = as_of;
  summary.customers = static_cast<int64_t>(facts.customer_count());
  summary.trades = static_cast<int64_t>(facts.trades().size());
  summary.retention_by_tier = retention;
  summary.kpi_period = period.label;
  summary.tier_rules = TierRules(metrics, tiers);
  if (churn.ok()) {
    summary.churn_card = churn->card;
    summary.churn_rules = churn->rules;
  } else if (churn.status().code() == StatusCode::kFailedPrecondition) {
    summary.churn_skipped = churn.status().message();
  } else {
    return churn.status();
  }
  std::vector<CustomerScore> scores(facts.customer_count());
  for (uint32_t c = 0; c < facts.customer_count(); ++c) {
    const CustomerMetrics& m = metrics[c];
    CustomerScore& s = scores[c];
    s.customer_id = facts.CustomerId(c);
    s.as_of = as_of;
    s.recency_days = m.recency_days;
    s.frequency = m.frequency;
    s.monetary.fen = m.monetary_fen;
    s.rfm = std::to_string(m.r_score) + std::to_string(m.f_score) + std::to_string(m.m_score);
    s.commission.fen = m.commission_fen;
    s.margin_interest.fen = m.margin_interest_fen;
    s.product_fee.fen = m.product_fee_fen;
    s.profit.fen = m.profit_fen;
    s.latest_assets.fen = m.latest_assets_fen;
    s.average_assets.fen = m.average_assets_fen;
    s.trades_per_month = m.trades_per_month;
    s.turnover_rate = m.turnover_rate;
    s.holding_period_days = m.holding_period_days;
    s.trading_style = EnumCode(m.style);
    if (m.frequency > 0) {
      int best = static_cast<int>(std::max_element(m.channel_mix.begin(), m.channel_mix.end()) - m.channel_mix.begin());
      s.preferred_channel = EnumCode(static_cast<TradeChannel>(best));
    }
    s.loyalty_index = m.loyalty_index;
    s.credit_grade = EnumCode(m.credit_grade);
    s.credit_reasons = JoinReasons(m.credit_reasons);
    s.value_score = tiers.score[c];
    s.cluster = segments.cluster[c];
    if (const ChurnScore* churn_score = churn_of[c]) {
      s.churn_risk = churn_score->risk;
      s.churn_reasons = JoinReasons(churn_score->reasons);
      if (churn_score->risk >= 0.5) ++summary.customers_at_risk;
    }
    if (tiers.tier[c] != kNoTier) {
      s.tier = EnumCode(static_cast<ValueTier>(tiers.tier[c]));
      ++summary.customers_by_tier[tiers.tier[c]];
      double yearly_retention = churn_of[c] ? std::pow(1.0 - churn_of[c]->risk, 365.0 / options.churn.horizon_days)
                                            : retention[tiers.tier[c]];
      s.lifetime_value.fen = LifetimeValue(m.profit_fen, yearly_retention, options.discount_rate,
                                           options.lifetime_years);
    }
  }
  std::vector<TierRecord> tier_records;
  for (const TierAssignment& month : history.months) {
    for (uint32_t c = 0; c < month.tier.size(); ++c) {
      if (month.tier[c] == kNoTier) continue;
      tier_records.push_back({facts.CustomerId(c), month.as_of,
                              std::string(EnumCode(static_cast<ValueTier>(month.tier[c]))), month.score[c]});
    }
  }
  if (!history.moves.empty()) {
    const auto& moves = history.moves.back();
    for (int from = 0; from < kTierCount; ++from) {
      for (int to = 0; to < kTierCount; ++to) {
        if (to > from) summary.upgrades_last_month += moves[from][to];
        if (to < from) summary.downgrades_last_month += moves[from][to];
      }
    }
  }

  stage("saving results", 8);
  if (churn.ok()) {
    StoredModel model;
    model.name = "churn";
    model.version = churn->card.version;
    model.created_at = CurrentTime();
    model.card_json = churn->card.ToJson();
    model.card_text = churn->card.Print();
    model.rules_text = RulesText(churn->rules, {"stays", "churns"});
    model.model_json = churn->model_json;
    auto saved = store.SaveModel(model);
    if (!saved.ok()) return saved.status();
  }
  {
    std::vector<std::string> tier_names;
    for (int t = 0; t < kTierCount; ++t) tier_names.emplace_back(EnumCode(static_cast<ValueTier>(t)));
    StoredModel rules;
    rules.name = "tier_rules";
    rules.version = "tier-rules-" + FormatDate(as_of);
    rules.created_at = CurrentTime();
    rules.card_json = "{\"name\":\"tier_rules\",\"rules\":" + std::to_string(summary.tier_rules.rules.size()) +
                      ",\"training_accuracy\":" + FormatFieldValue(summary.tier_rules.accuracy) + "}";
    rules.card_text = "Decision tree (depth 4) for the value tier as of " + FormatDate(as_of) + "\n";
    rules.rules_text = RulesText(summary.tier_rules, tier_names);
    auto saved = store.SaveModel(rules);
    if (!saved.ok()) return saved.status();
  }
  AnalysisRun run;
  run.computed_at = CurrentTime();
  run.as_of = as_of;
  run.customers = summary.customers;
  run.summary = "value ladder, RFM, profit, behaviour, loyalty, credit, lifetime value, KPI " + period.label +
                (churn.ok() ? ", churn model " + churn->card.version : ", no churn model: " + summary.churn_skipped);
  std::vector<ClusterRecord> cluster_records;
  for (const ClusterProfile& profile : segments.profiles) {
    std::string json = "{\"means\":{";
    for (size_t f = 0; f < profile.means.size(); ++f) {
      json += (f ? ",\"" : "\"") + SegmentFeatureNames()[f] + "\":" + FormatFieldValue(profile.means[f]);
    }
    json += "},\"distinguishing\":{";
    for (size_t f = 0; f < profile.distinguishing.size(); ++f) {
      json += (f ? ",\"" : "\"") + profile.distinguishing[f].first + "\":" +
              FormatFieldValue(profile.distinguishing[f].second);
    }
    json += "}}";
    cluster_records.push_back({0, profile.cluster, profile.size, profile.label, json});
  }
  summary.clusters = segments.profiles;
  summary.silhouettes = segments.silhouettes;
  auto run_id = store.SaveAnalysis(run, scores, tier_records, kpis, cluster_records);
  if (!run_id.ok()) return run_id.status();
  summary.run_id = *run_id;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace fincrm
