// A tiny hand-made brokerage whose metrics, KPIs and cube answers are worked out by
// hand in the tests. Two branches, five customers, a handful of facts in 2026.
#pragma once

#include <string>

#include "analytics/fact_tables.h"
#include "core/validation.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm::testing {

inline Customer GoldenCustomer(const std::string& id, const std::string& branch, const char* open_date) {
  Customer c;
  c.customer_id = id;
  c.name = "客户" + id;
  c.gender = Gender::kMale;
  c.id_type = IdType::kPassport;
  c.id_number = "P" + id;
  c.province = branch == "B1" ? "上海" : "北京";
  c.city = c.province;
  c.open_date = *ParseDate(open_date);
  c.birth_date = *ParseDate("1980-06-01");
  c.risk_level = RiskLevel::kC3;
  c.branch_id = branch;
  c.broker_id = branch == "B1" ? "S1" : "S2";
  return c;
}

inline Trade GoldenTrade(const std::string& id, const std::string& customer, const char* time, int64_t amount_fen,
                         int64_t commission_fen, TradeChannel channel = TradeChannel::kApp,
                         Market market = Market::kShanghai) {
  Trade t;
  t.trade_id = id;
  t.customer_id = customer;
  t.account_id = "A" + customer;
  t.trade_time = *ParseTimestamp(time);
  t.market = market;
  t.symbol = "600000";
  t.product_type = ProductType::kStock;
  t.side = TradeSide::kBuy;
  t.quantity = 100;
  t.price.li = amount_fen * 10 / 100;
  t.amount.fen = amount_fen;
  t.commission.fen = commission_fen;
  t.channel = channel;
  return t;
}

inline AssetSnapshot GoldenAssets(const std::string& customer, const char* day, int64_t total_fen,
                                  int64_t funds_fen = 0, int64_t margin_fen = 0) {
  return AssetSnapshot{customer, *ParseDate(day), Money{total_fen}, Money{total_fen - funds_fen}, {},
                       Money{funds_fen}, {}, Money{margin_fen}};
}

// C1 (B1): long-standing, trades monthly. C2 (B1): opened 2026-10-08. C3 (B1): fades
// away — last trade 2026-07-15, assets from 1,000,000 to 50,000 yuan by October.
// C4, C5 (B2): steady.
inline std::unique_ptr<Store> GoldenStore(const TempDir& dir) {
  auto store = *OpenStore(dir.File("golden.db"));
  auto writer = *store->BeginWrite();
  (void)writer->Put(Branch{"B1", "上海营业部", "上海", "上海", std::nullopt});
  (void)writer->Put(Branch{"B2", "北京营业部", "北京", "北京", std::nullopt});
  (void)writer->Put(Staff{"S1", "甲", StaffRole::kBroker, "B1", "", "", std::nullopt});
  (void)writer->Put(Staff{"S2", "乙", StaffRole::kBroker, "B2", "", "", std::nullopt});
  for (const Customer& c : {GoldenCustomer("C1", "B1", "2015-01-05"), GoldenCustomer("C2", "B1", "2026-10-08"),
                            GoldenCustomer("C3", "B1", "2018-03-01"), GoldenCustomer("C4", "B2", "2019-05-06"),
                            GoldenCustomer("C5", "B2", "2020-07-01")}) {
    (void)writer->Put(c);
    (void)writer->Put(Account{"A" + c.customer_id, c.customer_id, AccountType::kCash, c.open_date, std::nullopt});
  }
  // Trades (amounts and commissions in fen).
  (void)writer->Put(GoldenTrade("T1", "C1", "2026-08-10 10:00:00", 10000000, 2500));
  (void)writer->Put(GoldenTrade("T2", "C1", "2026-09-10 10:00:00", 20000000, 5000, TradeChannel::kWeb));
  (void)writer->Put(GoldenTrade("T3", "C1", "2026-10-12 10:00:00", 40000000, 10000));
  (void)writer->Put(GoldenTrade("T4", "C2", "2026-10-20 14:00:00", 1000000, 500));
  (void)writer->Put(GoldenTrade("T5", "C3", "2026-07-15 10:00:00", 5000000, 1250, TradeChannel::kCounter));
  (void)writer->Put(GoldenTrade("T6", "C4", "2026-10-15 13:30:00", 3000000, 750, TradeChannel::kApp, Market::kShenzhen));
  (void)writer->Put(GoldenTrade("T7", "C5", "2025-10-15 13:30:00", 2000000, 500));  // outside 12 months of 2026-10-30
  (void)writer->Put(GoldenTrade("T8", "C5", "2026-10-16 09:45:00", 2000000, 500));
  // Month-end assets; C1 holds funds and margin debt.
  for (const char* day : {"2026-08-31", "2026-09-30", "2026-10-30"}) {
    (void)writer->Put(GoldenAssets("C1", day, 100000000, 40000000, 10000000));
    (void)writer->Put(GoldenAssets("C4", day, 20000000));
    (void)writer->Put(GoldenAssets("C5", day, 30000000));
  }
  (void)writer->Put(GoldenAssets("C3", "2026-08-31", 100000000));
  (void)writer->Put(GoldenAssets("C3", "2026-09-30", 50000000));
  (void)writer->Put(GoldenAssets("C3", "2026-10-30", 5000000));
  (void)writer->Put(GoldenAssets("C2", "2026-10-30", 3000000));
  Interaction complaint;
  complaint.interaction_id = "I1";
  complaint.customer_id = "C3";
  complaint.occurred_at = *ParseTimestamp("2026-09-05 10:00:00");
  complaint.channel = InteractionChannel::kCallCenter;
  complaint.type = InteractionType::kComplaint;
  (void)writer->Put(complaint);
  (void)writer->Commit();
  return store;
}

}  // namespace fincrm::testing
