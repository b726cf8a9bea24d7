// The next-best-action module's SQLite table.
#include <sqlite3.h>

#include "storage/nba_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kNbaSchema = R"sql(
CREATE TABLE nba_outcomes (
  outcome_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL,
  action TEXT NOT NULL,
  accepted INTEGER NOT NULL,
  note TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at INTEGER NOT NULL
);
CREATE INDEX nba_outcomes_by_customer ON nba_outcomes(customer_id, decided_at);
)sql";

constexpr Migration kNbaMigrations[] = {{1, "next-best-action outcomes: accepted or dismissed", kNbaSchema}};

class SqliteNbaStore final : public NbaStore {
 public:
  explicit SqliteNbaStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Record(const NbaOutcome& o) override {
    auto insert = db_->Prepared(
        "INSERT INTO nba_outcomes (customer_id, action, accepted, note, decided_by, decided_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    s.Bind(1, std::string_view(o.customer_id));
    s.Bind(2, std::string_view(o.action));
    s.Bind(3, int64_t{o.accepted});
    s.Bind(4, std::string_view(o.note));
    s.Bind(5, std::string_view(o.decided_by));
    s.Bind(6, o.decided_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "recording the outcome"));
    return db_->LastInsertId();
  }

  Result<std::vector<NbaOutcome>> Outcomes(const std::string& customer_id, int limit) override {
    auto query = db_->Prepared(
        "SELECT outcome_id, customer_id, action, accepted, note, decided_by, decided_at FROM nba_outcomes "
        "WHERE customer_id = ?1 ORDER BY decided_at DESC, outcome_id DESC LIMIT ?2");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    s.Bind(2, int64_t{limit});
    std::vector<NbaOutcome> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      NbaOutcome& o = rows.emplace_back();
      s.Read(0, o.outcome_id);
      s.Read(1, o.customer_id);
      s.Read(2, o.action);
      o.accepted = s.Int(3) != 0;
      s.Read(4, o.note);
      s.Read(5, o.decided_by);
      s.Read(6, o.decided_at);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading outcomes"));
    return rows;
  }

  Result<std::map<std::string, NbaAcceptance>> Acceptance() override {
    auto query = db_->Prepared("SELECT action, SUM(accepted), SUM(accepted = 0) FROM nba_outcomes GROUP BY action");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    std::map<std::string, NbaAcceptance> counts;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) counts[std::string(s.Text(0))] = {s.Int(1), s.Int(2)};
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting outcomes"));
    return counts;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<NbaStore>> OpenNbaStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "nba", kNbaMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<NbaStore>(new SqliteNbaStore(std::move(*db)));
}

}  // namespace fincrm
