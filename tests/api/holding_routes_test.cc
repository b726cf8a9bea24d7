// A customer's holdings through the API on the demo brokerage: the positions equal an
// independent SQL query over the same trades (no snapshot yet), then follow a snapshot
// imported as the CLI does; in scope only; and the cube splits by holding.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>

#include "api/api_test_support.h"
#include "ingest/holdings_csv.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

std::map<std::string, int64_t> NetOfTrades(const std::string& db_path, const std::string& customer) {
  std::map<std::string, int64_t> net;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db,
                               "SELECT market || ':' || symbol, SUM(CASE side WHEN 'buy' THEN quantity ELSE -quantity "
                               "END) AS q FROM trades WHERE customer_id = ?1 GROUP BY market, symbol HAVING q > 0",
                               -1, &s, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(s, 1, customer.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) {
    net[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] = sqlite3_column_int64(s, 1);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return net;
}

std::map<std::string, int64_t> Listed(const Reply& reply) {
  std::map<std::string, int64_t> listed;
  for (auto item : reply.json["items"].get_array()) {
    listed[Str(item["market"]) + ":" + Str(item["symbol"])] = int64_t(item["quantity"]);
  }
  return listed;
}

TEST(HoldingRoutesTest, PositionsFollowTradesAndSnapshotsInScope) {
  DemoServer demo;
  demo.Start(300);
  std::string mine, theirs;
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
      if (c.broker_id == demo.broker_staff && mine.empty() && !NetOfTrades(demo.db, c.customer_id).empty()) {
        mine = c.customer_id;
      }
      if (c.broker_id != demo.broker_staff && theirs.empty()) theirs = c.customer_id;
      return true;
    })).ok());
  }
  ASSERT_FALSE(mine.empty());
  ApiClient broker = demo.As("broker");
  Reply holdings = broker.Get("/api/v1/customers/" + mine + "/holdings");
  ASSERT_EQ(holdings.status, 200) << holdings.body;
  EXPECT_EQ(Listed(holdings), NetOfTrades(demo.db, mine));
  EXPECT_EQ(broker.Get("/api/v1/customers/" + theirs + "/holdings").status, 404);
  EXPECT_EQ(demo.As("research").Get("/api/v1/customers/" + mine + "/holdings").status, 403);

  // A snapshot as of far in the future: nothing trades after it, so it is the position.
  std::string csv = demo.dir.Write("holdings.csv", "customer_id,market,symbol,quantity,cost,as_of\n" + mine +
                                                       ",SH,600000,1200,15000.00,2030-01-02\n" + mine +
                                                       ",SZ,000001,300,,2030-01-02\n");
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    ASSERT_TRUE(store.ok());
    auto positions = OpenHoldingStore(demo.db);
    ASSERT_TRUE(positions.ok());
    auto imported = ImportHoldingsCsv(**store, **positions, csv);
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    EXPECT_GT(imported->positions, 2) << "everyone's positions are rebuilt";
  }
  Reply after = broker.Get("/api/v1/customers/" + mine + "/holdings");
  EXPECT_EQ(Listed(after), (std::map<std::string, int64_t>{{"SH:600000", 1200}, {"SZ:000001", 300}})) << after.body;
  EXPECT_EQ(Str(after.json["items"].at(0)["snapshot_on"]), "2030-01-02");
  EXPECT_EQ(after.json["items"].at(0)["cost"].get_double().value(), 15000.0);

  // The cube splits by holding: the holders' trades against an independent count.
  ApiClient admin = demo.As("admin");
  Reply cube = admin.Get("/api/v1/analytics/cube?measures=trade_count&by=holds&holds=600000,000001");
  ASSERT_EQ(cube.status, 200) << cube.body;
  std::map<std::string, int64_t> by_holding;
  for (auto row : cube.json["rows"].get_array()) by_holding[Str(row["keys"].at(0))] = int64_t(row["values"].at(0));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(demo.db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT SUM(customer_id IN (SELECT customer_id FROM positions WHERE symbol IN ('600000', '000001'))), "
                               "COUNT(*) FROM trades",
                               -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  int64_t holders_trades = sqlite3_column_int64(s, 0), all_trades = sqlite3_column_int64(s, 1);
  sqlite3_finalize(s);
  sqlite3_close(db);
  EXPECT_GT(holders_trades, 0);
  EXPECT_EQ(by_holding["yes"], holders_trades);
  EXPECT_EQ(by_holding["yes"] + by_holding["no"], all_trades);
  EXPECT_EQ(admin.Get("/api/v1/analytics/cube?measures=trade_count&where=holds=yes").status, 400) << "holds= names the symbols";
  EXPECT_EQ(admin.Get("/api/v1/analytics/cube?measures=trade_count&where=holds=maybe&holds=600000").status, 400);

  // A holding_snapshot event replaces one line of the day; a replay changes nothing;
  // bad lines are refused naming the field.
  auto line = [&](const std::string& id, const std::string& customer, const std::string& quantity) {
    return R"({"event_id":")" + id + R"(","type":"holding_snapshot","data":{"customer_id":")" + customer +
           R"(","market":"SH","symbol":"600000","quantity":)" + quantity + R"(,"as_of":"2030-01-02"}})";
  };
  httplib::Headers key = {{"X-API-Key", demo.api_key}};
  ApiClient feed(demo.port);
  Reply events = feed.Post("/api/v1/events",
                           "[" + line("hold-1", mine, "700") + "," + line("hold-2", "C99999999", "1") + "," +
                               line("hold-3", mine, "-1") + "]",
                           "application/json", key);
  ASSERT_EQ(events.status, 200) << events.body;
  EXPECT_EQ(int64_t(events.json["accepted"]), 1);
  EXPECT_EQ(Str(events.json["results"].at(1)["field"]), "customer_id");
  EXPECT_EQ(Str(events.json["results"].at(2)["field"]), "data.quantity");
  EXPECT_EQ(Listed(broker.Get("/api/v1/customers/" + mine + "/holdings")),
            (std::map<std::string, int64_t>{{"SH:600000", 700}, {"SZ:000001", 300}}))
      << "the line replaced, the day's other line kept";
  Reply replay = feed.Post("/api/v1/events", "[" + line("hold-1", mine, "900") + "]", "application/json", key);
  EXPECT_EQ(int64_t(replay.json["duplicates"]), 1);
  EXPECT_EQ(Listed(broker.Get("/api/v1/customers/" + mine + "/holdings"))["SH:600000"], 700);
  // The materialised positions (research matching, the cube) follow the event at once.
  ASSERT_EQ(sqlite3_open_v2(demo.db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT quantity FROM positions WHERE customer_id = ?1 AND symbol = '600000'", -1, &s,
                               nullptr),
            SQLITE_OK);
  sqlite3_bind_text(s, 1, mine.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(s, 0), 700);
  sqlite3_finalize(s);
  sqlite3_close(db);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
