// Analytics benchmark, in one process: the same synthetic trades go into FinCRM's
// fact tables and into SQLite (in memory), and three queries run on both:
//   RFM  — recency, frequency, monetary and quintile scores per customer
//   KPI  — commission and active customers per branch × month
//   cube — commission and amount by quarter × channel for one market, top 10
// The trades are defined by formulas (see Trade below) so that other peers (DuckDB,
// bench/analytics/duckdb_peer.mjs) can build the identical table themselves.
//   analytics_bench TRADES CUSTOMERS [--no-sqlite]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "analytics/cube.h"
#include "analytics/customer_metrics.h"
#include "analytics/rfm.h"
#include "storage/open_store.h"

namespace {

using fincrm::FactTables;

constexpr int32_t kFirstDay = 20000;  // 2024-10-04
constexpr int32_t kDays = 730;
constexpr int32_t kAsOf = kFirstDay + kDays - 1;

struct Trade {
  uint32_t customer;
  int32_t day;
  int64_t amount, commission;
  int channel, market, product;
};

Trade Make(uint64_t i, uint64_t customers) {
  Trade t;
  t.customer = static_cast<uint32_t>(i * 2654435761ULL % customers);
  t.day = kFirstDay + static_cast<int32_t>(i * 7919 % kDays);
  t.amount = 100000 + static_cast<int64_t>(i * 104729 % 10000000);
  t.commission = std::max<int64_t>(500, t.amount * 25 / 100000);
  t.channel = static_cast<int>(i * 13 % 5);
  t.market = static_cast<int>(i * 17 % 4);
  t.product = static_cast<int>(i * 19 % 4);
  return t;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class Fn>
double Best(int runs, Fn&& fn) {
  double best = 1e100;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, Seconds(start));
  }
  return best;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s\n", error);
    std::exit(1);
  }
}

int64_t CountRows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
  int64_t rows = 0;
  while (sqlite3_step(statement) == SQLITE_ROW) ++rows;
  sqlite3_finalize(statement);
  return rows;
}

}  // namespace

// `analytics_bench --load DB`: how long loading a store's facts takes, part by part.
int Load(const char* path) {
  auto store = fincrm::OpenStore(path, {.migrate = false, .create = false});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  fincrm::FactLoadTimings timings;
  auto facts = FactTables::Load(**store, &timings);
  if (!facts.ok()) return 1;
  std::printf("loaded %zu customers (%.2f s), %zu trades (%.2f s), %zu asset snapshots (%.2f s), "
              "%zu interactions (%.2f s); clustered by customer in %.2f s\n",
              facts->customer_count(), timings.customers, facts->trades().size(), timings.trades,
              facts->assets().size(), timings.assets, facts->interactions().size(), timings.interactions,
              timings.clustering);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--load") == 0) return Load(argv[2]);
  if (argc < 3) {
    std::fprintf(stderr, "usage: analytics_bench TRADES CUSTOMERS [--no-sqlite]\n");
    return 2;
  }
  uint64_t trades = std::strtoull(argv[1], nullptr, 10), customers = std::strtoull(argv[2], nullptr, 10);
  bool with_sqlite = !(argc > 3 && std::strcmp(argv[3], "--no-sqlite") == 0);

  auto start = std::chrono::steady_clock::now();
  FactTables facts;
  for (uint64_t c = 0; c < customers; ++c) {
    fincrm::Customer customer;
    char id[16];
    std::snprintf(id, sizeof id, "C%08llu", static_cast<unsigned long long>(c));
    customer.customer_id = id;
    customer.branch_id = "B" + std::to_string(c % 20);
    customer.province = "P";
    customer.open_date = fincrm::Date{kFirstDay - 1000};
    facts.UpsertCustomer(customer);
  }
  for (uint64_t i = 0; i < trades; ++i) {
    Trade t = Make(i, customers);
    facts.AppendTradeFact(t.customer, t.day, t.amount, t.commission, fincrm::kNoCode,
                          fincrm::PackTradeKind(static_cast<fincrm::Market>(t.market),
                                                static_cast<fincrm::ProductType>(t.product), fincrm::TradeSide::kBuy,
                                                static_cast<fincrm::TradeChannel>(t.channel)));
  }
  facts.ClusterByCustomer();
  double load = Seconds(start);

  int64_t ours_rfm_rows = 0;
  double ours_rfm = Best(3, [&] {
    auto rfm = fincrm::ComputeRfm(facts, fincrm::Date{kAsOf});
    ours_rfm_rows = static_cast<int64_t>(rfm.size());
  });
  auto run_cube = [&](const char* measures, const char* by, const char* where, int top) {
    auto query = fincrm::ParseCubeQuery(measures, by, where, "", "", top);
    auto result = fincrm::RunCube(facts, {}, *query);
    return static_cast<int64_t>(result->rows.size());
  };
  int64_t ours_kpi_rows = 0, ours_cube_rows = 0;
  double ours_kpi = Best(3, [&] { ours_kpi_rows = run_cube("commission,active_customers", "branch,month", "", 0); });
  double ours_cube = Best(3, [&] { ours_cube_rows = run_cube("commission,trade_amount", "quarter,channel", "market=SH", 10); });

  std::printf("data: %llu trades, %llu customers (fact tables built in %.2f s, %.1f bytes per trade)\n",
              static_cast<unsigned long long>(trades), static_cast<unsigned long long>(customers), load,
              (4 + 4 + 8 + 8 + 4 + 1) * 1.0);
  std::printf("%-6s %12s %12s %8s\n", "query", "fincrm s", "sqlite s", "ratio");
  if (!with_sqlite) {
    std::printf("rfm    %12.3f\nkpi    %12.3f\ncube   %12.3f\n", ours_rfm, ours_kpi, ours_cube);
    return 0;
  }
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  Exec(db, "PRAGMA cache_size=-4000000");
  Exec(db, "CREATE TABLE trades (customer INTEGER, day INTEGER, amount INTEGER, commission INTEGER, channel INTEGER, market INTEGER, product INTEGER)");
  Exec(db, "BEGIN");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO trades VALUES (?,?,?,?,?,?,?)", -1, &insert, nullptr);
  for (uint64_t i = 0; i < trades; ++i) {
    Trade t = Make(i, customers);
    sqlite3_bind_int64(insert, 1, t.customer);
    sqlite3_bind_int64(insert, 2, t.day);
    sqlite3_bind_int64(insert, 3, t.amount);
    sqlite3_bind_int64(insert, 4, t.commission);
    sqlite3_bind_int64(insert, 5, t.channel);
    sqlite3_bind_int64(insert, 6, t.market);
    sqlite3_bind_int64(insert, 7, t.product);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  Exec(db, "COMMIT");
  std::string as_of = std::to_string(kAsOf), window = std::to_string(kAsOf - 365);
  std::string rfm =
      "SELECT customer, ntile(5) OVER (ORDER BY -recency) r, ntile(5) OVER (ORDER BY f) fs, "
      "ntile(5) OVER (ORDER BY m) ms FROM (SELECT customer, " + as_of + " - max(day) recency, "
      "sum(day > " + window + ") f, sum(CASE WHEN day > " + window + " THEN commission ELSE 0 END) m "
      "FROM trades WHERE day <= " + as_of + " GROUP BY customer)";
  std::string kpi =
      "SELECT customer % 20, strftime('%Y-%m', day * 86400, 'unixepoch') month, sum(commission), "
      "count(DISTINCT customer) FROM trades GROUP BY 1, 2";
  std::string cube =
      "SELECT strftime('%Y', day * 86400, 'unixepoch') || '-Q' || ((CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) + 2) / 3) q, "
      "channel, sum(commission) c, sum(amount) FROM trades WHERE market = 0 GROUP BY 1, 2 ORDER BY c DESC LIMIT 10";
  int64_t sqlite_rfm_rows = 0, sqlite_kpi_rows = 0, sqlite_cube_rows = 0;
  double sqlite_rfm = Best(1, [&] { sqlite_rfm_rows = CountRows(db, rfm); });
  double sqlite_kpi = Best(1, [&] { sqlite_kpi_rows = CountRows(db, kpi); });
  double sqlite_cube = Best(1, [&] { sqlite_cube_rows = CountRows(db, cube); });
  sqlite3_close(db);
  std::printf("rfm    %12.3f %12.3f %7.1fx   (rows %lld / %lld)\n", ours_rfm, sqlite_rfm, sqlite_rfm / ours_rfm,
              static_cast<long long>(ours_rfm_rows), static_cast<long long>(sqlite_rfm_rows));
  std::printf("kpi    %12.3f %12.3f %7.1fx   (rows %lld / %lld)\n", ours_kpi, sqlite_kpi, sqlite_kpi / ours_kpi,
              static_cast<long long>(ours_kpi_rows), static_cast<long long>(sqlite_kpi_rows));
  std::printf("cube   %12.3f %12.3f %7.1fx   (rows %lld / %lld)\n", ours_cube, sqlite_cube, sqlite_cube / ours_cube,
              static_cast<long long>(ours_cube_rows), static_cast<long long>(sqlite_cube_rows));
  return 0;
}
