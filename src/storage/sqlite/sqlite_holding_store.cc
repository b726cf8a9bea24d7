// The holdings module's SQLite tables. Positions are derived with the main schema's
// `trades` (clustered by customer and time, so one customer's trades are one range).
#include <sqlite3.h>

#include <set>

#include "storage/holding_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kHoldingSchema = R"sql(
CREATE TABLE holding_snapshots (
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  as_of TEXT NOT NULL,
  market TEXT NOT NULL,
  symbol TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  through_time INTEGER NOT NULL,
  PRIMARY KEY (customer_id, as_of, market, symbol)
) WITHOUT ROWID;
CREATE TABLE positions (
  customer_id TEXT NOT NULL,
  market TEXT NOT NULL,
  symbol TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (customer_id, market, symbol)
) WITHOUT ROWID;
CREATE INDEX positions_by_symbol ON positions(symbol, customer_id);
)sql";

constexpr Migration kHoldingMigrations[] = {
    {1, "holdings snapshots and the positions derived from them and the trades", kHoldingSchema},
};

// Materialises positions: every customer's, or (with a parameter such as "?1") one's.
std::string PositionsSql(std::string_view customer) {
  std::string where = customer.empty() ? "" : " WHERE customer_id = " + std::string(customer);
  return R"sql(
      WITH latest AS (SELECT customer_id, MAX(as_of) AS as_of, MAX(through_time) AS through_time
                      FROM holding_snapshots)sql" + where + R"sql( GROUP BY customer_id)
      INSERT INTO positions (customer_id, market, symbol, quantity)
      SELECT customer_id, market, symbol, SUM(q) FROM (
        SELECT s.customer_id, s.market, s.symbol, s.quantity AS q FROM holding_snapshots s
          JOIN latest l ON l.customer_id = s.customer_id AND l.as_of = s.as_of
        UNION ALL
        SELECT t.customer_id, t.market, t.symbol, CASE t.side WHEN 'buy' THEN t.quantity ELSE -t.quantity END
          FROM trades t LEFT JOIN latest l ON l.customer_id = t.customer_id
          WHERE (l.through_time IS NULL OR t.trade_time >= l.through_time))sql" +
         (customer.empty() ? std::string() : " AND t.customer_id = " + std::string(customer)) + R"sql()
      GROUP BY customer_id, market, symbol HAVING SUM(q) > 0)sql";
}

class SqliteHoldingStore final : public HoldingStore {
 public:
  explicit SqliteHoldingStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<SnapshotSummary> PutSnapshots(const std::vector<Holding>& rows) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto clear = db_->Prepared("DELETE FROM holding_snapshots WHERE customer_id = ?1 AND as_of = ?2");
    if (!clear.ok()) return clear.status();
    auto insert = db_->Prepared(kInsertLine);
    if (!insert.ok()) return insert.status();
    SnapshotSummary summary;
    std::set<std::pair<std::string, int32_t>> replaced;
    for (const Holding& h : rows) {
      if (replaced.emplace(h.customer_id, h.as_of.days).second) {
        (*clear)->Bind(1, std::string_view(h.customer_id));
        (*clear)->Bind(2, h.as_of);
        FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*clear)->Step(), "replacing the snapshot"));
        (*clear)->Reset();
        ++summary.customers;
      }
      FINCRM_RETURN_IF_ERROR(InsertLine(**insert, h));
      ++summary.rows;
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return summary;
  }

  Result<std::vector<Position>> Positions(const std::string& customer_id) override {
    auto query = db_->Prepared(R"sql(
      WITH latest AS (SELECT as_of, through_time FROM holding_snapshots WHERE customer_id = ?1
                      ORDER BY as_of DESC LIMIT 1),
      moves AS (
        SELECT market, symbol, quantity AS q, cost AS c, 0 AS n, 0 AS at FROM holding_snapshots
          WHERE customer_id = ?1 AND as_of = (SELECT as_of FROM latest)
        UNION ALL
        SELECT market, symbol, CASE side WHEN 'buy' THEN quantity ELSE -quantity END, 0, 1, trade_time FROM trades
          WHERE customer_id = ?1 AND trade_time >= COALESCE((SELECT through_time FROM latest), -9223372036854775807))
      SELECT market, symbol, SUM(q), SUM(c), SUM(n), MAX(at), (SELECT as_of FROM latest) FROM moves
      GROUP BY market, symbol HAVING SUM(q) > 0 ORDER BY market, symbol)sql");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    std::vector<Position> positions;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Position& p = positions.emplace_back();
      s.Read(0, p.market);
      s.Read(1, p.symbol);
      s.Read(2, p.quantity);
      s.Read(3, p.cost);
      s.Read(4, p.trades_since);
      s.Read(5, p.last_trade_at);
      s.Read(6, p.snapshot_on);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "deriving the positions"));
    return positions;
  }

  Result<int64_t> RebuildPositions() override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    FINCRM_RETURN_IF_ERROR(db_->Execute("DELETE FROM positions"));
    FINCRM_RETURN_IF_ERROR(db_->Execute(PositionsSql("")));
    int64_t count = db_->Changes();
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return count;
  }

  Status PutLines(const std::vector<Holding>& lines) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared(kInsertLine);
    if (!insert.ok()) return insert.status();
    std::set<std::string> customers;
    for (const Holding& h : lines) {
      FINCRM_RETURN_IF_ERROR(InsertLine(**insert, h));
      customers.insert(h.customer_id);
    }
    auto clear = db_->Prepared("DELETE FROM positions WHERE customer_id = ?1");
    if (!clear.ok()) return clear.status();
    auto derive = db_->Prepared(PositionsSql("?1"));
    if (!derive.ok()) return derive.status();
    for (const std::string& customer : customers) {
      for (SqliteStatement* s : {*clear, *derive}) {
        s->Bind(1, std::string_view(customer));
        FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s->Step(), "refreshing the positions"));
        s->Reset();
      }
    }
    return transaction.Commit();
  }

  Result<std::vector<std::string>> Holders(const std::vector<std::string>& symbols) override {
    std::vector<std::string> holders;
    if (symbols.empty()) return holders;
    std::string sql = "SELECT DISTINCT customer_id FROM positions WHERE symbol IN (";
    for (size_t i = 0; i < symbols.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    sql += ") ORDER BY customer_id";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    for (size_t i = 0; i < symbols.size(); ++i) s.Bind(static_cast<int>(i + 1), std::string_view(symbols[i]));
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) s.Read(0, holders.emplace_back());
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding the holders"));
    return holders;
  }

 private:
  static constexpr std::string_view kInsertLine =
      "INSERT INTO holding_snapshots (customer_id, as_of, market, symbol, quantity, cost, through_time) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO UPDATE SET quantity = excluded.quantity, cost = excluded.cost";

  Status InsertLine(SqliteStatement& s, const Holding& h) {
    s.Bind(1, std::string_view(h.customer_id));
    s.Bind(2, h.as_of);
    s.Bind(3, h.market);
    s.Bind(4, std::string_view(h.symbol));
    s.Bind(5, h.quantity);
    s.Bind(6, h.cost);
    // Trades from the next Shanghai midnight on move the position on.
    s.Bind(7, ShanghaiTime(Date{h.as_of.days + 1}, 0, 0, 0));
    Status stepped = StepStatus(*db_, s.Step(), "storing the holding");
    s.Reset();
    return stepped;
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<HoldingStore>> OpenHoldingStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "holdings", kHoldingMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<HoldingStore>(new SqliteHoldingStore(std::move(*db)));
}

}  // namespace fincrm
