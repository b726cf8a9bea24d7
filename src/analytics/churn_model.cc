#include "analytics/churn_model.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "analytics/value_ladder.h"
#include "core/money.h"

namespace fincrm {
namespace {

enum Feature {
  kRecencyDays, kTrades90, kTradesPrior90, kTradeTrend, kLogAssets, kAssetChange3m, kAssetRetention,
  kComplaints90, kComplaints12m, kLogins90, kLoginsPrior90, kLoginTrend, kTenureYears, kActiveMonths,
  kLogCommission12m, kTurnover, kLoyalty, kAge, kRiskLevel, kFeatureCount
};

// Causes group features so that the three reasons are three different things.
enum Cause { kTradingDecline, kAssetOutflow, kComplaints, kFewerLogins, kNewCustomer, kLowLoyalty, kProfile, kCauseCount };
constexpr const char* kCauseCodes[kCauseCount] = {"trading_decline", "asset_outflow", "complaints",
                                                  "fewer_logins",    "new_customer",  "low_loyalty", "profile"};
constexpr Cause kCauseOf[kFeatureCount] = {
    kTradingDecline, kTradingDecline, kTradingDecline, kTradingDecline, kAssetOutflow, kAssetOutflow,
    kAssetOutflow,   kComplaints,     kComplaints,     kFewerLogins,    kFewerLogins,  kFewerLogins,
    kNewCustomer,    kTradingDecline, kTradingDecline, kTradingDecline, kLowLoyalty,   kProfile, kProfile};

// Below this risk a customer gets no reasons: "why might they leave" is noise there.
constexpr float kExplainFrom = 0.05f;

struct CutoffData {
  Date cutoff;
  std::vector<uint32_t> customers;  // live on the cutoff
  DenseMatrix x;
  std::vector<float> labels;  // only when labelled
};

// Features of live customers as of `cutoff`.
CutoffData Features(const FactTables& facts, Date cutoff, const MetricsConfig& config) {
  MetricsConfig quarter = config;
  quarter.window_days = 90;
  std::vector<CustomerMetrics> year = ComputeCustomerMetrics(facts, cutoff, config);
  std::vector<CustomerMetrics> recent = ComputeCustomerMetrics(facts, cutoff, quarter);
  std::vector<CustomerMetrics> before = ComputeCustomerMetrics(facts, Date{cutoff.days - 90}, quarter);
  CutoffData data;
  data.cutoff = cutoff;
  data.x.cols = kFeatureCount;
  for (uint32_t c = 0; c < facts.customer_count(); ++c) {
    bool present = PresentOn(facts, year[c], c, cutoff.days);
    if (!present || IsChurned(year[c], present)) continue;
    data.customers.push_back(c);
    const CustomerAttributes& a = facts.Attributes(c);
    std::array<float, kFeatureCount> f;
    f[kRecencyDays] = static_cast<float>(std::min(year[c].recency_days, 400));
    f[kTrades90] = static_cast<float>(recent[c].frequency);
    f[kTradesPrior90] = static_cast<float>(before[c].frequency);
    f[kTradeTrend] = static_cast<float>((recent[c].frequency - before[c].frequency) / (before[c].frequency + 1.0));
    f[kLogAssets] = static_cast<float>(std::log10(1 + year[c].latest_assets_fen / 100.0));
    f[kAssetChange3m] = static_cast<float>(year[c].asset_growth_3m);
    f[kAssetRetention] = static_cast<float>(year[c].asset_retention);
    f[kComplaints90] = static_cast<float>(recent[c].complaints);
    f[kComplaints12m] = static_cast<float>(year[c].complaints);
    f[kLogins90] = static_cast<float>(recent[c].logins_90d);
    f[kLoginsPrior90] = static_cast<float>(before[c].logins_90d);
    f[kLoginTrend] = static_cast<float>((recent[c].logins_90d - before[c].logins_90d) / (before[c].logins_90d + 1.0));
    f[kTenureYears] = static_cast<float>(year[c].tenure_years);
    f[kActiveMonths] = static_cast<float>(year[c].active_months);
    f[kLogCommission12m] = static_cast<float>(std::log10(1 + year[c].commission_fen / 100.0));
    f[kTurnover] = static_cast<float>(year[c].turnover_rate);
    f[kLoyalty] = static_cast<float>(year[c].loyalty_index);
    f[kAge] = a.birth_day == kNoDay ? std::nanf("") : static_cast<float>((cutoff.days - a.birth_day) / 365.25);
    f[kRiskLevel] = a.risk_level == kNoRiskLevel ? std::nanf("") : static_cast<float>(a.risk_level);
    data.x.values.insert(data.x.values.end(), f.begin(), f.end());
  }
  data.x.rows = data.customers.size();
  return data;
}

// Labels: churned by cutoff + horizon.
void Label(const FactTables& facts, CutoffData& data, int horizon_days, const MetricsConfig& config) {
  Date later{data.cutoff.days + horizon_days};
  std::vector<CustomerMetrics> then = ComputeCustomerMetrics(facts, later, config);
  data.labels.resize(data.customers.size());
  for (size_t i = 0; i < data.customers.size(); ++i) {
    uint32_t c = data.customers[i];
    data.labels[i] = IsChurned(then[c], PresentOn(facts, then[c], c, later.days)) ? 1.0f : 0.0f;
  }
}

void Append(CutoffData& into, const CutoffData& more) {
  into.x.values.insert(into.x.values.end(), more.x.values.begin(), more.x.values.end());
  into.x.rows += more.x.rows;
  into.x.cols = kFeatureCount;
  into.labels.insert(into.labels.end(), more.labels.begin(), more.labels.end());
}

std::string Percent(double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%"; }

// The console shows these sentences in Chinese by pattern (web/src/reasons.ts): change both together.
std::string Explain(Cause cause, const float* f) {
  auto count = [](float v) { return std::to_string(static_cast<int>(v)); };
  switch (cause) {
    case kTradingDecline:
      if (f[kTrades90] < f[kTradesPrior90]) {
        return "trading fell: " + count(f[kTrades90]) + " trades in the last 90 days against " +
               count(f[kTradesPrior90]) + " in the 90 before";
      }
      if (f[kRecencyDays] >= 365) return "no trade in over a year";
      if (f[kRecencyDays] >= 60) return "no trade for " + count(f[kRecencyDays]) + " days";
      return "little trading: active in " + count(f[kActiveMonths]) + " of the last 12 months";
    case kAssetOutflow:
      if (f[kAssetChange3m] < -0.05f) return "assets fell " + Percent(-f[kAssetChange3m]) + " in 3 months";
      if (f[kAssetRetention] < 0.7f) return "assets are at " + Percent(f[kAssetRetention]) + " of their 12-month peak";
      return "small account: " + FormatYuanGrouped(Money{static_cast<int64_t>(std::pow(10.0, f[kLogAssets]) * 100)}) +
             " yuan";
    case kComplaints:
      if (f[kComplaints90] > 0) return count(f[kComplaints90]) + " complaint(s) in the last 90 days";
      if (f[kComplaints12m] > 0) return count(f[kComplaints12m]) + " complaint(s) in 12 months";
      return "";
    case kFewerLogins:
      if (f[kLogins90] < f[kLoginsPrior90]) {
        return "fewer logins: " + count(f[kLogins90]) + " app/web visits in 90 days against " +
               count(f[kLoginsPrior90]) + " before";
      }
      return "rarely logs in: " + count(f[kLogins90]) + " app/web visits in 90 days";
    case kNewCustomer: {
      char text[64];
      std::snprintf(text, sizeof text, "new relationship: customer for %.1f years", f[kTenureYears]);
      return text;
    }
    case kLowLoyalty: return "low loyalty index " + count(f[kLoyalty]);
    case kProfile: return "profile (age, risk tolerance) resembles customers who left";
    case kCauseCount: break;
  }
  return "";
}

Status WriteFloats(const std::string& path, const std::vector<float>& values) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Unavailable("cannot write " + path);
  bool ok = std::fwrite(values.data(), sizeof(float), values.size(), file) == values.size();
  ok = std::fclose(file) == 0 && ok;
  return ok ? Status::Ok() : Unavailable("cannot write " + path);
}

Status Export(const std::string& directory, const CutoffData& training, const CutoffData& validation) {
  FINCRM_RETURN_IF_ERROR(WriteFloats(directory + "/train_x.f32", training.x.values));
  FINCRM_RETURN_IF_ERROR(WriteFloats(directory + "/train_y.f32", training.labels));
  FINCRM_RETURN_IF_ERROR(WriteFloats(directory + "/valid_x.f32", validation.x.values));
  FINCRM_RETURN_IF_ERROR(WriteFloats(directory + "/valid_y.f32", validation.labels));
  std::FILE* shape = std::fopen((directory + "/shape.txt").c_str(), "w");
  if (!shape) return Unavailable("cannot write " + directory + "/shape.txt");
  std::fprintf(shape, "%zu %zu %zu\n", training.x.rows, validation.x.rows, static_cast<size_t>(kFeatureCount));
  std::fclose(shape);
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& ChurnFeatureNames() {
  static const std::vector<std::string> kNames = {
      "recency_days", "trades_90d", "trades_prior_90d", "trade_trend", "log_assets", "asset_change_3m",
      "asset_retention", "complaints_90d", "complaints_12m", "logins_90d", "logins_prior_90d", "login_trend",
      "tenure_years", "active_months", "log_commission_12m", "turnover_rate", "loyalty_index", "age", "risk_level"};
  return kNames;
}

Result<std::vector<ChurnScore>> ScoreChurn(const FactTables& facts, const BoostedTrees& model, Date as_of,
                                           const MetricsConfig& metrics, const std::vector<uint8_t>* explain) {
  CutoffData now = Features(facts, as_of, metrics);
  std::vector<ChurnScore> scores;
  if (now.x.rows == 0) return scores;
  auto risk = model.Predict(now.x);
  if (!risk.ok()) return risk.status();
  // The rows to explain: all, or the flagged customers' rows copied into a smaller matrix.
  std::vector<size_t> explained;
  DenseMatrix subset;
  const DenseMatrix* to_explain = &now.x;
  if (explain) {
    subset.cols = now.x.cols;
    for (size_t i = 0; i < now.customers.size(); ++i) {
      uint32_t c = now.customers[i];
      if (c < explain->size() && (*explain)[c] && (*risk)[i] >= kExplainFrom) {
        explained.push_back(i);
        subset.values.insert(subset.values.end(), now.x.Row(i), now.x.Row(i) + now.x.cols);
      }
    }
    subset.rows = explained.size();
    to_explain = &subset;
  } else {
    explained.resize(now.customers.size());
    for (size_t i = 0; i < explained.size(); ++i) explained[i] = i;
  }
  std::vector<float> contributions;
  if (to_explain->rows > 0) {
    auto computed = model.Contributions(*to_explain, /*approximate=*/true);
    if (!computed.ok()) return computed.status();
    contributions = std::move(*computed);
  }
  scores.resize(now.customers.size());
  for (size_t i = 0; i < now.customers.size(); ++i) {
    scores[i].customer = now.customers[i];
    scores[i].risk = (*risk)[i];
  }
  for (size_t k = 0; k < explained.size(); ++k) {
    size_t i = explained[k];
    ChurnScore& s = scores[i];
    std::array<double, kCauseCount> by_cause{};
    const float* row = contributions.data() + k * (kFeatureCount + 1);
    for (int f = 0; f < kFeatureCount; ++f) by_cause[kCauseOf[f]] += row[f];
    std::array<int, kCauseCount> order;
    for (int c = 0; c < kCauseCount; ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return by_cause[a] > by_cause[b]; });
    // Reasons for customers at some risk: the causes that raise it most, in words,
    // leaving out a cause whose facts do not support a sentence (no complaints).
    if (s.risk < kExplainFrom) continue;
    for (int c = 0; c < kCauseCount && s.reasons.size() < 3; ++c) {
      if (by_cause[order[c]] <= 0.01) break;  // only causes that raise the risk
      std::string reason = Explain(static_cast<Cause>(order[c]), now.x.Row(i));
      if (reason.empty()) continue;
      s.causes.emplace_back(kCauseCodes[order[c]]);
      s.reasons.push_back(std::move(reason));
    }
  }
  return scores;
}

Result<ChurnModelResult> TrainChurnModel(const FactTables& facts, const ChurnOptions& options) {
  if (facts.last_day() == kNoDay) return FailedPrecondition("no facts to learn churn from");
  int32_t last = facts.last_day();
  Date validation_cutoff{last - options.horizon_days};
  CutoffData training;
  training.x.cols = kFeatureCount;
  std::string training_dates;
  for (int k = 0; k < options.training_cutoffs; ++k) {
    Date cutoff{validation_cutoff.days - options.horizon_days - 30 * k};
    CutoffData data = Features(facts, cutoff, options.metrics);
    Label(facts, data, options.horizon_days, options.metrics);
    Append(training, data);
    training_dates += (training_dates.empty() ? "" : ", ") + FormatDate(cutoff);
  }
  CutoffData validation = Features(facts, validation_cutoff, options.metrics);
  Label(facts, validation, options.horizon_days, options.metrics);
  int64_t positives = std::count(training.labels.begin(), training.labels.end(), 1.0f);
  int64_t validation_positives = std::count(validation.labels.begin(), validation.labels.end(), 1.0f);
  if (training.x.rows == 0 || positives == 0 || validation_positives == 0) {
    return FailedPrecondition("the history holds no churn to learn from: it needs at least " +
                              std::to_string(options.horizon_days * 2 + 30 * options.training_cutoffs) +
                              " days with customers leaving");
  }
  if (!options.export_directory.empty()) {
    FINCRM_RETURN_IF_ERROR(Export(options.export_directory, training, validation));
  }
  auto model = BoostedTrees::Train(training.x, training.labels, options.params);
  if (!model.ok()) return model.status();
  auto predicted = model->Predict(validation.x);
  if (!predicted.ok()) return predicted.status();

  ChurnModelResult result;
  ModelCard& card = result.card;
  card.name = "churn";
  card.trained_at = FormatTimestamp(CurrentTime());
  card.version = "churn-" + FormatDate(Date{last}) + "-" + card.trained_at.substr(11, 8);
  card.label = "live customer gone, or assets below 10% of the 12-month peak with no trade for 90 days, within " +
               std::to_string(options.horizon_days) + " days";
  card.evaluation = "out of time: trained on cutoffs " + training_dates + ", validated on cutoff " +
                    FormatDate(validation_cutoff) + " (" + std::to_string(validation.x.rows) + " customers, " +
                    std::to_string(validation_positives) + " churned)";
  card.training_rows = static_cast<int64_t>(training.x.rows);
  card.positives = positives;
  card.features = kFeatureCount;
  card.roc_auc = RocAuc(*predicted, validation.labels);
  card.pr_auc = PrAuc(*predicted, validation.labels);
  card.top_decile_lift = TopDecileLift(*predicted, validation.labels);
  card.calibration = Calibration(*predicted, validation.labels);
  card.parameters = "boosted trees: " + std::to_string(options.params.rounds) + " rounds, depth " +
                    std::to_string(options.params.max_depth) + "; scoring model retrained with the validation cutoff";
  auto contributions = model->Contributions(validation.x, /*approximate=*/true);
  if (!contributions.ok()) return contributions.status();
  std::vector<double> importance(kFeatureCount, 0);
  for (size_t r = 0; r < validation.x.rows; ++r) {
    for (int f = 0; f < kFeatureCount; ++f) {
      importance[f] += std::fabs((*contributions)[r * (kFeatureCount + 1) + f]) / validation.x.rows;
    }
  }
  for (int f = 0; f < kFeatureCount; ++f) card.importance.emplace_back(ChurnFeatureNames()[f], importance[f]);
  std::stable_sort(card.importance.begin(), card.importance.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });

  // The scoring model learns from every labelled cutoff.
  Append(training, validation);
  std::vector<int> classes(training.labels.begin(), training.labels.end());
  result.rules = FitDecisionTree(training.x, classes, 2, ChurnFeatureNames());
  auto final_model = BoostedTrees::Train(training.x, training.labels, options.params);
  if (!final_model.ok()) return final_model.status();
  auto json = final_model->Save();
  if (!json.ok()) return json.status();
  result.model_json = std::move(*json);
  auto scores = ScoreChurn(facts, *final_model, Date{last}, options.metrics);
  if (!scores.ok()) return scores.status();
  result.scores = std::move(*scores);
  return result;
}

}  // namespace fincrm
