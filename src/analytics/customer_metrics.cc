#include "analytics/customer_metrics.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/money.h"

namespace fincrm {
namespace {

constexpr int kSlots = 12;  // months in the window, 0 = the month of as_of

// Per customer: the latest snapshot in each month of the window.
struct MonthlyAssets {
  std::array<int32_t, kSlots> day;
  std::array<int64_t, kSlots> total{}, funds{}, margin{};
  MonthlyAssets() { day.fill(kNoDay); }
};

int MonthNumber(int32_t day) {
  int year;
  unsigned month, d;
  CivilFromDays(day, year, month, d);
  return year * 12 + static_cast<int>(month) - 1;
}

// Month slot (0 = the month of `end`, capped at kSlots - 1) of each day in the window.
std::vector<int8_t> MonthSlots(int32_t end, int window_days) {
  const int end_month = MonthNumber(end);
  std::vector<int8_t> slot_of(window_days);
  for (int offset = 0; offset < window_days; ++offset) {
    int slot = end_month - MonthNumber(end - offset);
    slot_of[offset] = static_cast<int8_t>(std::min(slot, kSlots - 1));
  }
  return slot_of;
}

// Monthly averages times the share of the year the months cover.
AssetIncome IncomeFrom(int64_t margin_sum, int64_t funds_sum, int months, const MetricsConfig& config) {
  AssetIncome income;
  if (months == 0) return income;
  income.margin_interest_fen =
      std::llround(static_cast<double>(margin_sum) / months * config.margin_interest_rate * months / 12.0);
  income.product_fee_fen = std::llround(static_cast<double>(funds_sum) / months * config.fund_fee_rate * months / 12.0);
  return income;
}

std::string Yuan(int64_t fen) { return FormatYuanGrouped(Money{fen}); }

void GradeCredit(const CustomerAttributes& a, CustomerMetrics& m) {
  // Margin financing rules (融资融券): at least 500,000 yuan of assets and six months
  // of trading experience; beyond that, points for strength.
  // The console shows these sentences in Chinese by pattern (web/src/reasons.ts): change both together.
  std::vector<std::string>& why = m.credit_reasons;
  int points = 0;
  bool eligible = true;
  if (m.latest_assets_fen >= 50000000) {
    points += 30;
    why.push_back("assets " + Yuan(m.latest_assets_fen) + " yuan meet the 500,000 yuan threshold");
  } else {
    eligible = false;
    why.push_back("assets " + Yuan(m.latest_assets_fen) + " yuan are below the 500,000 yuan threshold");
  }
  double months_open = m.tenure_years * 12;
  if (months_open >= 6 && m.active_months >= 6) {
    points += 20;
    why.push_back("traded in " + std::to_string(m.active_months) + " of the last 12 months");
  } else if (months_open >= 6 && m.frequency > 0) {
    points += 10;
    why.push_back("traded in only " + std::to_string(m.active_months) + " of the last 12 months");
  } else {
    eligible = false;
    why.push_back("less than six months of trading experience");
  }
  if (m.margin_debt_fen > 0) {
    double ratio = m.latest_assets_fen > 0 ? static_cast<double>(m.margin_debt_fen) / m.latest_assets_fen : 1;
    if (ratio > 0.5) {
      points -= 20;
      why.push_back("margin debt is " + std::to_string(static_cast<int>(ratio * 100)) + "% of assets");
    } else if (ratio > 0.2) {
      points -= 10;
      why.push_back("margin debt is " + std::to_string(static_cast<int>(ratio * 100)) + "% of assets");
    }
  }
  if (a.risk_level != kNoRiskLevel && a.risk_level >= 2) {
    points += 15;
    why.push_back("risk tolerance C" + std::to_string(a.risk_level + 1) + " suits leverage");
  } else {
    why.push_back(a.risk_level == kNoRiskLevel ? "no suitability assessment on file"
                                               : "risk tolerance C" + std::to_string(a.risk_level + 1) +
                                                     " is too low for leverage");
    if (a.risk_level == kNoRiskLevel) eligible = false;
  }
  if (m.complaints == 0 && a.status == CustomerStatus::kActive) {
    points += 15;
  } else if (m.complaints > 0) {
    why.push_back(std::to_string(m.complaints) + " complaint(s) in 12 months");
  }
  if (a.status != CustomerStatus::kActive) {
    eligible = false;
    why.push_back(std::string("account is ") + std::string(EnumCode(a.status)));
  }
  points += static_cast<int>(m.loyalty_index / 5);  // up to 20
  m.credit_points = points;
  if (!eligible) m.credit_grade = CreditGrade::kE;
  else if (points >= 85) m.credit_grade = CreditGrade::kA;
  else if (points >= 72) m.credit_grade = CreditGrade::kB;
  else if (points >= 60) m.credit_grade = CreditGrade::kC;
  else m.credit_grade = CreditGrade::kD;
}

}  // namespace

std::vector<uint8_t> QuintileScores(const std::vector<double>& values) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint8_t> scores(values.size());
  double n = static_cast<double>(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    double below = std::lower_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin();
    scores[i] = static_cast<uint8_t>(std::min(5.0, 1 + std::floor(5 * below / n)));
  }
  return scores;
}

std::vector<AssetIncome> ComputeAssetIncome(const FactTables& facts, Date as_of, const MetricsConfig& config) {
  const size_t n = facts.customer_count();
  const int32_t end = as_of.days, start = end - config.window_days + 1;
  const std::vector<int8_t> slot_of = MonthSlots(end, config.window_days);
  struct Months {
    std::array<int32_t, kSlots> day;
    std::array<int64_t, kSlots> funds{}, margin{};
    Months() { day.fill(kNoDay); }
  };
  std::vector<Months> months(n);
  const AssetColumns& assets = facts.assets();
  for (size_t i = 0; i < assets.size(); ++i) {
    int32_t day = assets.day[i];
    if (day > end || day < start) continue;
    Months& m = months[assets.customer[i]];
    int slot = slot_of[end - day];
    if (day >= m.day[slot]) {
      m.day[slot] = day;
      m.funds[slot] = assets.funds[i];
      m.margin[slot] = assets.margin_debt[i];
    }
  }
  std::vector<AssetIncome> income(n);
  for (size_t c = 0; c < n; ++c) {
    int count = 0;
    int64_t funds = 0, margin = 0;
    for (int s = 0; s < kSlots; ++s) {
      if (months[c].day[s] == kNoDay) continue;
      ++count;
      funds += months[c].funds[s];
      margin += months[c].margin[s];
    }
    income[c] = IncomeFrom(margin, funds, count, config);
  }
  return income;
}

std::vector<CustomerMetrics> ComputeCustomerMetrics(const FactTables& facts, Date as_of,
                                                    const MetricsConfig& config) {
  const size_t n = facts.customer_count();
  const int32_t end = as_of.days;
  const int32_t start = end - config.window_days + 1;
  std::vector<CustomerMetrics> out(n);

  const std::vector<int8_t> slot_of = MonthSlots(end, config.window_days);

  // Trades.
  std::vector<int32_t> last_trade(n, kNoDay);
  std::vector<uint16_t> active_month_bits(n), engaged_month_bits(n), contacted_month_bits(n);
  std::vector<std::array<int64_t, 4>> product_amount(n);
  std::vector<std::array<int64_t, 5>> channel_count(n);
  const TradeColumns& trades = facts.trades();
  for (size_t i = 0; i < trades.size(); ++i) {
    int32_t day = trades.day[i];
    if (day > end) continue;
    uint32_t c = trades.customer[i];
    if (day > last_trade[c]) last_trade[c] = day;
    if (day < start) continue;
    CustomerMetrics& m = out[c];
    ++m.frequency;
    m.commission_fen += trades.commission[i];
    m.traded_amount_fen += trades.amount[i];
    uint8_t kind = trades.kind[i];
    product_amount[c][static_cast<int>(KindProduct(kind))] += trades.amount[i];
    ++channel_count[c][static_cast<int>(KindChannel(kind))];
    uint16_t bit = static_cast<uint16_t>(1u << slot_of[end - day]);
    active_month_bits[c] |= bit;
    engaged_month_bits[c] |= bit;
  }

  // Assets: the latest snapshot of each month, and the latest overall.
  std::vector<MonthlyAssets> monthly(n);
  std::vector<int32_t> latest_day(n, kNoDay), three_months_day(n, kNoDay);
  std::vector<int64_t> three_months_total(n, 0);
  const int32_t three_months_ago = end - 91;
  const AssetColumns& assets = facts.assets();
  for (size_t i = 0; i < assets.size(); ++i) {
    int32_t day = assets.day[i];
    if (day > end) continue;
    uint32_t c = assets.customer[i];
    if (day >= latest_day[c]) {
      latest_day[c] = day;
      out[c].latest_assets_fen = assets.total[i];
      out[c].margin_debt_fen = assets.margin_debt[i];
    }
    if (day <= three_months_ago && day >= three_months_day[c]) {
      three_months_day[c] = day;
      three_months_total[c] = assets.total[i];
    }
    if (day < start) continue;
    int slot = slot_of[end - day];
    MonthlyAssets& ma = monthly[c];
    if (day >= ma.day[slot]) {
      ma.day[slot] = day;
      ma.total[slot] = assets.total[i];
      ma.funds[slot] = assets.funds[i];
      ma.margin[slot] = assets.margin_debt[i];
    }
  }

  // Interactions: complaints, logins, and months with outbound contact or inbound response.
  const InteractionColumns& contacts = facts.interactions();
  for (size_t i = 0; i < contacts.size(); ++i) {
    int32_t day = contacts.day[i];
    if (day > end || day < start) continue;
    uint32_t c = contacts.customer[i];
    uint16_t bit = static_cast<uint16_t>(1u << slot_of[end - day]);
    if (contacts.type[i] == InteractionType::kComplaint) ++out[c].complaints;
    if (contacts.type[i] == InteractionType::kWebVisit && day > end - 90) ++out[c].logins_90d;
    if (contacts.direction[i] == Direction::kOutbound) contacted_month_bits[c] |= bit;
    else engaged_month_bits[c] |= bit;
  }

  // Per-customer derivations.
  for (size_t c = 0; c < n; ++c) {
    CustomerMetrics& m = out[c];
    const CustomerAttributes& a = facts.Attributes(static_cast<uint32_t>(c));
    m.latest_asset_day = latest_day[c];
    m.recency_days = last_trade[c] == kNoDay ? 9999 : end - last_trade[c];
    m.monetary_fen = m.commission_fen;
    const MonthlyAssets& ma = monthly[c];
    int months = 0;
    int64_t total_sum = 0, funds_sum = 0, margin_sum = 0;
    for (int s = 0; s < kSlots; ++s) {
      if (ma.day[s] == kNoDay) continue;
      ++months;
      total_sum += ma.total[s];
      funds_sum += ma.funds[s];
      margin_sum += ma.margin[s];
      m.peak_assets_fen = std::max(m.peak_assets_fen, ma.total[s]);
    }
    m.peak_assets_fen = std::max(m.peak_assets_fen, m.latest_assets_fen);
    if (months > 0) m.average_assets_fen = total_sum / months;
    AssetIncome income = IncomeFrom(margin_sum, funds_sum, months, config);
    m.margin_interest_fen = income.margin_interest_fen;
    m.product_fee_fen = income.product_fee_fen;
    m.profit_fen = m.commission_fen + m.margin_interest_fen + m.product_fee_fen;
    m.asset_growth_3m = three_months_total[c] > 0
                            ? static_cast<double>(m.latest_assets_fen) / three_months_total[c] - 1
                            : 0;

    // Customers newer than the window are measured over the months they had.
    double months_open = std::clamp((end - a.open_day + 1) / 30.4375, 1.0, config.window_days / 30.4375);
    m.trades_per_month = m.frequency / months_open;
    m.turnover_rate = m.average_assets_fen > 0
                          ? static_cast<double>(m.traded_amount_fen) / m.average_assets_fen * 12 / months_open
                          : 0;
    // A position is bought and sold: half the traded amount turns the book over.
    m.holding_period_days = m.turnover_rate > 0 ? std::min(3650.0, 365.0 * 2 / m.turnover_rate) : 3650.0;
    for (int p = 0; p < 4; ++p) {
      m.product_mix[p] = m.traded_amount_fen > 0
                             ? static_cast<double>(product_amount[c][p]) / m.traded_amount_fen
                             : 0;
    }
    for (int ch = 0; ch < 5; ++ch) {
      m.channel_mix[ch] = m.frequency > 0 ? static_cast<double>(channel_count[c][ch]) / m.frequency : 0;
    }
    m.style = m.frequency == 0          ? TradingStyle::kInactive
              : m.turnover_rate > 12.0  ? TradingStyle::kShortTerm
              : m.turnover_rate >= 2.0  ? TradingStyle::kMediumTerm
                                        : TradingStyle::kLongTerm;

    m.tenure_years = std::max(0, end - a.open_day) / 365.25;
    m.active_months = std::popcount(active_month_bits[c]);
    m.asset_retention = m.peak_assets_fen > 0
                            ? static_cast<double>(m.latest_assets_fen) / m.peak_assets_fen
                            : 0;
    int contacted = std::popcount(contacted_month_bits[c]);
    if (contacted > 0) {
      m.responsiveness =
          static_cast<double>(std::popcount(static_cast<uint16_t>(contacted_month_bits[c] & engaged_month_bits[c]))) /
          contacted;
    }
    m.loyalty_index = 25 * std::min(m.tenure_years, 10.0) / 10 + 25 * m.active_months / 12.0 +
                      20 * m.asset_retention + 15 * std::max(0.0, 1 - m.complaints / 3.0) +
                      15 * m.responsiveness;
    GradeCredit(a, m);
  }

  // RFM quintiles over all customers.
  std::vector<double> recency(n), frequency(n), monetary(n);
  for (size_t c = 0; c < n; ++c) {
    recency[c] = -out[c].recency_days;  // recent is better
    frequency[c] = static_cast<double>(out[c].frequency);
    monetary[c] = static_cast<double>(out[c].monetary_fen);
  }
  std::vector<uint8_t> r = QuintileScores(recency), f = QuintileScores(frequency),
                       mo = QuintileScores(monetary);
  for (size_t c = 0; c < n; ++c) {
    out[c].r_score = r[c];
    out[c].f_score = f[c];
    out[c].m_score = mo[c];
  }
  return out;
}

}  // namespace fincrm
