#include "analytics/value_ladder.h"

#include <algorithm>

namespace fincrm {
namespace {

// Mid-rank percentile of each present value among present values.
std::vector<double> Percentiles(const std::vector<double>& values, const std::vector<bool>& present) {
  std::vector<double> sorted;
  for (size_t i = 0; i < values.size(); ++i) {
    if (present[i]) sorted.push_back(values[i]);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> out(values.size(), 0);
  if (sorted.empty()) return out;
  double n = static_cast<double>(sorted.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!present[i]) continue;
    auto range = std::equal_range(sorted.begin(), sorted.end(), values[i]);
    double below = range.first - sorted.begin();
    double equal = range.second - range.first;
    out[i] = (below + 0.5 * equal) / n;
  }
  return out;
}

}  // namespace

bool PresentOn(const FactTables& facts, const CustomerMetrics& metrics, uint32_t customer, int32_t day) {
  const CustomerAttributes& a = facts.Attributes(customer);
  if (a.open_day > day) return false;
  // Snapshots come at least monthly while an account is open; closed accounts stop
  // having them. A customer with no snapshot at all (just opened) is present.
  if (metrics.latest_asset_day != kNoDay) return metrics.latest_asset_day >= day - 45 || metrics.recency_days <= 45;
  return a.status != CustomerStatus::kClosed || metrics.recency_days <= 45;
}

TierAssignment AssignTiers(const FactTables& facts, const std::vector<CustomerMetrics>& metrics,
                           Date as_of) {
  size_t n = metrics.size();
  std::vector<bool> present(n);
  std::vector<double> profit(n), assets(n), growth(n);
  for (size_t c = 0; c < n; ++c) {
    present[c] = PresentOn(facts, metrics[c], static_cast<uint32_t>(c), as_of.days);
    profit[c] = static_cast<double>(metrics[c].profit_fen);
    assets[c] = static_cast<double>(metrics[c].latest_assets_fen);
    growth[c] = metrics[c].asset_growth_3m;
  }
  std::vector<double> profit_pct = Percentiles(profit, present);
  std::vector<double> assets_pct = Percentiles(assets, present);
  std::vector<double> growth_pct = Percentiles(growth, present);
  TierAssignment result;
  result.as_of = as_of;
  result.score.assign(n, 0);
  result.tier.assign(n, kNoTier);
  for (size_t c = 0; c < n; ++c) {
    if (!present[c]) continue;
    double potential = 0.6 * assets_pct[c] + 0.4 * growth_pct[c];
    double score = 0.5 * profit_pct[c] + 0.3 * potential + 0.2 * metrics[c].loyalty_index / 100;
    result.score[c] = score;
    ValueTier tier = score >= 0.85   ? ValueTier::kDiamond
                     : score >= 0.70 ? ValueTier::kPlatinum
                     : score >= 0.55 ? ValueTier::kGold
                     : score >= 0.35 ? ValueTier::kSilver
                                     : ValueTier::kBronze;
    result.tier[c] = static_cast<int8_t>(tier);
  }
  return result;
}

std::vector<Date> MonthEnds(int32_t last_day, int months) {
  int year;
  unsigned month, day;
  CivilFromDays(last_day, year, month, day);
  std::vector<Date> ends;
  ends.push_back(Date{last_day});
  for (int i = 1; i < months; ++i) {
    // The day before the first of the month after (year, month - i).
    int index = year * 12 + static_cast<int>(month) - 1 - i;
    int y = index / 12;
    unsigned m = index % 12 + 1;
    int32_t first_of_next = m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1);
    ends.push_back(Date{first_of_next - 1});
  }
  std::reverse(ends.begin(), ends.end());
  return ends;
}

LadderHistory BuildLadderHistory(const FactTables& facts, int months, const MetricsConfig& config) {
  LadderHistory history;
  if (facts.last_day() == kNoDay) return history;
  for (Date end : MonthEnds(facts.last_day(), months)) {
    std::vector<CustomerMetrics> metrics = ComputeCustomerMetrics(facts, end, config);
    history.months.push_back(AssignTiers(facts, metrics, end));
  }
  for (size_t i = 0; i + 1 < history.months.size(); ++i) {
    auto& moves = history.moves.emplace_back();
    for (auto& row : moves) row.fill(0);
    const auto& from = history.months[i].tier;
    const auto& to = history.months[i + 1].tier;
    for (size_t c = 0; c < from.size(); ++c) {
      if (from[c] != kNoTier && to[c] != kNoTier) ++moves[from[c]][to[c]];
    }
  }
  return history;
}

}  // namespace fincrm
