// The OLAP cube (多维数据集): group-by over trade, asset and customer facts with any
// of the dimensions below, filters, roll-up and drill-down (coarser or finer
// dimensions of the same hierarchy: year > quarter > month > day, province > branch
// > broker), top-N, and pivot output. One function serves the CLI and the API.
//
// Measures and their grain:
//   trade_amount, commission, trade_count, active_customers (distinct traders) — trades
//   new_customers — customers, by open date
//   assets — the latest snapshot per customer within each time bucket (or up to `to`)
// Trade-only dimensions (channel, product_type, market) cannot be combined with the
// customer- and asset-grained measures.
// Thread-safe: RunCube only reads its inputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics/fact_tables.h"

namespace fincrm {

enum class CubeDimension {
  kDay, kMonth, kQuarter, kYear, kBranch, kBroker, kProvince, kTier, kCluster, kRiskLevel,
  kChannel, kProductType, kMarket, kAgeBand,
  // "yes" for the customers in CubeQuery::holders (who hold the symbols asked about), "no" otherwise.
  kHolds
};
template <> struct EnumInfo<CubeDimension> {
  static constexpr std::string_view kTypeName = "dimension";
  static constexpr EnumName kNames[] = {
      {0, "day", "日"},          {1, "month", "月"},       {2, "quarter", "季度"},
      {3, "year", "年"},         {4, "branch", "营业部"},  {5, "broker", "经纪人"},
      {6, "province", "省份"},   {7, "tier", "客户阶梯"},  {8, "cluster", "客户群"},
      {9, "risk_level", "风险等级"}, {10, "channel", "渠道"}, {11, "product_type", "品种"},
      {12, "market", "市场"},    {13, "age_band", "年龄段"}, {14, "holds", "持仓"}};
};

enum class CubeMeasure { kTradeAmount, kCommission, kTradeCount, kActiveCustomers, kNewCustomers, kAssets };
template <> struct EnumInfo<CubeMeasure> {
  static constexpr std::string_view kTypeName = "measure";
  static constexpr EnumName kNames[] = {
      {0, "trade_amount", "成交金额"}, {1, "commission", "佣金"},       {2, "trade_count", "成交笔数"},
      {3, "active_customers", "活跃客户数"}, {4, "new_customers", "新增客户数"}, {5, "assets", "资产"}};
};

struct CubeFilter {
  CubeDimension dimension;
  bool negate = false;               // "!=" instead of "="
  std::vector<std::string> values;   // labels as the cube prints them ("gold", "2026-10")
  // Added by the caller's data scope (a branch, a broker), not typed by the user: it may
  // name a unit without facts yet, which then matches nothing.
  bool from_scope = false;
};

struct CubeQuery {
  std::vector<CubeMeasure> measures;
  std::vector<CubeDimension> by;  // at most 4
  std::vector<CubeFilter> filters;
  std::optional<Date> from, to;   // inclusive day range of the facts
  int top = 0;                    // keep the N rows with the largest first measure
  // The customers the `holds` dimension answers "yes" for: the API fills it with the
  // holders of the symbols its `holds=` parameter names (HoldingStore's positions).
  std::vector<std::string> holders;
};

// Parses the CLI/API spelling: measures "commission,trade_amount", by "branch,month",
// where "tier=gold;branch!=B001,B002", from/to "YYYY-MM-DD" or "YYYY-MM".
// Filter values of closed vocabularies (tier, risk level, channel, product type,
// market, age band) may be codes or Chinese labels and come back as codes; times must
// be well formed. InvalidArgument naming the offending part and what it takes.
Result<CubeQuery> ParseCubeQuery(std::string_view measures, std::string_view by,
                                 std::string_view where, std::string_view from,
                                 std::string_view to, int top);

// Customer-level labels the facts do not hold themselves: the value tier and cluster
// from the latest analysis (empty: unknown).
struct CubeContext {
  std::vector<int8_t> tier;       // ValueTier per customer, or -1
  std::vector<int16_t> cluster;   // cluster per customer, or -1
  std::vector<float> churn_risk;  // per customer, the latest (live or stored), or -1
};

// Each customer's tier, cluster and churn risk from the latest analysis (the stored
// scores; -1 where unscored).
Result<CubeContext> LoadCubeContext(Store& store, const FactTables& facts);

struct CubeResult {
  std::vector<std::string> dimensions;  // column names
  std::vector<std::string> measures;
  struct Row {
    std::vector<std::string> keys;
    std::vector<int64_t> values;  // fen for money measures, counts otherwise
  };
  std::vector<Row> rows;  // sorted by keys, or by the first measure with top-N
};

// InvalidArgument when a branch, broker or province filter names none of the facts',
// or the facts to cover span more than 65,000 days.
Result<CubeResult> RunCube(const FactTables& facts, const CubeContext& context, const CubeQuery& query);

// The customers (by index, 1 = selected) that the query's filters admit: every
// customer-grained filter (branch, tier, risk level, holds…), and when it has a
// trade-grained filter (channel, product type, market, a time) or a from/to, at least
// one trade in the range meeting those. Measures and groupings are ignored. The trade
// scan is split between `threads`. InvalidArgument as for RunCube.
Result<std::vector<uint8_t>> SelectCubeCustomers(const FactTables& facts, const CubeContext& context,
                                                 const CubeQuery& query, int threads = 2);

// True for measures in fen (printed as yuan).
bool IsMoneyMeasure(CubeMeasure measure);

}  // namespace fincrm
