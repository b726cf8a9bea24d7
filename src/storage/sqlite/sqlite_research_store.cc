// The research module's SQLite tables. Deliveries are read with the customers' scope
// fields from the main schema's `customers` (the same database file).
#include <sqlite3.h>

#include "storage/research_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kResearchSchema = R"sql(
CREATE TABLE research_reports (
  report_id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  industry TEXT NOT NULL,
  symbols TEXT NOT NULL,
  rating TEXT,
  target_price INTEGER,
  risk_level TEXT NOT NULL,
  min_tier TEXT NOT NULL,
  state TEXT NOT NULL,
  author TEXT NOT NULL,
  author_registration TEXT NOT NULL,
  reviewer TEXT NOT NULL DEFAULT '',
  reviewer_registration TEXT NOT NULL DEFAULT '',
  review_note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL DEFAULT 0,
  reviewed_at INTEGER NOT NULL DEFAULT 0,
  published_at INTEGER NOT NULL DEFAULT 0,
  withdrawn_at INTEGER NOT NULL DEFAULT 0,
  embargo_until INTEGER NOT NULL DEFAULT 0,
  retain_until TEXT
);
CREATE TABLE research_deliveries (
  report_id INTEGER NOT NULL REFERENCES research_reports(report_id),
  customer_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  delivered INTEGER NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  visible_at INTEGER NOT NULL,
  read_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (report_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX research_deliveries_by_customer ON research_deliveries(customer_id, visible_at) WHERE delivered = 1;
CREATE TABLE securities (
  market TEXT NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  industry TEXT NOT NULL,
  PRIMARY KEY (market, symbol)
) WITHOUT ROWID;
)sql";

constexpr Migration kResearchMigrations[] = {
    {1, "research reports with their review, deliveries and reads, and the security master", kResearchSchema},
};

constexpr std::string_view kReportColumns =
    "r.report_id, r.title, r.summary, r.body, r.industry, r.symbols, r.rating, r.target_price, r.risk_level, "
    "r.min_tier, r.state, r.author, r.author_registration, r.reviewer, r.reviewer_registration, r.review_note, "
    "r.created_at, r.submitted_at, r.reviewed_at, r.published_at, r.withdrawn_at, r.embargo_until, r.retain_until";
constexpr int kReportColumnCount = 23;
constexpr std::string_view kDeliveryColumns =
    "d.report_id, d.customer_id, d.channel, d.delivered, d.rule, d.reason, d.visible_at, d.read_at";

std::string JoinSymbols(const std::vector<std::string>& symbols) {
  std::string text;
  for (const std::string& s : symbols) text += (text.empty() ? "" : ",") + s;
  return text;
}

ResearchReport ReadReport(const SqliteStatement& s) {
  ResearchReport r;
  s.Read(0, r.report_id);
  s.Read(1, r.title);
  s.Read(2, r.summary);
  s.Read(3, r.body);
  s.Read(4, r.industry);
  std::string symbols;
  s.Read(5, symbols);
  for (size_t start = 0; start < symbols.size();) {
    size_t end = symbols.find(',', start);
    if (end == std::string::npos) end = symbols.size();
    r.symbols.push_back(symbols.substr(start, end - start));
    start = end + 1;
  }
  s.Read(6, r.rating);
  s.Read(7, r.target_price);
  s.Read(8, r.risk_level);
  s.Read(9, r.min_tier);
  s.Read(10, r.state);
  s.Read(11, r.author);
  s.Read(12, r.author_registration);
  s.Read(13, r.reviewer);
  s.Read(14, r.reviewer_registration);
  s.Read(15, r.review_note);
  s.Read(16, r.created_at);
  s.Read(17, r.submitted_at);
  s.Read(18, r.reviewed_at);
  s.Read(19, r.published_at);
  s.Read(20, r.withdrawn_at);
  s.Read(21, r.embargo_until);
  std::optional<Date> retain;
  s.Read(22, retain);
  r.retain_until = retain.value_or(Date{});
  return r;
}

ResearchDelivery ReadDelivery(const SqliteStatement& s, int first) {
  ResearchDelivery d;
  s.Read(first, d.report_id);
  s.Read(first + 1, d.customer_id);
  s.Read(first + 2, d.channel);
  d.delivered = s.Int(first + 3) != 0;
  s.Read(first + 4, d.rule);
  s.Read(first + 5, d.reason);
  s.Read(first + 6, d.visible_at);
  s.Read(first + 7, d.read_at);
  return d;
}

class SqliteResearchStore final : public ResearchStore {
 public:
  explicit SqliteResearchStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Create(const ResearchReport& r) override {
    auto insert = db_->Prepared(
        "INSERT INTO research_reports (title, summary, body, industry, symbols, rating, target_price, risk_level, "
        "min_tier, state, author, author_registration, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    std::string symbols = JoinSymbols(r.symbols);  // bound without a copy
    s.Bind(1, std::string_view(r.title));
    s.Bind(2, std::string_view(r.summary));
    s.Bind(3, std::string_view(r.body));
    s.Bind(4, std::string_view(r.industry));
    s.Bind(5, std::string_view(symbols));
    s.Bind(6, r.rating);
    if (r.target_price) s.Bind(7, r.target_price->li);
    else s.BindNull(7);
    s.Bind(8, r.risk_level);
    s.Bind(9, std::string_view(r.min_tier));
    s.Bind(10, r.state);
    s.Bind(11, std::string_view(r.author));
    s.Bind(12, std::string_view(r.author_registration));
    s.Bind(13, r.created_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing the report"));
    return db_->LastInsertId();
  }

  Result<ResearchReport> Get(int64_t report_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kReportColumns) + " FROM research_reports r WHERE report_id = ?1");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, report_id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      ResearchReport report = ReadReport(s);
      s.Reset();
      return report;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the report"));
    return NotFound("no research report " + std::to_string(report_id), "report_id");
  }

  Status Transition(const ResearchReport& r, ResearchState expected) override {
    auto update = db_->Prepared(
        "UPDATE research_reports SET state = ?2, reviewer = ?3, reviewer_registration = ?4, review_note = ?5, "
        "submitted_at = ?6, reviewed_at = ?7, published_at = ?8, withdrawn_at = ?9, embargo_until = ?10, "
        "retain_until = ?11 WHERE report_id = ?1 AND state = ?12");
    if (!update.ok()) return update.status();
    SqliteStatement& s = **update;
    s.Bind(1, r.report_id);
    s.Bind(2, r.state);
    s.Bind(3, std::string_view(r.reviewer));
    s.Bind(4, std::string_view(r.reviewer_registration));
    s.Bind(5, std::string_view(r.review_note));
    s.Bind(6, r.submitted_at);
    s.Bind(7, r.reviewed_at);
    s.Bind(8, r.published_at);
    s.Bind(9, r.withdrawn_at);
    s.Bind(10, r.embargo_until);
    if (r.retain_until.days) s.Bind(11, r.retain_until);
    else s.BindNull(11);
    s.Bind(12, expected);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "changing the report's state"));
    if (db_->Changes() != 1) {
      return FailedPrecondition("research report " + std::to_string(r.report_id) + " is no longer " +
                                std::string(EnumCode(expected)));
    }
    return Status::Ok();
  }

  Result<std::vector<ResearchReport>> List(const ResearchQuery& q) override {
    std::string sql = "SELECT " + std::string(kReportColumns) + " FROM research_reports r WHERE 1";
    if (q.state) sql += " AND state = ?1";
    if (q.released_by.seconds) sql += " AND state = 'published' AND embargo_until <= ?2";
    if (q.before) sql += " AND report_id < ?3";
    sql += " ORDER BY report_id DESC LIMIT ?4";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, q.state);
    s.Bind(2, q.released_by);
    s.Bind(3, q.before);
    s.Bind(4, int64_t{q.limit});
    std::vector<ResearchReport> reports;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) reports.push_back(ReadReport(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing reports"));
    return reports;
  }

  Status Publish(const ResearchReport& report, const std::vector<ResearchDelivery>& deliveries) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    FINCRM_RETURN_IF_ERROR(Transition(report, ResearchState::kApproved));
    auto insert = db_->Prepared(
        "INSERT INTO research_deliveries (report_id, customer_id, channel, delivered, rule, reason, visible_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    for (const ResearchDelivery& d : deliveries) {
      s.Bind(1, report.report_id);
      s.Bind(2, std::string_view(d.customer_id));
      s.Bind(3, std::string_view(d.channel));
      s.Bind(4, int64_t{d.delivered});
      s.Bind(5, std::string_view(d.rule));
      s.Bind(6, std::string_view(d.reason));
      s.Bind(7, d.visible_at);
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing the delivery"));
      s.Reset();
    }
    return transaction.Commit();
  }

  Result<std::vector<ResearchDelivery>> Deliveries(const DeliveryQuery& q) override {
    std::string sql = "SELECT " + std::string(kDeliveryColumns) +
                      " FROM research_deliveries d JOIN customers c ON c.customer_id = d.customer_id "
                      "WHERE d.report_id = ?1 AND d.customer_id > ?2";
    if (q.delivered) sql += " AND d.delivered = ?3";
    if (!q.branch_id.empty()) sql += " AND c.branch_id = ?4";
    if (!q.broker_id.empty()) sql += " AND c.broker_id = ?5";
    sql += " ORDER BY d.customer_id LIMIT ?6";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, q.report_id);
    s.Bind(2, std::string_view(q.after));
    s.Bind(3, int64_t{q.delivered.value_or(false)});
    s.Bind(4, q.branch_id);
    s.Bind(5, q.broker_id);
    s.Bind(6, int64_t{q.limit});
    std::vector<ResearchDelivery> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) rows.push_back(ReadDelivery(s, 0));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing deliveries"));
    return rows;
  }

  Result<DeliveryCounts> CountDeliveries(int64_t report_id) override {
    auto query = db_->Prepared(
        "SELECT delivered, rule, COUNT(*), SUM(read_at > 0) FROM research_deliveries WHERE report_id = ?1 "
        "GROUP BY delivered, rule ORDER BY delivered DESC, COUNT(*) DESC");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, report_id);
    DeliveryCounts counts;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      int64_t n = s.Int(2);
      if (s.Int(0)) {
        counts.delivered += n;
        counts.read += s.Int(3);
      } else {
        counts.blocked += n;
        counts.blocked_by_rule.emplace_back(std::string(s.Text(1)), n);
      }
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting deliveries"));
    return counts;
  }

  Status MarkRead(int64_t report_id, const std::string& customer_id, Timestamp at) override {
    auto update = db_->Prepared(
        "UPDATE research_deliveries SET read_at = CASE WHEN read_at = 0 THEN ?3 ELSE read_at END "
        "WHERE report_id = ?1 AND customer_id = ?2 AND delivered = 1 AND visible_at <= ?3");
    if (!update.ok()) return update.status();
    SqliteStatement& s = **update;
    s.Bind(1, report_id);
    s.Bind(2, std::string_view(customer_id));
    s.Bind(3, at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "recording the read"));
    if (db_->Changes() != 1) return NotFound("no research report " + std::to_string(report_id), "report_id");
    return Status::Ok();
  }

  Result<std::vector<FeedItem>> Feed(const std::string& customer_id, Timestamp now, int limit) override {
    auto query = db_->Prepared("SELECT " + std::string(kReportColumns) + ", " + std::string(kDeliveryColumns) +
                               " FROM research_deliveries d JOIN research_reports r ON r.report_id = d.report_id "
                               "WHERE d.customer_id = ?1 AND d.delivered = 1 AND d.visible_at <= ?2 "
                               "AND r.state = 'published' ORDER BY d.visible_at DESC, d.report_id DESC LIMIT ?3");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    s.Bind(2, now);
    s.Bind(3, int64_t{limit});
    std::vector<FeedItem> items;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) items.push_back({ReadReport(s), ReadDelivery(s, kReportColumnCount)});
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the feed"));
    return items;
  }

  Status PutSecurities(const std::vector<Security>& securities) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto upsert = db_->Prepared(
        "INSERT INTO securities (market, symbol, name, industry) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (market, symbol) DO UPDATE SET name = excluded.name, industry = excluded.industry");
    if (!upsert.ok()) return upsert.status();
    SqliteStatement& s = **upsert;
    for (const Security& sec : securities) {
      s.Bind(1, sec.market);
      s.Bind(2, std::string_view(sec.symbol));
      s.Bind(3, std::string_view(sec.name));
      s.Bind(4, std::string_view(sec.industry));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing the security"));
      s.Reset();
    }
    return transaction.Commit();
  }

  Result<std::vector<Security>> Securities() override {
    auto query = db_->Prepared("SELECT market, symbol, name, industry FROM securities ORDER BY market, symbol");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    std::vector<Security> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Security& sec = rows.emplace_back();
      s.Read(0, sec.market);
      s.Read(1, sec.symbol);
      s.Read(2, sec.name);
      s.Read(3, sec.industry);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the security master"));
    return rows;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<ResearchStore>> OpenResearchStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "research", kResearchMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ResearchStore>(new SqliteResearchStore(std::move(*db)));
}

}  // namespace fincrm
