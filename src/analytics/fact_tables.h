// FactTables: the brokerage's facts in compact in-memory columns, the input of every
// analysis (metrics, value ladder, cube, KPIs, models).
//
// Customers get a dense index (0..n-1) in customer-number order; symbols, branches,
// brokers and provinces are dictionary-encoded; money is int64 fen; days are day
// numbers of the Shanghai calendar. A trade fact takes 29 bytes. Facts are kept in
// arrival order; analyses scan them and aggregate per customer.
//
// Append() keeps the tables current without a rebuild: a new event is added to the
// columns and the customer's running aggregates are updated at once.
// Threading: analyses may read concurrently; Append/UpsertCustomer need exclusive access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/dictionary.h"
#include "core/entity_fields.h"
#include "storage/store.h"

namespace fincrm {

inline constexpr uint32_t kNoCode = UINT32_MAX;
inline constexpr uint8_t kNoRiskLevel = 255;
inline constexpr int32_t kNoDay = INT32_MIN;

struct CustomerAttributes {
  uint32_t branch = kNoCode;  // code in FactTables::branches()
  uint32_t broker = kNoCode;  // code in FactTables::brokers()
  uint32_t province = kNoCode;
  int32_t open_day = 0;
  int32_t birth_day = kNoDay;
  CustomerStatus status = CustomerStatus::kActive;
  uint8_t risk_level = kNoRiskLevel;  // 0..4 for C1..C5
  int32_t risk_assessed_day = kNoDay;  // when the grade was given (suitability's validity)
};

// Running per-customer aggregates, kept current by Append.
struct CustomerRunningTotals {
  int32_t last_trade_day = kNoDay;
  int64_t trade_count = 0;
  int64_t commission_fen = 0;
  int32_t latest_asset_day = kNoDay;
  int64_t latest_assets_fen = 0;
  int64_t interaction_count = 0;
};

struct TradeColumns {
  std::vector<uint32_t> customer;
  std::vector<int32_t> day;
  std::vector<int64_t> amount;
  std::vector<int64_t> commission;
  std::vector<uint32_t> symbol;
  // market (2 bits) | product type (2) << 2 | side (1) << 4 | channel (3) << 5
  std::vector<uint8_t> kind;
  size_t size() const { return customer.size(); }
};

inline uint8_t PackTradeKind(Market market, ProductType product, TradeSide side, TradeChannel channel) {
  return static_cast<uint8_t>(static_cast<int>(market) | static_cast<int>(product) << 2 |
                              static_cast<int>(side) << 4 | static_cast<int>(channel) << 5);
}
inline Market KindMarket(uint8_t kind) { return static_cast<Market>(kind & 3); }
inline ProductType KindProduct(uint8_t kind) { return static_cast<ProductType>(kind >> 2 & 3); }
inline TradeSide KindSide(uint8_t kind) { return static_cast<TradeSide>(kind >> 4 & 1); }
inline TradeChannel KindChannel(uint8_t kind) { return static_cast<TradeChannel>(kind >> 5 & 7); }

struct AssetColumns {
  std::vector<uint32_t> customer;
  std::vector<int32_t> day;
  std::vector<int64_t> total;
  std::vector<int64_t> funds;
  std::vector<int64_t> margin_debt;
  size_t size() const { return customer.size(); }
};

struct InteractionColumns {
  std::vector<uint32_t> customer;
  std::vector<int32_t> day;
  std::vector<InteractionChannel> channel;
  std::vector<Direction> direction;
  std::vector<InteractionType> type;
  size_t size() const { return customer.size(); }
};

// Seconds each part of FactTables::Load took.
struct FactLoadTimings {
  double customers = 0, trades = 0, assets = 0, interactions = 0, clustering = 0;
};

class FactTables {
 public:
  // Loads customers, branches and every trade, asset snapshot and interaction.
  static Result<FactTables> Load(Store& store, FactLoadTimings* timings = nullptr);

  // Adds or updates a customer (new customers get the next index).
  uint32_t UpsertCustomer(const Customer& customer);
  // Adds one fact. NotFound when its customer is unknown.
  Status Append(const Trade& trade);
  Status Append(const AssetSnapshot& snapshot);
  Status Append(const Interaction& interaction);

  // Column-level appends for loaders and benchmarks that already hold codes: the
  // customer index must exist; `symbol` is a code of symbols() or kNoCode.
  void AppendTradeFact(uint32_t customer, int32_t day, int64_t amount, int64_t commission, uint32_t symbol,
                       uint8_t kind) {
    AddTrade(customer, day, amount, commission, symbol, kind);
  }

  // Reorders every fact column so that each customer's facts are contiguous, in
  // customer order (stable: arrival order within a customer). Per-customer scans then
  // walk memory sequentially instead of jumping between customers. Load() does this;
  // facts appended afterwards go to the end until the next call.
  void ClusterByCustomer();

  size_t customer_count() const { return customer_ids_.size(); }
  std::optional<uint32_t> CustomerIndex(std::string_view customer_id) const;
  const std::string& CustomerId(uint32_t index) const { return customer_ids_[index]; }
  const CustomerAttributes& Attributes(uint32_t index) const { return attributes_[index]; }
  const CustomerRunningTotals& Totals(uint32_t index) const { return totals_[index]; }

  const Dictionary& branches() const { return branches_; }
  const Dictionary& brokers() const { return brokers_; }
  const Dictionary& provinces() const { return provinces_; }
  const Dictionary& symbols() const { return symbols_; }

  const TradeColumns& trades() const { return trades_; }
  // How many leading trades are clustered by customer (the rest arrived since).
  size_t clustered_trades() const { return clustered_trades_; }
  const AssetColumns& assets() const { return assets_; }
  const InteractionColumns& interactions() const { return interactions_; }

  // The last day with any fact (kNoDay when there are none).
  int32_t last_day() const { return last_day_; }

 private:
  // The index of a known customer; NotFound naming the field otherwise.
  Result<uint32_t> RequireCustomer(const std::string& customer_id) const;
  void NoteDay(int32_t day) {
    if (day > last_day_) last_day_ = day;
  }
  void AddTrade(uint32_t customer, int32_t day, int64_t amount, int64_t commission,
                uint32_t symbol, uint8_t kind);
  void AddAsset(uint32_t customer, int32_t day, int64_t total, int64_t funds, int64_t margin_debt);
  void AddInteraction(uint32_t customer, int32_t day, InteractionChannel channel,
                      Direction direction, InteractionType type);

  std::vector<std::string> customer_ids_;
  Dictionary customer_index_;  // customer_id -> index (same order as customer_ids_)
  std::vector<CustomerAttributes> attributes_;
  std::vector<CustomerRunningTotals> totals_;
  Dictionary branches_, brokers_, provinces_, symbols_;
  TradeColumns trades_;
  AssetColumns assets_;
  InteractionColumns interactions_;
  int32_t last_day_ = kNoDay;
  size_t clustered_trades_ = 0;
};

}  // namespace fincrm
