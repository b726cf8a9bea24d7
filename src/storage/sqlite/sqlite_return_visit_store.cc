// The return-visits module's SQLite table.
#include <sqlite3.h>

#include "storage/return_visit_store.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_service_rows.h"

namespace fincrm {
namespace {

constexpr std::string_view kVisitSchema = R"sql(
CREATE TABLE return_visits (
  visit_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL,
  branch_id TEXT,
  broker_id TEXT,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  due_on TEXT NOT NULL,
  closed INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_attempt_at INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '',
  script_version TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  closed_by TEXT NOT NULL DEFAULT '',
  closed_at INTEGER NOT NULL DEFAULT 0,
  retain_until TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (reason, source)
);
CREATE INDEX return_visits_by_customer ON return_visits(customer_id, visit_id);
CREATE INDEX return_visits_open_by_due ON return_visits(due_on) WHERE closed = 0;
CREATE INDEX return_visits_by_branch_due ON return_visits(branch_id, due_on);
)sql";

constexpr Migration kVisitMigrations[] = {
    {1, "return visits with attempts, outcomes and evidence retention", kVisitSchema},
};

constexpr std::string_view kColumns =
    "visit_id, customer_id, branch_id, broker_id, reason, source, due_on, closed, attempts, last_attempt_at, outcome, "
    "script_version, notes, closed_by, closed_at, retain_until, created_at";

ReturnVisit ReadVisit(const SqliteStatement& s) {
  ReturnVisit v;
  int64_t number = 0;
  s.Read(0, v.visit_id);
  s.Read(1, v.customer_id);
  s.Read(2, v.branch_id);
  s.Read(3, v.broker_id);
  s.Read(4, v.reason);
  s.Read(5, v.source);
  s.Read(6, v.due_on);
  s.Read(7, number);
  v.closed = number != 0;
  s.Read(8, number);
  v.attempts = static_cast<int>(number);
  s.Read(9, v.last_attempt_at);
  s.Read(10, v.outcome);
  s.Read(11, v.script_version);
  s.Read(12, v.notes);
  s.Read(13, v.closed_by);
  s.Read(14, v.closed_at);
  std::optional<Date> retain;
  s.Read(15, retain);
  v.retain_until = retain.value_or(Date{});
  s.Read(16, v.created_at);
  return v;
}

class SqliteReturnVisitStore final : public ReturnVisitStore {
 public:
  explicit SqliteReturnVisitStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<std::vector<bool>> Plan(const std::vector<ReturnVisit>& visits) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared(
        "INSERT INTO return_visits (customer_id, branch_id, broker_id, reason, source, due_on, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (reason, source) DO NOTHING");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    std::vector<bool> fresh;
    fresh.reserve(visits.size());
    for (const ReturnVisit& v : visits) {
      s.Bind(1, std::string_view(v.customer_id));
      s.Bind(2, v.branch_id);
      s.Bind(3, v.broker_id);
      s.Bind(4, v.reason);
      s.Bind(5, std::string_view(v.source));
      s.Bind(6, v.due_on);
      s.Bind(7, v.created_at);
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "planning the return visit"));
      fresh.push_back(db_->Changes() == 1);
      s.Reset();
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return fresh;
  }

  Result<ReturnVisit> Get(int64_t visit_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kColumns) + " FROM return_visits WHERE visit_id = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, visit_id);
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      ReturnVisit visit = ReadVisit(**query);
      (*query)->Reset();
      return visit;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the return visit"));
    return NotFound("no return visit " + std::to_string(visit_id), "visit_id");
  }

  Status Update(const ReturnVisit& v) override {
    auto update = db_->Prepared(
        "UPDATE return_visits SET closed = ?2, attempts = ?3, last_attempt_at = ?4, outcome = ?5, script_version = ?6, "
        "notes = ?7, closed_by = ?8, closed_at = ?9, retain_until = ?10 WHERE visit_id = ?1");
    if (!update.ok()) return update.status();
    SqliteStatement& s = **update;
    s.Bind(1, v.visit_id);
    s.Bind(2, int64_t{v.closed});
    s.Bind(3, int64_t{v.attempts});
    s.Bind(4, v.last_attempt_at);
    s.Bind(5, std::string_view(v.outcome));
    s.Bind(6, std::string_view(v.script_version));
    s.Bind(7, std::string_view(v.notes));
    s.Bind(8, std::string_view(v.closed_by));
    s.Bind(9, v.closed_at);
    if (v.retain_until.days) s.Bind(10, v.retain_until);
    else s.BindNull(10);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "recording the return visit"));
    if (db_->Changes() != 1) return NotFound("no return visit " + std::to_string(v.visit_id), "visit_id");
    return Status::Ok();
  }

  Status UpdateAll(const std::vector<ReturnVisit>& visits) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    for (const ReturnVisit& v : visits) FINCRM_RETURN_IF_ERROR(Update(v));
    return transaction.Commit();
  }

  Result<std::vector<ReturnVisit>> List(const ReturnVisitQuery& q) override {
    // ?2: 0 due, 1 overdue, 2 done. Only the filters that are set are in the text, so
    // that SQLite can use the customer's index (see SqliteTicketStore::List).
    std::string sql = "SELECT " + std::string(kColumns) + " FROM return_visits WHERE visit_id > ?1";
    if (q.status) {
      sql += " AND ((?2 = 2 AND closed = 1) OR (?2 = 1 AND closed = 0 AND due_on < ?3) OR "
             "(?2 = 0 AND closed = 0 AND due_on >= ?3))";
    }
    if (!q.customer_id.empty()) sql += " AND customer_id = ?4";
    if (!q.branch_id.empty()) sql += " AND branch_id = ?5";
    if (!q.broker_id.empty()) sql += " AND broker_id = ?6";
    sql += " ORDER BY visit_id LIMIT ?7";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, q.after);
    if (q.status) s.Bind(2, static_cast<int64_t>(*q.status));
    else s.BindNull(2);
    s.Bind(3, q.today);
    s.Bind(4, q.customer_id);
    s.Bind(5, q.branch_id);
    s.Bind(6, q.broker_id);
    s.Bind(7, int64_t{q.limit});
    std::vector<ReturnVisit> visits;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) visits.push_back(ReadVisit(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing return visits"));
    return visits;
  }

  Result<std::vector<VisitQuota>> Quota(Date from, Date to, Date today, const std::string& branch_id) override {
    auto query = db_->Prepared(
        "SELECT COALESCE(branch_id, ''), COUNT(*), SUM(closed), SUM(closed = 0 AND due_on < ?3) FROM return_visits "
        "WHERE due_on >= ?1 AND due_on <= ?2 AND (?4 IS NULL OR branch_id = ?4) GROUP BY branch_id ORDER BY branch_id");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, from);
    s.Bind(2, to);
    s.Bind(3, today);
    s.Bind(4, branch_id);
    std::vector<VisitQuota> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      VisitQuota& row = rows.emplace_back();
      s.Read(0, row.branch_id);
      s.Read(1, row.required);
      s.Read(2, row.done);
      s.Read(3, row.overdue);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting return visits"));
    return rows;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

std::string_view ReturnVisitColumns() { return kColumns; }
ReturnVisit ReadReturnVisitRow(const SqliteStatement& statement) { return ReadVisit(statement); }

Result<std::unique_ptr<ReturnVisitStore>> OpenReturnVisitStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "return_visits", kVisitMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ReturnVisitStore>(new SqliteReturnVisitStore(std::move(*db)));
}

}  // namespace fincrm
