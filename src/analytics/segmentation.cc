#include "analytics/segmentation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fincrm {
namespace {

enum SegmentFeature {
  kLogAssets, kTradesPerMonth, kTurnover, kStockShare, kFundShare, kBondShare, kAppWebShare,
  kCounterPhoneShare, kAge, kTenure, kFeatureCount
};

std::string Label(const std::vector<double>& z) {
  std::vector<std::string> words;
  if (z[kTradesPerMonth] > 0.5) words.push_back("active");
  else if (z[kTradesPerMonth] < -0.4) words.push_back("quiet");
  if (z[kLogAssets] > 0.8) words.push_back("wealthy");
  else if (z[kLogAssets] < -0.6) words.push_back("small-account");
  std::string noun = "investor";
  if (z[kTurnover] > 0.6) noun = "short-term trader";
  else if (z[kFundShare] > 0.6) noun = "fund investor";
  else if (z[kBondShare] > 0.6) noun = "bond investor";
  else if (z[kTurnover] < -0.4) noun = "long-term investor";
  std::string label;
  for (const std::string& w : words) label += w + " ";
  label += noun;
  std::vector<std::string> traits;
  if (z[kAppWebShare] > 0.5) traits.push_back("mobile and web");
  if (z[kCounterPhoneShare] > 0.5) traits.push_back("counter and phone");
  if (z[kAge] > 0.8) traits.push_back("senior");
  else if (z[kAge] < -0.8) traits.push_back("young");
  if (z[kTenure] < -0.8) traits.push_back("new");
  for (size_t i = 0; i < traits.size(); ++i) label += (i ? " " : ", ") + traits[i];
  return label;
}

}  // namespace

const std::vector<std::string>& SegmentFeatureNames() {
  static const std::vector<std::string> kNames = {"log_assets", "trades_per_month", "turnover_rate", "stock_share",
                                                  "fund_share", "bond_share", "app_web_share", "counter_phone_share",
                                                  "age", "tenure_years"};
  return kNames;
}

Segmentation SegmentCustomers(const FactTables& facts, const std::vector<CustomerMetrics>& metrics,
                              const std::vector<bool>& present, Date as_of, int k, uint64_t seed) {
  Segmentation result;
  result.cluster.assign(facts.customer_count(), -1);
  std::vector<uint32_t> rows;
  DenseMatrix x;
  x.cols = kFeatureCount;
  for (uint32_t c = 0; c < facts.customer_count(); ++c) {
    if (!present[c]) continue;
    const CustomerMetrics& m = metrics[c];
    const CustomerAttributes& a = facts.Attributes(c);
    float f[kFeatureCount];
    f[kLogAssets] = static_cast<float>(std::log10(1 + m.latest_assets_fen / 100.0));
    f[kTradesPerMonth] = static_cast<float>(std::log1p(m.trades_per_month));
    f[kTurnover] = static_cast<float>(std::log1p(m.turnover_rate));
    f[kStockShare] = static_cast<float>(m.product_mix[0]);
    f[kFundShare] = static_cast<float>(m.product_mix[1]);
    f[kBondShare] = static_cast<float>(m.product_mix[2]);
    f[kAppWebShare] = static_cast<float>(m.channel_mix[2] + m.channel_mix[3]);
    f[kCounterPhoneShare] = static_cast<float>(m.channel_mix[0] + m.channel_mix[1]);
    f[kAge] = a.birth_day == kNoDay ? 45.0f : static_cast<float>((as_of.days - a.birth_day) / 365.25);
    f[kTenure] = static_cast<float>(std::min(m.tenure_years, 20.0));
    x.values.insert(x.values.end(), f, f + kFeatureCount);
    rows.push_back(c);
  }
  x.rows = rows.size();
  if (x.rows < 10) return result;
  DenseMatrix raw = x;
  Standardize(x);

  // Silhouette on a deterministic sample chooses k.
  std::vector<size_t> sample(x.rows);
  std::iota(sample.begin(), sample.end(), 0);
  if (sample.size() > 2000) {
    std::vector<size_t> picked;
    for (size_t i = 0; i < 2000; ++i) picked.push_back(i * sample.size() / 2000);
    sample = picked;
  }
  KMeansOptions options;
  options.seed = seed;
  if (k <= 0) {
    double best = -2;
    for (int candidate = 3; candidate <= 8; ++candidate) {
      options.k = candidate;
      KMeansResult trial = KMeans(x, options);
      double s = Silhouette(x, trial.labels, candidate, sample);
      result.silhouettes.emplace_back(candidate, s);
      if (s > best) {
        best = s;
        k = candidate;
      }
    }
  }
  options.k = k;
  KMeansResult final_result = KMeans(x, options);
  result.k = k;
  result.inertia = final_result.inertia;
  result.profiles.resize(k);
  std::vector<std::vector<double>> raw_sum(k, std::vector<double>(kFeatureCount)), z_sum = raw_sum;
  for (size_t i = 0; i < x.rows; ++i) {
    int c = final_result.labels[i];
    result.cluster[rows[i]] = static_cast<int16_t>(c);
    ++result.profiles[c].size;
    for (int f = 0; f < kFeatureCount; ++f) {
      raw_sum[c][f] += raw.Row(i)[f];
      z_sum[c][f] += x.Row(i)[f];
    }
  }
  // Order clusters by size, largest first, so numbering is stable and readable.
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return result.profiles[a].size > result.profiles[b].size; });
  std::vector<int> renumber(k);
  for (int i = 0; i < k; ++i) renumber[order[i]] = i;
  for (int16_t& c : result.cluster) {
    if (c >= 0) c = static_cast<int16_t>(renumber[c]);
  }
  std::vector<ClusterProfile> profiles(k);
  for (int old = 0; old < k; ++old) {
    ClusterProfile& p = profiles[renumber[old]];
    p.cluster = renumber[old];
    p.size = result.profiles[old].size;
    std::vector<double> z(kFeatureCount);
    for (int f = 0; f < kFeatureCount; ++f) {
      p.means.push_back(p.size ? raw_sum[old][f] / p.size : 0);
      z[f] = p.size ? z_sum[old][f] / p.size : 0;
      p.distinguishing.emplace_back(SegmentFeatureNames()[f], z[f]);
    }
    std::stable_sort(p.distinguishing.begin(), p.distinguishing.end(),
                     [](const auto& a, const auto& b) { return std::fabs(a.second) > std::fabs(b.second); });
    p.distinguishing.resize(3);
    p.label = Label(z);
  }
  result.profiles = std::move(profiles);
  return result;
}

}  // namespace fincrm
