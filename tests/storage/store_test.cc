// Behaviour every Store backend must have. Parameterised by backend so that the
// PostgreSQL backend runs the same tests when it arrives.
#include "storage/store.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.File("test.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void Seed() {
    auto writer = store_->BeginWrite();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Put(Branch{"B001", "上海营业部", "上海", "上海", *ParseDate("2001-03-01")}).ok());
    Staff broker{"S001", "王经纪", StaffRole::kBroker, "B001", "13800000001", "", std::nullopt};
    ASSERT_TRUE((*writer)->Put(broker).ok());
    ASSERT_TRUE((*writer)->Put(MakeCustomer("C001", "张三")).ok());
    ASSERT_TRUE((*writer)->Put(MakeCustomer("C002", "张三丰")).ok());
    ASSERT_TRUE((*writer)->Put(Account{"A001", "C001", AccountType::kCash, *ParseDate("2015-06-01"), std::nullopt}).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }

  static Customer MakeCustomer(const std::string& id, const std::string& name) {
    Customer c;
    c.customer_id = id;
    c.name = name;
    c.gender = Gender::kFemale;
    c.id_type = IdType::kResidentId;
    c.id_number = "11010519491231002X";
    c.mobile = id == "C001" ? "13912345678" : "";
    c.province = "上海";
    c.city = "上海";
    c.open_date = *ParseDate("2015-06-01");
    c.risk_level = RiskLevel::kC3;
    c.income_band = IncomeBand::k300kTo1m;
    c.broker_id = "S001";
    c.branch_id = "B001";
    return c;
  }

  static Trade MakeTrade(const std::string& id, const std::string& time) {
    Trade t;
    t.trade_id = id;
    t.customer_id = "C001";
    t.account_id = "A001";
    t.trade_time = *ParseTimestamp(time);
    t.market = Market::kShenzhen;
    t.symbol = "000001";
    t.product_type = ProductType::kStock;
    t.side = TradeSide::kSell;
    t.quantity = 300;
    t.price.li = 12345;
    t.amount.fen = 370350;
    t.commission.fen = 500;
    t.channel = TradeChannel::kApp;
    return t;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, CustomerRoundTripsEveryField) {
  Seed();
  auto got = store_->GetCustomer("C001");
  ASSERT_TRUE(got.ok());
  Customer want = MakeCustomer("C001", "张三");
  EXPECT_EQ(got->name, want.name);
  EXPECT_EQ(got->gender, want.gender);
  EXPECT_EQ(got->id_number, want.id_number);
  EXPECT_EQ(got->mobile, want.mobile);
  EXPECT_EQ(got->open_date, want.open_date);
  EXPECT_EQ(got->risk_level, want.risk_level);
  EXPECT_EQ(got->income_band, want.income_band);
  EXPECT_FALSE(got->birth_date.has_value());
  EXPECT_FALSE(got->risk_assessed_on.has_value());
  EXPECT_EQ(got->broker_id, "S001");
  EXPECT_EQ(store_->GetCustomer("C999").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, TradesKeepMoneyAndTimeExactly) {
  Seed();
  auto writer = store_->BeginWrite();
  ASSERT_TRUE((*writer)->Put(MakeTrade("T1", "2024-03-05 09:31:00")).ok());
  ASSERT_TRUE((*writer)->Put(MakeTrade("T2", "2024-03-06 14:59:59")).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto trades = store_->RecentTrades("C001", 10);
  ASSERT_TRUE(trades.ok());
  ASSERT_EQ(trades->size(), 2u);
  EXPECT_EQ((*trades)[0].trade_id, "T2");  // newest first
  EXPECT_EQ((*trades)[1].trade_time, *ParseTimestamp("2024-03-05T01:31:00Z"));
  EXPECT_EQ((*trades)[1].amount.fen, 370350);
  EXPECT_EQ((*trades)[1].price.li, 12345);
  EXPECT_EQ((*trades)[1].market, Market::kShenzhen);
  EXPECT_EQ((*trades)[1].side, TradeSide::kSell);
}

TEST_P(StoreTest, UpsertTellsChangesFromReplays) {
  Seed();
  auto writer = store_->BeginWrite();
  auto replay = (*writer)->Put(MakeCustomer("C001", "张三"));
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(*replay);
  Customer changed = MakeCustomer("C001", "张三");
  changed.mobile = "13700000000";
  auto update = (*writer)->Put(changed);
  ASSERT_TRUE(update.ok());
  EXPECT_TRUE(*update);
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(store_->GetCustomer("C001")->mobile, "13700000000");
  EXPECT_EQ(*store_->Count(EntityKind::kCustomer), 2);
}

TEST_P(StoreTest, ForeignKeyViolationRejectsOnlyThatRow) {
  Seed();
  auto writer = store_->BeginWrite();
  Customer orphan = MakeCustomer("C003", "孤儿");
  orphan.branch_id = "B999";
  auto rejected = (*writer)->Put(orphan);
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*writer)->Put(MakeCustomer("C004", "李四")).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(*store_->Count(EntityKind::kCustomer), 3);
}

TEST_P(StoreTest, UncommittedWritesRollBack) {
  Seed();
  {
    auto writer = store_->BeginWrite();
    ASSERT_TRUE((*writer)->Put(MakeCustomer("C005", "王五")).ok());
  }
  EXPECT_EQ(*store_->Count(EntityKind::kCustomer), 2);
  EXPECT_EQ(store_->GetCustomer("C005").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, OneWriterAtATimePerStore) {
  auto first = store_->BeginWrite();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_->BeginWrite().status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreTest, HouseholdKeysDistinguishMembers) {
  Seed();
  auto writer = store_->BeginWrite();
  ASSERT_TRUE((*writer)->Put(HouseholdMember{"C001", Relation::kSpouse, "C002", "", ""}).ok());
  ASSERT_TRUE((*writer)->Put(HouseholdMember{"C001", Relation::kChild, "", "张小明", ""}).ok());
  ASSERT_TRUE((*writer)->Put(HouseholdMember{"C001", Relation::kChild, "", "张小红", ""}).ok());
  auto again = (*writer)->Put(HouseholdMember{"C001", Relation::kChild, "", "张小红", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  ASSERT_TRUE((*writer)->Commit().ok());
  auto household = store_->HouseholdOf("C001");
  ASSERT_TRUE(household.ok());
  EXPECT_EQ(household->size(), 3u);
}

TEST_P(StoreTest, LatestAssetsAndInteractions) {
  Seed();
  auto writer = store_->BeginWrite();
  for (const char* day : {"2024-01-31", "2024-03-29", "2024-02-29"}) {
    AssetSnapshot s{"C001", *ParseDate(day), Money{100}, Money{100}, {}, {}, {}, {}};
    ASSERT_TRUE((*writer)->Put(s).ok());
  }
  Interaction i;
  i.interaction_id = "I1";
  i.customer_id = "C001";
  i.occurred_at = *ParseTimestamp("2024-03-01 10:00:00");
  i.subject = "咨询";
  ASSERT_TRUE((*writer)->Put(i).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto latest = store_->LatestAssets("C001");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(FormatDate((*latest)->snapshot_date), "2024-03-29");
  EXPECT_FALSE(store_->LatestAssets("C002")->has_value());
  auto interactions = store_->RecentInteractions("C001", 5);
  ASSERT_EQ(interactions->size(), 1u);
  EXPECT_TRUE((*interactions)[0].staff_id.empty());
}

TEST_P(StoreTest, SearchByNumberMobileIdAndNamePrefix) {
  Seed();
  auto by_id = store_->SearchCustomers({"C002", 10});
  ASSERT_EQ(by_id->size(), 1u);
  EXPECT_EQ((*by_id)[0].matched_on, "customer_id");
  auto by_mobile = store_->SearchCustomers({"13912345678", 10});
  ASSERT_EQ(by_mobile->size(), 1u);
  EXPECT_EQ((*by_mobile)[0].customer_id, "C001");
  EXPECT_EQ(store_->SearchCustomers({"11010519491231002X", 10})->size(), 2u);
  EXPECT_EQ(store_->SearchCustomers({"张三", 10})->size(), 2u);
  EXPECT_EQ(store_->SearchCustomers({"张三丰", 10})->size(), 1u);
  EXPECT_EQ(store_->SearchCustomers({"张三", 1})->size(), 1u);
  EXPECT_EQ(store_->SearchCustomers({"' OR 1=1 --", 10})->size(), 0u);
}

TEST_P(StoreTest, SearchAppliesTheScopeBeforeTheLimitAndOnlyTheAllowedKeys) {
  Seed();
  EXPECT_EQ(store_->SearchCustomers({"张三", 10, true, true, "B001", "S001"})->size(), 2u);
  EXPECT_EQ(store_->SearchCustomers({"张三", 10, true, true, "B002", ""})->size(), 0u);
  EXPECT_EQ(store_->SearchCustomers({"张三", 10, true, true, "", "S999"})->size(), 0u);
  EXPECT_EQ(store_->SearchCustomers({"C001", 10, false, false, "B001", ""})->size(), 1u);
  // A caller who sees mobiles or ID numbers masked finds nobody by them.
  EXPECT_EQ(store_->SearchCustomers({"13912345678", 10, false, true})->size(), 0u);
  EXPECT_EQ(store_->SearchCustomers({"11010519491231002X", 10, true, false})->size(), 0u);
  EXPECT_EQ(store_->SearchCustomers({"1391234567", 10})->size(), 0u);  // only the complete number
  // The scope before the limit: a broker's matches are not crowded out by others'.
  auto writer = store_->BeginWrite();
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 30; ++i) {
    Customer other = *store_->GetCustomer("C002");
    other.customer_id = "C1" + std::to_string(100 + i);
    other.name = "张三" + std::to_string(i);
    other.broker_id = "";
    ASSERT_TRUE((*writer)->Put(other).ok());
  }
  ASSERT_TRUE((*writer)->Commit().ok());
  auto mine = store_->SearchCustomers({"张三", 2, true, true, "", "S001"});
  ASSERT_EQ(mine->size(), 2u);
  for (const auto& hit : *mine) EXPECT_TRUE(hit.customer_id == "C001" || hit.customer_id == "C002") << hit.customer_id;
}

TEST_P(StoreTest, ScansInKeyOrderAndStopsEarly) {
  Seed();
  std::vector<std::string> ids;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
    ids.push_back(c.customer_id);
    return true;
  })).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"C001", "C002"}));
  int seen = 0;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const Customer&)>([&](const Customer&) {
    ++seen;
    return false;
  })).ok());
  EXPECT_EQ(seen, 1);
}

TEST_P(StoreTest, ReopeningKeepsDataAndSchemaVersion) {
  Seed();
  int version = *store_->SchemaVersion();
  EXPECT_GE(version, 1);
  store_.reset();
  auto reopened = OpenStore(dir_.File("test.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->SchemaVersion(), version);
  EXPECT_EQ(*(*reopened)->Count(EntityKind::kCustomer), 2);
}

TEST_P(StoreTest, PutBatchGivesEachRowItsOutcome) {
  Seed();
  // 70 rows: two full multi-row groups and a remainder; one group holds a replay,
  // a changed row and a row the database rejects.
  std::vector<Trade> trades;
  for (int i = 0; i < 70; ++i) trades.push_back(MakeTrade("B" + std::to_string(100 + i), "2024-03-05 10:00:00"));
  {
    auto writer = store_->BeginWrite();
    ASSERT_TRUE((*writer)->Put(trades[40]).ok());
    Trade earlier = trades[41];
    earlier.quantity = 1;
    ASSERT_TRUE((*writer)->Put(earlier).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  trades[45].account_id = "NO-SUCH-ACCOUNT";
  auto writer = store_->BeginWrite();
  std::vector<StoreWriter::PutResult> results(trades.size());
  ASSERT_TRUE((*writer)->PutBatch(std::span<const Trade>(trades), results).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  for (int i = 0; i < 70; ++i) {
    if (i == 40) {
      EXPECT_TRUE(results[i].error.ok());
      EXPECT_FALSE(results[i].changed) << "a replay changes nothing";
    } else if (i == 45) {
      EXPECT_EQ(results[i].error.code(), StatusCode::kInvalidArgument);
    } else {
      EXPECT_TRUE(results[i].error.ok()) << i;
      EXPECT_TRUE(results[i].changed) << i;
    }
  }
  EXPECT_EQ(*store_->Count(EntityKind::kTrade), 69);
}

TEST_P(StoreTest, VerifiedWritesStillLeaveForeignKeysOnAfterwards) {
  Seed();
  {
    auto writer = store_->BeginWrite(/*references_verified=*/true);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Put(MakeTrade("V1", "2024-03-05 10:00:00")).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  auto writer = store_->BeginWrite();
  Trade orphan = MakeTrade("V2", "2024-03-05 10:00:00");
  orphan.account_id = "A404";
  EXPECT_EQ((*writer)->Put(orphan).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace fincrm
