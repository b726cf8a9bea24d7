// Holdings: the snapshot file's errors name the line and field and store nothing; a
// position is the latest snapshot moved on by the trades after its day, or the net of
// all trades without one; the materialised positions answer who holds a symbol.
#include <gtest/gtest.h>

#include "ingest/holdings_csv.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm::testing {
namespace {

class HoldingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("h.db");
    auto store = OpenStore(db_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto writer = store_->BeginWrite();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Put(Branch{"B001", "总部营业部", "上海", "上海"}).ok());
    for (std::string id : {"C0000001", "C0000002"}) {
      Customer c;
      c.customer_id = id;
      c.name = "客户";
      c.id_type = IdType::kOther;
      c.id_number = "X" + id;
      c.province = "上海";
      c.city = "上海";
      c.open_date = Date{DaysFromCivil(2020, 1, 2)};
      c.branch_id = "B001";
      ASSERT_TRUE((*writer)->Put(c).ok());
      Account a{"A" + id, id, AccountType::kCash, c.open_date};
      ASSERT_TRUE((*writer)->Put(a).ok());
    }
    int n = 0;
    auto trade = [&](const std::string& customer, const std::string& symbol, TradeSide side, int64_t quantity, int day) {
      Trade t;
      t.trade_id = "T" + std::to_string(++n);
      t.customer_id = customer;
      t.account_id = "A" + customer;
      t.trade_time = ShanghaiTime(Date{DaysFromCivil(2026, 11, day)}, 10, 0, 0);
      t.market = Market::kShanghai;
      t.symbol = symbol;
      t.side = side;
      t.quantity = quantity;
      t.price = PriceLi{10000};
      t.amount = Money{quantity * 1000};
      auto put = (*writer)->Put(t);
      ASSERT_TRUE(put.ok()) << put.status().ToString();
    };
    trade("C0000001", "600000", TradeSide::kBuy, 1000, 2);
    trade("C0000001", "600000", TradeSide::kSell, 300, 4);
    trade("C0000001", "601318", TradeSide::kBuy, 100, 4);
    trade("C0000002", "600000", TradeSide::kSell, 500, 4);  // bought before the records began
    trade("C0000002", "000001", TradeSide::kBuy, 200, 5);
    ASSERT_TRUE((*writer)->Commit().ok());
    auto holdings = OpenHoldingStore(db_);
    ASSERT_TRUE(holdings.ok()) << holdings.status().ToString();
    holdings_ = std::move(*holdings);
  }

  std::map<std::string, int64_t> PositionsOf(const std::string& customer) {
    std::map<std::string, int64_t> out;
    auto positions = holdings_->Positions(customer);
    EXPECT_TRUE(positions.ok()) << positions.status().ToString();
    if (positions.ok()) {
      for (const Position& p : *positions) out[p.symbol] = p.quantity;
    }
    return out;
  }

  TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HoldingStore> holdings_;
};

TEST_F(HoldingsTest, PositionsAreTheSnapshotMovedOnByLaterTrades) {
  EXPECT_EQ(PositionsOf("C0000001"), (std::map<std::string, int64_t>{{"600000", 700}, {"601318", 100}}));
  EXPECT_EQ(PositionsOf("C0000002"), (std::map<std::string, int64_t>{{"000001", 200}}))
      << "a sale of shares bought before the records began is left out";

  // Snapshot at the close of 3 November: the trades of the 2nd are in it, the 4th's move it.
  std::string csv = dir_.Write("holdings.csv",
                               "客户号,市场,证券代码,持仓数量,持仓成本,日期\n"
                               "C0000001,SH,600000,1000,10000.00,2026-11-03\n"
                               "C0000001,SZ,000002,50,,2026-11-03\n"
                               "C0000002,SH,600000,800,8000.00,2026-11-03\n");
  auto imported = ImportHoldingsCsv(*store_, *holdings_, csv);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->stored.rows, 3);
  EXPECT_EQ(imported->stored.customers, 2);
  EXPECT_EQ(PositionsOf("C0000001"), (std::map<std::string, int64_t>{{"000002", 50}, {"600000", 700}, {"601318", 100}}));
  EXPECT_EQ(PositionsOf("C0000002"), (std::map<std::string, int64_t>{{"000001", 200}, {"600000", 300}}));
  auto positions = holdings_->Positions("C0000001");
  ASSERT_TRUE(positions.ok());
  for (const Position& p : *positions) {
    ASSERT_TRUE(p.snapshot_on);
    EXPECT_EQ(FormatDate(*p.snapshot_on), "2026-11-03");
    if (p.symbol == "600000") {
      EXPECT_EQ(p.trades_since, 1);
      EXPECT_EQ(p.cost.fen, 1000000);
    }
  }
  EXPECT_EQ(imported->positions, 5);
  auto holders = holdings_->Holders({"600000"});
  ASSERT_TRUE(holders.ok());
  EXPECT_EQ(*holders, (std::vector<std::string>{"C0000001", "C0000002"}));
  EXPECT_EQ(*holdings_->Holders({"000001", "601318"}), (std::vector<std::string>{"C0000001", "C0000002"}));
  EXPECT_TRUE(holdings_->Holders({"999999"})->empty());

  // A later snapshot of one customer replaces only that customer's.
  std::string later = dir_.Write("later.csv", "customer_id,market,symbol,quantity,as_of\nC0000002,SH,600000,0,2026-11-05\n");
  ASSERT_TRUE(ImportHoldingsCsv(*store_, *holdings_, later).ok());
  EXPECT_TRUE(PositionsOf("C0000002").empty()) << "sold out by the 5th, and the 5th's trades are in the snapshot";
  EXPECT_EQ(PositionsOf("C0000001").size(), 3u);
  EXPECT_EQ(*holdings_->Holders({"600000"}), (std::vector<std::string>{"C0000001"}));
}

TEST_F(HoldingsTest, ADefectNamesItsLineAndFieldAndNothingIsStored) {
  struct Case {
    std::string csv, field, where;
  } cases[] = {
      {"customer_id,market,symbol,quantity,as_of\nC0000001,SH,600000,-5,2026-11-03\n", "quantity", "line 2"},
      {"customer_id,market,symbol,quantity,as_of\nC0000001,SH,600000,5,2026-11-03\nC0000001,XX,600000,5,2026-11-03\n",
       "market", "line 3"},
      {"customer_id,market,symbol,quantity,as_of\nC0000001,SH,600000,5,2026-02-30\n", "as_of", "line 2"},
      {"customer_id,market,symbol,quantity,as_of\nC0000001,SH,600000,5,2026-11-03\nC0000001,SH,600000,6,2026-11-03\n",
       "symbol", "line 3"},
      {"customer_id,market,symbol,quantity,as_of\nC0000009,SH,600000,5,2026-11-03\n", "customer_id", "line 2"},
      {"customer_id,market,symbol,quantity,price,as_of\n", "header", "line 1"},
      {"customer_id,market,symbol,as_of\n", "header", "line 1"},
      {"customer_id,market,symbol,quantity,as_of\nC0000001,SH,600000,5\n", "record", "line 2"},
  };
  for (const Case& c : cases) {
    auto imported = ImportHoldingsCsv(*store_, *holdings_, dir_.Write("bad.csv", c.csv));
    ASSERT_FALSE(imported.ok()) << c.csv;
    EXPECT_EQ(imported.status().field(), c.field) << imported.status().ToString();
    EXPECT_NE(imported.status().message().find("bad.csv " + c.where), std::string::npos) << imported.status().ToString();
  }
  auto mixed = ImportHoldingsCsv(*store_, *holdings_,
                                 dir_.Write("mixed.csv", "customer_id,market,symbol,quantity,as_of\n"
                                                         "C0000001,SH,600000,5,2026-11-03\n"
                                                         "C0000001,SH,600001,x,2026-11-03\n"
                                                         "C0000001,SH,600002,y,2026-11-03\n"));
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("and 1 more"), std::string::npos) << mixed.status().ToString();
  EXPECT_EQ(PositionsOf("C0000001"), (std::map<std::string, int64_t>{{"600000", 700}, {"601318", 100}}))
      << "no snapshot row was stored from a file with defects";
}

}  // namespace
}  // namespace fincrm::testing
