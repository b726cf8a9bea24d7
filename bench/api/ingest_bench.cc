// Event ingest throughput: POST /api/v1/events with batches of trades for real
// customers of the served database, from several connections at once, counting
// events durably committed per second (a 200 means committed). The peer is SQLite
// itself in this process: the same trade rows inserted with prepared statements into
// an equivalent table in a scratch file, one transaction per batch, WAL with
// synchronous=FULL — the cost of durability alone, without HTTP, JSON, validation,
// idempotency or the audit trail.
//
// Usage: ingest_bench HOST PORT TOKEN DB [BATCHES=200] [BATCH_SIZE=1000] [CONNECTIONS=8] [EVENTS_PER_SECOND]
// With EVENTS_PER_SECOND the batches are sent at that steady rate (a trading day's
// stream rather than a burst) and the peer is skipped.
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/json_writer.h"
#include "storage/open_store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Owner {
  std::string customer_id, account_id;
};

std::string Batch(const std::vector<Owner>& owners, const std::string& run, int batch, int size) {
  fincrm::JsonWriter json;
  json.BeginArray();
  for (int i = 0; i < size; ++i) {
    const Owner& owner = owners[(static_cast<size_t>(batch) * size + i) * 7919 % owners.size()];
    std::string id = run + "-" + std::to_string(batch) + "-" + std::to_string(i);
    json.BeginObject().Field("event_id", "ev-" + id).Field("type", "trade").Key("data").BeginObject();
    json.Field("trade_id", "TB-" + id)
        .Field("customer_id", owner.customer_id)
        .Field("account_id", owner.account_id)
        .Field("trade_time", "2026-10-30T10:" + std::to_string(10 + i % 50) + ":00+08:00")
        .Field("market", i % 2 ? "SH" : "SZ")
        .Field("symbol", i % 2 ? "600519" : "000001")
        .Field("product_type", "stock")
        .Field("side", i % 3 ? "buy" : "sell")
        .Field("quantity", int64_t{100 * (1 + i % 9)});
    json.Key("price").RawNumber("12.345").Key("amount").RawNumber("1234.50").Key("commission").RawNumber("0.37");
    json.Field("channel", "app").EndObject().EndObject();
  }
  json.EndArray();
  return json.Take();
}

double SqlitePeer(int batches, int size) {
  std::string path = "/tmp/fincrm-ingest-peer.db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE trades (trade_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, account_id TEXT NOT NULL,"
               " trade_time INTEGER NOT NULL, market TEXT NOT NULL, symbol TEXT NOT NULL, product_type TEXT NOT NULL,"
               " side TEXT NOT NULL, quantity INTEGER NOT NULL, price INTEGER NOT NULL, amount INTEGER NOT NULL,"
               " commission INTEGER NOT NULL, channel TEXT NOT NULL) WITHOUT ROWID;"
               "CREATE INDEX trades_by_customer_time ON trades(customer_id, trade_time);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &insert, nullptr);
  auto start = Clock::now();
  for (int b = 0; b < batches; ++b) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < size; ++i) {
      std::string id = "TB-" + std::to_string(b) + "-" + std::to_string(i);
      std::string customer = "C" + std::to_string(10000000 + (b * size + i) * 7919 % 100000);
      sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 2, customer.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 3, ("A" + customer).c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 4, 1793327400 + i);
      sqlite3_bind_text(insert, 5, i % 2 ? "SH" : "SZ", -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 6, i % 2 ? "600519" : "000001", -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 7, "stock", -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 8, i % 3 ? "buy" : "sell", -1, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 9, 100 * (1 + i % 9));
      sqlite3_bind_int64(insert, 10, 12345);
      sqlite3_bind_int64(insert, 11, 123450);
      sqlite3_bind_int64(insert, 12, 37);
      sqlite3_bind_text(insert, 13, "app", -1, SQLITE_STATIC);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return static_cast<double>(batches) * size / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: ingest_bench HOST PORT TOKEN DB [BATCHES] [BATCH_SIZE] [CONNECTIONS]\n");
    return 2;
  }
  std::string host = argv[1], token = argv[3], db = argv[4];
  int port = std::atoi(argv[2]);
  int batches = argc > 5 ? std::atoi(argv[5]) : 200;
  int size = argc > 6 ? std::atoi(argv[6]) : 1000;
  int connections = argc > 7 ? std::atoi(argv[7]) : 8;
  double paced_rate = argc > 8 ? std::atof(argv[8]) : 0;

  std::vector<Owner> owners;
  {
    auto store = fincrm::OpenStore(db, {.migrate = false, .create = false});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().message().c_str());
      return 1;
    }
    (void)(*store)->ForEach([&](const fincrm::Account& account) {
      if (!account.close_date) owners.push_back({account.customer_id, account.account_id});
      return true;
    });
  }
  if (owners.empty()) return 1;
  std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  std::vector<std::string> bodies;
  for (int b = 0; b < batches; ++b) bodies.push_back(Batch(owners, run, b, size));

  std::atomic<int> next{0};
  std::atomic<int64_t> accepted{0}, failed{0};
  std::mutex latency_mutex;
  std::vector<double> latencies_ms;  // of each request
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      httplib::Client client(host, port);
      client.set_read_timeout(120);
      client.set_tcp_nodelay(true);
      httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      for (int b; (b = next++) < batches;) {
        if (paced_rate > 0) {  // batch b leaves at its slot of the steady stream
          std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(b * size / paced_rate)));
        }
        auto sent = Clock::now();
        auto response = client.Post("/api/v1/events", headers, bodies[b], "application/json");
        {
          std::lock_guard lock(latency_mutex);
          latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        }
        if (!response || response->status != 200) {
          ++failed;
          continue;
        }
        auto at = response->body.find("\"accepted\":");
        accepted += std::atoll(response->body.c_str() + at + 11);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double ours = accepted / seconds;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) { return latencies_ms[static_cast<size_t>(p * (latencies_ms.size() - 1))]; };
  if (paced_rate > 0) {
    std::printf("ingest: %lld events accepted in %.2f s at a steady %.0f events/s (%lld failed requests)\n",
                static_cast<long long>(accepted.load()), seconds, paced_rate, static_cast<long long>(failed.load()));
    std::printf("request latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", percentile(0.5), percentile(0.99),
                latencies_ms.back());
    return failed > 0 ? 1 : 0;
  }
  double peer = SqlitePeer(batches, size);
  std::printf("ingest: %lld events accepted in %.2f s over %d connections (batches of %d, %lld failed requests)\n",
              static_cast<long long>(accepted.load()), seconds, connections, size,
              static_cast<long long>(failed.load()));
  std::printf("%-28s %12.0f events/s\n", "fincrm POST /api/v1/events", ours);
  std::printf("%-28s %12.0f rows/s\n", "sqlite prepared inserts", peer);
  std::printf("ratio (fincrm / sqlite)       %11.2fx\n", ours / peer);
  return failed > 0 ? 1 : 0;
}
