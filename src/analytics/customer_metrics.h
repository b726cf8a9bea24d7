// Per-customer metrics as of a date: value (RFM, profit contribution), behaviour,
// loyalty and credit. Definitions are in docs/analytics.md; every number here is
// reproducible from the facts and the MetricsConfig.
//
// Thread-safe: a pure function of its inputs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/fact_tables.h"

namespace fincrm {

struct MetricsConfig {
  int window_days = 365;               // "the last 12 months"
  double margin_interest_rate = 0.065; // yearly financing rate charged on margin debt
  double fund_fee_rate = 0.005;        // yearly fee share earned on fund holdings
};

enum class TradingStyle { kInactive, kLongTerm, kMediumTerm, kShortTerm };
template <> struct EnumInfo<TradingStyle> {
  static constexpr std::string_view kTypeName = "trading style";
  static constexpr EnumName kNames[] = {{0, "inactive", "不活跃"},
                                        {1, "long_term", "长线"},
                                        {2, "medium_term", "中线"},
                                        {3, "short_term", "短线"}};
};

enum class CreditGrade { kA, kB, kC, kD, kE };
template <> struct EnumInfo<CreditGrade> {
  static constexpr std::string_view kTypeName = "credit grade";
  static constexpr EnumName kNames[] = {
      {0, "A", "优"}, {1, "B", "良"}, {2, "C", "中"}, {3, "D", "差"}, {4, "E", "不具备资格"}};
};

struct CustomerMetrics {
  // Value (客户价值分析)
  int32_t recency_days = 0;  // since the last trade; 9999 when never traded
  int64_t frequency = 0;     // trades in the window
  int64_t monetary_fen = 0;  // commission in the window
  uint8_t r_score = 1, f_score = 1, m_score = 1;  // quintiles, 5 best
  int64_t commission_fen = 0;
  int64_t margin_interest_fen = 0;
  int64_t product_fee_fen = 0;
  int64_t profit_fen = 0;  // commission + margin interest + product fees (利润贡献)
  int64_t latest_assets_fen = 0;
  int64_t average_assets_fen = 0;
  int64_t peak_assets_fen = 0;
  int64_t margin_debt_fen = 0;  // at the latest snapshot
  int32_t latest_asset_day = kNoDay;
  double asset_growth_3m = 0;  // latest / three months earlier - 1
  // Behaviour (客户行为分析)
  int64_t traded_amount_fen = 0;
  double trades_per_month = 0;
  double turnover_rate = 0;  // traded amount / average assets, per year
  double holding_period_days = 0;
  std::array<double, 4> product_mix{};  // share of traded amount by ProductType
  std::array<double, 5> channel_mix{};  // share of trades by TradeChannel
  TradingStyle style = TradingStyle::kInactive;
  // Loyalty (客户忠诚度分析)
  double tenure_years = 0;
  int active_months = 0;        // months of the window with a trade
  double asset_retention = 0;   // latest / peak assets in the window
  int complaints = 0;
  double responsiveness = 0.5;  // share of contacted months with a response
  int logins_90d = 0;           // app and website visits in the last 90 days
  double loyalty_index = 0;     // 0..100
  // Credit (客户信用分析), for margin financing
  CreditGrade credit_grade = CreditGrade::kE;
  int credit_points = 0;
  std::vector<std::string> credit_reasons;
};

// Income earned on holdings over the window: margin interest and fund fees, from the
// latest snapshot of each month (definitions in docs/analytics.md).
struct AssetIncome {
  int64_t margin_interest_fen = 0;
  int64_t product_fee_fen = 0;
};
std::vector<AssetIncome> ComputeAssetIncome(const FactTables& facts, Date as_of, const MetricsConfig& config = {});

// Metrics of every customer (indexed like FactTables) as of the end of `as_of`.
std::vector<CustomerMetrics> ComputeCustomerMetrics(const FactTables& facts, Date as_of,
                                                    const MetricsConfig& config = {});

// The churn definition (流失): gone (no longer present), or assets below 10% of
// their 12-month peak with no trade for 90 days.
inline bool IsChurned(const CustomerMetrics& m, bool present) {
  return !present || (m.latest_assets_fen * 10 < m.peak_assets_fen && m.recency_days >= 90);
}

// 1 + how many fifths of `values` lie strictly below each value (ties share a score).
std::vector<uint8_t> QuintileScores(const std::vector<double>& values);

}  // namespace fincrm
