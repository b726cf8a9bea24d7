// The value ladder (客户阶梯): five named tiers from a value score that combines what
// a customer contributes now, what they could contribute (potential) and how loyal
// they are — explicitly not assets alone, unlike the old big/medium/retail split.
//
//   value score = 0.5 × pct(profit contribution, 12 months)
//               + 0.3 × potential,  potential = 0.6 × pct(assets) + 0.4 × pct(3-month asset growth)
//               + 0.2 × loyalty index / 100
//
// pct() is the customer's mid-rank percentile among customers present on the date.
// Tiers: Diamond ≥ 0.85, Platinum ≥ 0.70, Gold ≥ 0.55, Silver ≥ 0.35, Bronze below.
// Assigned at every month end, so that moves between tiers can be counted.
// Thread-safe: pure functions.
#pragma once

#include <array>
#include <vector>

#include "analytics/customer_metrics.h"

namespace fincrm {

enum class ValueTier { kBronze, kSilver, kGold, kPlatinum, kDiamond };  // ascending value
template <> struct EnumInfo<ValueTier> {
  static constexpr std::string_view kTypeName = "value tier";
  static constexpr EnumName kNames[] = {{0, "bronze", "青铜"},
                                        {1, "silver", "白银"},
                                        {2, "gold", "黄金"},
                                        {3, "platinum", "铂金"},
                                        {4, "diamond", "钻石"}};
};
inline constexpr int kTierCount = 5;
inline constexpr int8_t kNoTier = -1;  // not a customer on that date

struct TierAssignment {
  Date as_of;
  std::vector<double> score;  // per customer; 0 when absent
  std::vector<int8_t> tier;   // ValueTier as int, or kNoTier
};

// Whether the customer held an account on `day`: opened by then and with a recent
// asset snapshot or trade (closed customers stop having either).
bool PresentOn(const FactTables& facts, const CustomerMetrics& metrics, uint32_t customer, int32_t day);

TierAssignment AssignTiers(const FactTables& facts, const std::vector<CustomerMetrics>& metrics,
                           Date as_of);

// Tiers at each of the last `months` month ends up to the facts' last day (the last
// entry is as of the last day itself), oldest first.
struct LadderHistory {
  std::vector<TierAssignment> months;
  // moves[i][from][to]: customers that went from tier `from` at month i to `to` at
  // month i+1 (both present).
  std::vector<std::array<std::array<int64_t, kTierCount>, kTierCount>> moves;
};
LadderHistory BuildLadderHistory(const FactTables& facts, int months, const MetricsConfig& config = {});

// Month ends (last calendar day) of the `months` months up to `last_day`, oldest
// first; the newest is `last_day` itself.
std::vector<Date> MonthEnds(int32_t last_day, int months);

}  // namespace fincrm
