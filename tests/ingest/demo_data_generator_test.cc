#include "ingest/demo_data_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "core/validation.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

// Collects everything a generator run produces, and validates every row on the way.
class CollectingSink final : public RowSink {
 public:
  Status Put(const Branch& row) override { return Keep(row, branches); }
  Status Put(const Staff& row) override { return Keep(row, staff); }
  Status Put(const Product& row) override { return Keep(row, products); }
  Status Put(const Customer& row) override { return Keep(row, customers); }
  Status Put(const HouseholdMember& row) override { return Keep(row, households); }
  Status Put(const Account& row) override { return Keep(row, accounts); }
  Status Put(const AssetSnapshot& row) override { return Keep(row, assets); }
  Status Put(const Trade& row) override { return Keep(row, trades); }
  Status Put(const Interaction& row) override { return Keep(row, interactions); }
  Status Finish() override { return Status::Ok(); }

  std::vector<Branch> branches;
  std::vector<Staff> staff;
  std::vector<Product> products;
  std::vector<Customer> customers;
  std::vector<HouseholdMember> households;
  std::vector<Account> accounts;
  std::vector<AssetSnapshot> assets;
  std::vector<Trade> trades;
  std::vector<Interaction> interactions;

 private:
  template <class T>
  Status Keep(const T& row, std::vector<T>& rows) {
    Status valid = Validate(row);
    if (!valid.ok()) return Internal("generated an invalid row: " + valid.ToString());
    rows.push_back(row);
    return Status::Ok();
  }
};

CollectingSink& Generate(int64_t customers, uint64_t seed) {
  static std::map<std::pair<int64_t, uint64_t>, std::unique_ptr<CollectingSink>> cache;
  auto& slot = cache[{customers, seed}];
  if (!slot) {
    slot = std::make_unique<CollectingSink>();
    DemoDataOptions options;
    options.customers = customers;
    options.seed = seed;
    auto summary = GenerateDemoData(options, *slot);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  }
  return *slot;
}

TEST(DemoDataTest, SameSeedSameDataDifferentSeedDifferentData) {
  CollectingSink& a = Generate(2000, 7);
  CollectingSink b;
  DemoDataOptions options;
  options.customers = 2000;
  options.seed = 7;
  ASSERT_TRUE(GenerateDemoData(options, b).ok());
  ASSERT_EQ(a.trades.size(), b.trades.size());
  ASSERT_EQ(a.interactions.size(), b.interactions.size());
  for (size_t i = 0; i < a.trades.size(); i += 97) {
    EXPECT_EQ(a.trades[i].trade_id, b.trades[i].trade_id);
    EXPECT_EQ(a.trades[i].amount, b.trades[i].amount);
    EXPECT_EQ(a.trades[i].trade_time, b.trades[i].trade_time);
  }
  for (size_t i = 0; i < a.customers.size(); ++i) {
    EXPECT_EQ(a.customers[i].id_number, b.customers[i].id_number);
  }
  CollectingSink& c = Generate(2000, 8);
  EXPECT_NE(a.trades.size(), c.trades.size());
}

TEST(DemoDataTest, ACustomerDoesNotDependOnHowManyOthersThereAre) {
  CollectingSink& small = Generate(2000, 7);
  CollectingSink& large = Generate(4000, 7);
  for (int i = 0; i < 2000; i += 37) {
    EXPECT_EQ(small.customers[i].name, large.customers[i].name);
    EXPECT_EQ(small.customers[i].open_date, large.customers[i].open_date);
  }
}

TEST(DemoDataTest, ShapeOfTheBrokerage) {
  CollectingSink& d = Generate(6000, 42);
  EXPECT_EQ(d.branches.size(), 21u);  // 20 branches and the head office
  int64_t brokers = std::count_if(d.staff.begin(), d.staff.end(),
                                  [](const Staff& s) { return s.role == StaffRole::kBroker; });
  EXPECT_NEAR(static_cast<double>(6000) / brokers, 300, 120);
  EXPECT_EQ(d.customers.size(), 6000u);
  EXPECT_GT(d.households.size(), 600u);
  EXPECT_GE(d.accounts.size(), d.customers.size());

  // Pareto assets: the top 20% of customers hold most of the assets.
  std::map<std::string, int64_t> latest;
  for (const AssetSnapshot& s : d.assets) latest[s.customer_id] = s.total_assets.fen;
  std::vector<int64_t> holdings;
  for (auto& [id, fen] : latest) holdings.push_back(fen);
  std::sort(holdings.rbegin(), holdings.rend());
  double total = std::accumulate(holdings.begin(), holdings.end(), 0.0);
  double top = std::accumulate(holdings.begin(), holdings.begin() + holdings.size() / 5, 0.0);
  EXPECT_GT(top / total, 0.6);

  // Power-law trading: the most active 10% place a large share of trades.
  std::map<std::string, int64_t> trades_per_customer;
  for (const Trade& t : d.trades) ++trades_per_customer[t.customer_id];
  std::vector<int64_t> counts;
  for (auto& [id, n] : trades_per_customer) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  double all = std::accumulate(counts.begin(), counts.end(), 0.0);
  double busiest = std::accumulate(counts.begin(), counts.begin() + d.customers.size() / 10, 0.0);
  EXPECT_GT(busiest / all, 0.35);

  // Commission: about 0.025% of the amount, at least 5 yuan.
  int64_t at_minimum = 0;
  for (const Trade& t : d.trades) {
    ASSERT_GE(t.commission.fen, 500);
    if (t.commission.fen == 500) ++at_minimum;
    else EXPECT_NEAR(static_cast<double>(t.commission.fen) / t.amount.fen, 0.00025, 0.00001);
  }
  EXPECT_GT(at_minimum, 0);
  EXPECT_LT(at_minimum, static_cast<int64_t>(d.trades.size()));

  // Trades happen in exchange hours, Shanghai time, on weekdays.
  for (size_t i = 0; i < d.trades.size(); i += 13) {
    int64_t local = d.trades[i].trade_time.seconds + kShanghaiOffsetSeconds;
    int minute_of_day = static_cast<int>(local % 86400 / 60);
    bool morning = minute_of_day >= 9 * 60 + 30 && minute_of_day < 11 * 60 + 30;
    bool afternoon = minute_of_day >= 13 * 60 && minute_of_day < 15 * 60;
    EXPECT_TRUE(morning || afternoon) << FormatTimestamp(d.trades[i].trade_time);
    EXPECT_LT(Weekday(ShanghaiDate(d.trades[i].trade_time)), 5);
  }

  // Every touch-point channel occurs.
  std::set<InteractionChannel> channels;
  for (const Interaction& i : d.interactions) channels.insert(i.channel);
  EXPECT_EQ(channels.size(), std::size(EnumInfo<InteractionChannel>::kNames));
}

TEST(DemoDataTest, PlantedChurnersFadeBeforeTheyLeave) {
  CollectingSink& d = Generate(6000, 42);
  std::map<std::string, CustomerStatus> status;
  for (const Customer& c : d.customers) status[c.customer_id] = c.status;
  int64_t left = std::count_if(d.customers.begin(), d.customers.end(), [](const Customer& c) {
    return c.status != CustomerStatus::kActive;
  });
  EXPECT_GT(left, 300);
  EXPECT_LT(left, 1500);
  // Complaints per customer are far more common among those who left.
  std::map<std::string, int> complaints;
  for (const Interaction& i : d.interactions) {
    if (i.type == InteractionType::kComplaint) ++complaints[i.customer_id];
  }
  double left_rate = 0, stayed_rate = 0;
  int64_t stayed = static_cast<int64_t>(d.customers.size()) - left;
  for (auto& [id, n] : complaints) (status[id] == CustomerStatus::kActive ? stayed_rate : left_rate) += n;
  EXPECT_GT(left_rate / left, 4 * stayed_rate / stayed);
  // Closed customers have closed accounts and no trades in their last month.
  for (const Account& a : d.accounts) {
    if (status[a.customer_id] == CustomerStatus::kClosed) EXPECT_TRUE(a.close_date.has_value());
    else EXPECT_FALSE(a.close_date.has_value());
  }
}

TEST(DemoDataTest, GeneratedDataLoadsIntoTheStore) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("demo.db"));
  ASSERT_TRUE(store.ok());
  DemoDataOptions options;
  options.customers = 500;
  auto sink = StoreSink(**store, 10000);
  auto summary = GenerateDemoData(options, *sink);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(*(*store)->Count(EntityKind::kCustomer), 500);
  EXPECT_EQ(*(*store)->Count(EntityKind::kTrade), summary->trades);
  EXPECT_EQ(*(*store)->Count(EntityKind::kAssetSnapshot), summary->assets);
  EXPECT_EQ(*(*store)->Count(EntityKind::kInteraction), summary->interactions);
}

TEST(DemoDataTest, RejectsNonsensicalOptions) {
  CollectingSink sink;
  DemoDataOptions options;
  options.customers = 0;
  EXPECT_EQ(GenerateDemoData(options, sink).status().field(), "customers");
  options.customers = 10;
  options.months = 0;
  EXPECT_EQ(GenerateDemoData(options, sink).status().field(), "months");
}

}  // namespace
}  // namespace fincrm
