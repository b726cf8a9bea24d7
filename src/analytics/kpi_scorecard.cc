#include "analytics/kpi_scorecard.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace fincrm {
namespace {

int32_t LastDayOfMonth(int year, unsigned month) {
  return month == 12 ? DaysFromCivil(year + 1, 1, 1) - 1 : DaysFromCivil(year, month + 1, 1) - 1;
}

bool ParseInt(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

void MinMaxScores(std::vector<KpiRow>& rows, double KpiRow::*value, double KpiRow::*score) {
  if (rows.empty()) return;
  auto [lo, hi] = std::minmax_element(rows.begin(), rows.end(),
                                      [&](const KpiRow& a, const KpiRow& b) { return a.*value < b.*value; });
  double low = (*lo).*value, high = (*hi).*value;
  for (KpiRow& row : rows) row.*score = high > low ? 100 * (row.*value - low) / (high - low) : 50;
}

}  // namespace

Result<KpiPeriod> ParseKpiPeriod(std::string_view text) {
  auto fail = [&] {
    return InvalidArgument("'" + std::string(text) + "' is not a period: use YYYY-MM, YYYY-Qn or YYYY",
                           "period");
  };
  int year = 0;
  if (text.size() < 4 || !ParseInt(text.substr(0, 4), year) || year < 1990 || year > 2200) return fail();
  if (text.size() == 4) {
    return KpiPeriod{Date{DaysFromCivil(year, 1, 1)}, Date{DaysFromCivil(year, 12, 31)}, std::string(text)};
  }
  if (text.size() == 7 && text[4] == '-' && (text[5] == 'Q' || text[5] == 'q')) {
    int quarter = text[6] - '0';
    if (quarter < 1 || quarter > 4) return fail();
    unsigned first = static_cast<unsigned>(quarter * 3 - 2);
    return KpiPeriod{Date{DaysFromCivil(year, first, 1)}, Date{LastDayOfMonth(year, first + 2)},
                     std::to_string(year) + "-Q" + std::to_string(quarter)};
  }
  int month = 0;
  if (text.size() == 7 && text[4] == '-' && ParseInt(text.substr(5, 2), month) && month >= 1 && month <= 12) {
    return KpiPeriod{Date{DaysFromCivil(year, month, 1)}, Date{LastDayOfMonth(year, month)}, std::string(text)};
  }
  return fail();
}

KpiPeriod LatestCompleteMonth(int32_t last_day, const BusinessCalendar& calendar) {
  int year;
  unsigned month, day;
  CivilFromDays(last_day, year, month, day);
  bool trading_day_left = false;
  for (int32_t d = last_day + 1; d <= LastDayOfMonth(year, month); ++d) {
    if (calendar.IsTradingDay(Date{d})) trading_day_left = true;
  }
  if (trading_day_left) {
    if (month == 1) {
      month = 12;
      --year;
    } else {
      --month;
    }
  }
  char label[8];
  std::snprintf(label, sizeof label, "%04d-%02u", year, month);
  return *ParseKpiPeriod(label);
}

Result<KpiWeights> ParseKpiWeights(std::string_view text) {
  auto fail = [] {
    return InvalidArgument("weights must be four non-negative numbers like 20:30:30:20", "weights");
  };
  std::vector<double> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t colon = std::min(text.find(':', start), text.size());
    std::string piece(text.substr(start, colon - start));
    char* end = nullptr;
    double value = std::strtod(piece.c_str(), &end);
    if (piece.empty() || *end != '\0' || !(value >= 0)) return fail();
    parts.push_back(value);
    start = colon + 1;
  }
  if (parts.size() != 4) return fail();
  if (parts[0] + parts[1] + parts[2] + parts[3] <= 0) {
    return InvalidArgument("weights must not all be zero", "weights");
  }
  return KpiWeights{parts[0], parts[1], parts[2], parts[3]};
}

Result<KpiScorecard> ComputeKpiScorecard(const FactTables& facts, const KpiPeriod& period,
                                         KpiLevel level, const KpiWeights& weights,
                                         const MetricsConfig& config) {
  if (facts.last_day() == kNoDay || period.start.days > facts.last_day()) {
    return InvalidArgument("period " + period.label + " lies after the data (last day " +
                               (facts.last_day() == kNoDay ? std::string("none") : FormatDate(Date{facts.last_day()})) + ")",
                           "period");
  }
  Date before{period.start.days - 1};
  Date end{std::min(period.end.days, facts.last_day())};
  std::vector<CustomerMetrics> at_start = ComputeCustomerMetrics(facts, before, config);
  std::vector<CustomerMetrics> at_end = ComputeCustomerMetrics(facts, end, config);
  MetricsConfig period_config = config;
  period_config.window_days = end.days - period.start.days + 1;
  std::vector<CustomerMetrics> in_period = ComputeCustomerMetrics(facts, end, period_config);
  TierAssignment tiers_start = AssignTiers(facts, at_start, before);
  TierAssignment tiers_end = AssignTiers(facts, at_end, end);

  const Dictionary& units = level == KpiLevel::kBranch ? facts.branches() : facts.brokers();
  std::vector<KpiRow> rows(units.size());
  std::vector<std::array<int64_t, kTierCount>> tier_profit(units.size());
  for (size_t u = 0; u < units.size(); ++u) rows[u].unit = units.Value(static_cast<uint32_t>(u));
  for (uint32_t c = 0; c < facts.customer_count(); ++c) {
    const CustomerAttributes& a = facts.Attributes(c);
    uint32_t unit = level == KpiLevel::kBranch ? a.branch : a.broker;
    if (unit == kNoCode) continue;
    KpiRow& row = rows[unit];
    bool was_present = tiers_start.tier[c] != kNoTier;
    bool is_present = tiers_end.tier[c] != kNoTier;
    if (a.open_day >= period.start.days && a.open_day <= end.days) ++row.new_customers;
    // Customers still live at the start; those churned by the end left in the period.
    if (!IsChurned(at_start[c], was_present)) {
      ++row.customers_at_start;
      if (IsChurned(at_end[c], is_present)) ++row.churned;
      else if (tiers_end.tier[c] > tiers_start.tier[c]) ++row.upgraded;
    }
    if (is_present) {
      ++row.customers_at_end;
      row.profit_fen += in_period[c].profit_fen;
      ++row.customers_by_tier[tiers_end.tier[c]];
      tier_profit[unit][tiers_end.tier[c]] += in_period[c].profit_fen;
    }
  }
  std::vector<KpiRow> scored;
  for (size_t u = 0; u < rows.size(); ++u) {
    KpiRow& row = rows[u];
    if (row.customers_at_start == 0 && row.customers_at_end == 0) continue;  // e.g. head office
    double start = static_cast<double>(std::max<int64_t>(row.customers_at_start, 1));
    row.new_rate = row.new_customers / start;
    row.retention_rate = row.customers_at_start ? 1 - row.churned / start : 1;
    row.upgrade_rate = row.upgraded / start;
    row.average_profit_fen = row.customers_at_end ? static_cast<double>(row.profit_fen) / row.customers_at_end : 0;
    for (int t = 0; t < kTierCount; ++t) {
      row.average_profit_by_tier[t] =
          row.customers_by_tier[t] ? static_cast<double>(tier_profit[u][t]) / row.customers_by_tier[t] : 0;
    }
    scored.push_back(row);
  }
  MinMaxScores(scored, &KpiRow::new_rate, &KpiRow::new_score);
  MinMaxScores(scored, &KpiRow::retention_rate, &KpiRow::retention_score);
  MinMaxScores(scored, &KpiRow::upgrade_rate, &KpiRow::upgrade_score);
  MinMaxScores(scored, &KpiRow::average_profit_fen, &KpiRow::profit_score);
  double total = weights.new_customers + weights.retention + weights.upgrade + weights.profitability;
  for (KpiRow& row : scored) {
    row.composite = (weights.new_customers * row.new_score + weights.retention * row.retention_score +
                     weights.upgrade * row.upgrade_score + weights.profitability * row.profit_score) /
                    total;
  }
  std::stable_sort(scored.begin(), scored.end(), [](const KpiRow& a, const KpiRow& b) {
    return a.composite != b.composite ? a.composite > b.composite : a.unit < b.unit;
  });
  for (size_t i = 0; i < scored.size(); ++i) scored[i].rank = static_cast<int>(i + 1);
  return KpiScorecard{period, level, weights, std::move(scored)};
}

}  // namespace fincrm
