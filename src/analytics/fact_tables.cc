#include "analytics/fact_tables.h"

#include <chrono>

namespace fincrm {

Result<FactTables> FactTables::Load(Store& store, FactLoadTimings* timings) {
  FactLoadTimings local;
  FactLoadTimings& t = timings ? *timings : local;
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&](double& into) {
    auto now = std::chrono::steady_clock::now();
    into = std::chrono::duration<double>(now - clock).count();
    clock = now;
  };
  FactTables facts;
  FINCRM_RETURN_IF_ERROR(store.ForEach(std::function<bool(const Branch&)>([&](const Branch& b) {
    facts.branches_.Intern(b.branch_id);
    return true;
  })));
  FINCRM_RETURN_IF_ERROR(store.ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
    facts.UpsertCustomer(c);
    return true;
  })));
  lap(t.customers);
  // Facts arrive clustered by customer, so remembering the last lookup saves most
  // hash probes.
  std::string last_id;
  uint32_t last_index = kNoCode;
  auto index_of = [&](std::string_view id) -> uint32_t {
    if (id == last_id) return last_index;
    auto found = facts.customer_index_.Find(id);
    last_id.assign(id);
    last_index = found ? *found : kNoCode;
    return last_index;
  };
  FINCRM_RETURN_IF_ERROR(store.ScanTradeFacts([&](const TradeFactRow& row) {
    uint32_t customer = index_of(row.customer_id);
    if (customer == kNoCode) return;  // foreign keys make this impossible
    facts.AddTrade(customer, ShanghaiDate(row.trade_time).days, row.amount_fen, row.commission_fen,
                   facts.symbols_.Intern(row.symbol),
                   PackTradeKind(row.market, row.product_type, row.side, row.channel));
  }));
  lap(t.trades);
  FINCRM_RETURN_IF_ERROR(store.ScanAssetFacts([&](const AssetFactRow& row) {
    uint32_t customer = index_of(row.customer_id);
    if (customer == kNoCode) return;
    facts.AddAsset(customer, row.snapshot_date.days, row.total_assets_fen, row.funds_fen,
                   row.margin_debt_fen);
  }));
  lap(t.assets);
  FINCRM_RETURN_IF_ERROR(store.ScanInteractionFacts([&](const InteractionFactRow& row) {
    uint32_t customer = index_of(row.customer_id);
    if (customer == kNoCode) return;
    facts.AddInteraction(customer, ShanghaiDate(row.occurred_at).days, row.channel, row.direction,
                         row.type);
  }));
  lap(t.interactions);
  facts.ClusterByCustomer();
  lap(t.clustering);
  return facts;
}

namespace {

// Stable counting sort by customer: the destination of each row.
std::vector<uint32_t> Destinations(const std::vector<uint32_t>& customer, size_t customers) {
  std::vector<uint32_t> start(customers + 1, 0);
  for (uint32_t c : customer) ++start[c + 1];
  for (size_t c = 0; c < customers; ++c) start[c + 1] += start[c];
  std::vector<uint32_t> destination(customer.size());
  for (size_t i = 0; i < customer.size(); ++i) destination[i] = start[customer[i]]++;
  return destination;
}

template <class T>
void Permute(std::vector<T>& column, const std::vector<uint32_t>& destination) {
  std::vector<T> sorted(column.size());
  for (size_t i = 0; i < column.size(); ++i) sorted[destination[i]] = column[i];
  column.swap(sorted);
}

}  // namespace

void FactTables::ClusterByCustomer() {
  const size_t customers = customer_count();
  std::vector<uint32_t> destination = Destinations(trades_.customer, customers);
  Permute(trades_.customer, destination);
  Permute(trades_.day, destination);
  Permute(trades_.amount, destination);
  Permute(trades_.commission, destination);
  Permute(trades_.symbol, destination);
  Permute(trades_.kind, destination);
  clustered_trades_ = trades_.size();
  destination = Destinations(assets_.customer, customers);
  Permute(assets_.customer, destination);
  Permute(assets_.day, destination);
  Permute(assets_.total, destination);
  Permute(assets_.funds, destination);
  Permute(assets_.margin_debt, destination);
  destination = Destinations(interactions_.customer, customers);
  Permute(interactions_.customer, destination);
  Permute(interactions_.day, destination);
  Permute(interactions_.channel, destination);
  Permute(interactions_.direction, destination);
  Permute(interactions_.type, destination);
}

uint32_t FactTables::UpsertCustomer(const Customer& c) {
  uint32_t index = customer_index_.Intern(c.customer_id);
  if (index == customer_ids_.size()) {
    customer_ids_.push_back(c.customer_id);
    attributes_.emplace_back();
    totals_.emplace_back();
  }
  CustomerAttributes& a = attributes_[index];
  a.branch = branches_.Intern(c.branch_id);
  a.broker = c.broker_id.empty() ? kNoCode : brokers_.Intern(c.broker_id);
  a.province = provinces_.Intern(c.province);
  a.open_day = c.open_date.days;
  a.birth_day = c.birth_date ? c.birth_date->days : kNoDay;
  a.status = c.status;
  a.risk_level = c.risk_level ? static_cast<uint8_t>(*c.risk_level) : kNoRiskLevel;
  a.risk_assessed_day = c.risk_assessed_on ? c.risk_assessed_on->days : kNoDay;
  return index;
}

std::optional<uint32_t> FactTables::CustomerIndex(std::string_view customer_id) const {
  return customer_index_.Find(customer_id);
}

void FactTables::AddTrade(uint32_t customer, int32_t day, int64_t amount, int64_t commission,
                          uint32_t symbol, uint8_t kind) {
  trades_.customer.push_back(customer);
  trades_.day.push_back(day);
  trades_.amount.push_back(amount);
  trades_.commission.push_back(commission);
  trades_.symbol.push_back(symbol);
  trades_.kind.push_back(kind);
  CustomerRunningTotals& t = totals_[customer];
  if (day > t.last_trade_day) t.last_trade_day = day;
  ++t.trade_count;
  t.commission_fen += commission;
  NoteDay(day);
}

void FactTables::AddAsset(uint32_t customer, int32_t day, int64_t total, int64_t funds,
                          int64_t margin_debt) {
  assets_.customer.push_back(customer);
  assets_.day.push_back(day);
  assets_.total.push_back(total);
  assets_.funds.push_back(funds);
  assets_.margin_debt.push_back(margin_debt);
  CustomerRunningTotals& t = totals_[customer];
  if (day >= t.latest_asset_day) {
    t.latest_asset_day = day;
    t.latest_assets_fen = total;
  }
  NoteDay(day);
}

void FactTables::AddInteraction(uint32_t customer, int32_t day, InteractionChannel channel,
                                Direction direction, InteractionType type) {
  interactions_.customer.push_back(customer);
  interactions_.day.push_back(day);
  interactions_.channel.push_back(channel);
  interactions_.direction.push_back(direction);
  interactions_.type.push_back(type);
  ++totals_[customer].interaction_count;
  NoteDay(day);
}

Result<uint32_t> FactTables::RequireCustomer(const std::string& customer_id) const {
  auto index = CustomerIndex(customer_id);
  if (!index) return NotFound("unknown customer '" + customer_id + "'", "customer_id");
  return *index;
}

Status FactTables::Append(const Trade& trade) {
  auto customer = RequireCustomer(trade.customer_id);
  if (!customer.ok()) return customer.status();
  AddTrade(*customer, ShanghaiDate(trade.trade_time).days, trade.amount.fen, trade.commission.fen,
           symbols_.Intern(trade.symbol),
           PackTradeKind(trade.market, trade.product_type, trade.side, trade.channel));
  return Status::Ok();
}

Status FactTables::Append(const AssetSnapshot& snapshot) {
  auto customer = RequireCustomer(snapshot.customer_id);
  if (!customer.ok()) return customer.status();
  AddAsset(*customer, snapshot.snapshot_date.days, snapshot.total_assets.fen, snapshot.funds.fen,
           snapshot.margin_debt.fen);
  return Status::Ok();
}

Status FactTables::Append(const Interaction& interaction) {
  auto customer = RequireCustomer(interaction.customer_id);
  if (!customer.ok()) return customer.status();
  AddInteraction(*customer, ShanghaiDate(interaction.occurred_at).days, interaction.channel,
                 interaction.direction, interaction.type);
  return Status::Ok();
}

}  // namespace fincrm
