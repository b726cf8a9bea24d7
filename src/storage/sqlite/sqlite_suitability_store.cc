// The suitability module's SQLite tables. The compliance report also counts the
// customers' grades in the main schema's `customers` (the same database file).
#include <sqlite3.h>

#include "storage/sqlite/sqlite_connection.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

constexpr std::string_view kSuitabilitySchema = R"sql(
CREATE TABLE risk_assessments (
  assessment_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL,
  questionnaire_version TEXT NOT NULL,
  answers TEXT NOT NULL,
  score INTEGER NOT NULL,
  category TEXT NOT NULL,
  lowest_category INTEGER NOT NULL,
  channel TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  assessed_at INTEGER NOT NULL,
  valid_until TEXT NOT NULL
);
CREATE INDEX risk_assessments_by_customer ON risk_assessments(customer_id, assessed_at);
CREATE INDEX risk_assessments_by_time ON risk_assessments(assessed_at);
CREATE TABLE professional_investors (
  customer_id TEXT PRIMARY KEY,
  basis TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE suitability_overrides (
  override_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL,
  item_kind TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item_risk TEXT NOT NULL,
  category TEXT NOT NULL,
  warning_text TEXT NOT NULL,
  confirmation TEXT NOT NULL,
  evidence_sha256 TEXT NOT NULL,
  channel TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX suitability_overrides_by_time ON suitability_overrides(recorded_at);
CREATE TABLE suitability_decisions (
  decision_id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  customer_id TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  item_kind TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item_risk TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  rule TEXT NOT NULL,
  allowed INTEGER NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX suitability_decisions_by_time ON suitability_decisions(at);
)sql";

constexpr Migration kSuitabilityMigrations[] = {
    {1, "risk assessments, professional investors, override evidence and the gate's decisions", kSuitabilitySchema},
};

constexpr std::string_view kAssessmentColumns =
    "assessment_id, customer_id, questionnaire_version, answers, score, category, lowest_category, channel, "
    "recorded_by, assessed_at, valid_until";
constexpr std::string_view kOverrideColumns =
    "override_id, customer_id, item_kind, item_id, item_risk, category, warning_text, confirmation, evidence_sha256, "
    "channel, recorded_by, recorded_at";

// "q1=A;q2=C": ids and option codes are the questionnaire's own (letters and digits).
std::string EncodeAnswers(const std::vector<std::pair<std::string, std::string>>& answers) {
  std::string text;
  for (const auto& [question, option] : answers) text += (text.empty() ? "" : ";") + question + "=" + option;
  return text;
}
std::vector<std::pair<std::string, std::string>> DecodeAnswers(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> answers;
  while (!text.empty()) {
    size_t end = text.find(';');
    std::string_view pair = text.substr(0, end);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos) answers.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return answers;
}

RiskAssessment ReadAssessment(const SqliteStatement& s) {
  RiskAssessment a;
  s.Read(0, a.assessment_id);
  s.Read(1, a.customer_id);
  s.Read(2, a.questionnaire_version);
  std::string answers;
  s.Read(3, answers);
  a.answers = DecodeAnswers(answers);
  a.score = static_cast<int>(s.Int(4));
  s.Read(5, a.category);
  a.lowest_category = s.Int(6) != 0;
  s.Read(7, a.channel);
  s.Read(8, a.recorded_by);
  s.Read(9, a.assessed_at);
  s.Read(10, a.valid_until);
  return a;
}

ProfessionalInvestor ReadProfessional(const SqliteStatement& s) {
  ProfessionalInvestor p;
  s.Read(0, p.customer_id);
  s.Read(1, p.basis);
  s.Read(2, p.valid_until);
  s.Read(3, p.recorded_by);
  s.Read(4, p.recorded_at);
  return p;
}

SuitabilityOverride ReadOverride(const SqliteStatement& s) {
  SuitabilityOverride o;
  s.Read(0, o.override_id);
  s.Read(1, o.customer_id);
  s.Read(2, o.item_kind);
  s.Read(3, o.item_id);
  s.Read(4, o.item_risk);
  s.Read(5, o.category);
  s.Read(6, o.warning_text);
  s.Read(7, o.confirmation);
  s.Read(8, o.evidence_sha256);
  s.Read(9, o.channel);
  s.Read(10, o.recorded_by);
  s.Read(11, o.recorded_at);
  return o;
}

class SqliteSuitabilityStore final : public SuitabilityStore {
 public:
  explicit SqliteSuitabilityStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> RecordAssessment(const RiskAssessment& a, Timestamp day_start, int max_per_day) override {
    // The count and the insert in one write transaction: two counters racing cannot
    // both see room for one more.
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto count = db_->Prepared("SELECT COUNT(*) FROM risk_assessments WHERE customer_id = ?1 AND assessed_at >= ?2");
    if (!count.ok()) return count.status();
    (*count)->Bind(1, std::string_view(a.customer_id));
    (*count)->Bind(2, day_start);
    int rc = (*count)->Step();
    if (rc != SQLITE_ROW) return StepStatus(*db_, rc, "counting today's assessments");
    int64_t taken = (*count)->Int(0);
    (*count)->Reset();
    if (taken >= max_per_day) {
      return Status(StatusCode::kFailedPrecondition,
                    "customer " + a.customer_id + " has taken the questionnaire " + std::to_string(taken) +
                        " times today; at most " + std::to_string(max_per_day) + " attempts a day",
                    "attempts");
    }
    auto insert = db_->Prepared(
        "INSERT INTO risk_assessments (customer_id, questionnaire_version, answers, score, category, lowest_category, "
        "channel, recorded_by, assessed_at, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    std::string answers = EncodeAnswers(a.answers);  // bound without a copy: must outlive the step
    s.Bind(1, std::string_view(a.customer_id));
    s.Bind(2, std::string_view(a.questionnaire_version));
    s.Bind(3, std::string_view(answers));
    s.Bind(4, int64_t{a.score});
    s.Bind(5, a.category);
    s.Bind(6, int64_t{a.lowest_category});
    s.Bind(7, a.channel);
    s.Bind(8, std::string_view(a.recorded_by));
    s.Bind(9, a.assessed_at);
    s.Bind(10, a.valid_until);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing the risk assessment"));
    int64_t id = db_->LastInsertId();
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return id;
  }

  Result<std::optional<RiskAssessment>> LatestAssessment(const std::string& customer_id) override {
    auto listed = Assessments(customer_id, 1);
    if (!listed.ok()) return listed.status();
    if (listed->empty()) return std::optional<RiskAssessment>();
    return std::optional<RiskAssessment>(std::move(listed->front()));
  }

  Result<std::vector<RiskAssessment>> Assessments(const std::string& customer_id, int limit) override {
    auto query = db_->Prepared("SELECT " + std::string(kAssessmentColumns) +
                               " FROM risk_assessments WHERE customer_id = ?1 ORDER BY assessed_at DESC, "
                               "assessment_id DESC LIMIT ?2");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    s.Bind(2, int64_t{limit});
    std::vector<RiskAssessment> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) rows.push_back(ReadAssessment(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading risk assessments"));
    return rows;
  }

  Result<std::vector<RiskAssessment>> LatestAssessments() override {
    // The newest per customer: the highest id among those at the latest time.
    auto query = db_->Prepared("SELECT " + std::string(kAssessmentColumns) +
                               " FROM risk_assessments a WHERE assessment_id = (SELECT b.assessment_id FROM "
                               "risk_assessments b WHERE b.customer_id = a.customer_id ORDER BY b.assessed_at DESC, "
                               "b.assessment_id DESC LIMIT 1)");
    if (!query.ok()) return query.status();
    std::vector<RiskAssessment> rows;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) rows.push_back(ReadAssessment(**query));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the latest assessments"));
    return rows;
  }

  Result<std::vector<ProfessionalInvestor>> Professionals() override {
    auto query = db_->Prepared("SELECT customer_id, basis, valid_until, recorded_by, recorded_at FROM professional_investors");
    if (!query.ok()) return query.status();
    std::vector<ProfessionalInvestor> rows;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) rows.push_back(ReadProfessional(**query));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the professional investors"));
    return rows;
  }

  Status SetProfessional(const ProfessionalInvestor& p) override {
    auto upsert = db_->Prepared(
        "INSERT INTO professional_investors (customer_id, basis, valid_until, recorded_by, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO UPDATE SET basis = excluded.basis, "
        "valid_until = excluded.valid_until, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at");
    if (!upsert.ok()) return upsert.status();
    SqliteStatement& s = **upsert;
    s.Bind(1, std::string_view(p.customer_id));
    s.Bind(2, std::string_view(p.basis));
    s.Bind(3, p.valid_until);
    s.Bind(4, std::string_view(p.recorded_by));
    s.Bind(5, p.recorded_at);
    return StepStatus(*db_, s.Step(), "recording the professional investor");
  }

  Result<std::optional<ProfessionalInvestor>> Professional(const std::string& customer_id) override {
    auto query = db_->Prepared(
        "SELECT customer_id, basis, valid_until, recorded_by, recorded_at FROM professional_investors "
        "WHERE customer_id = ?1");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    int rc = s.Step();
    if (rc != SQLITE_ROW) {
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the professional investor"));
      return std::optional<ProfessionalInvestor>();
    }
    ProfessionalInvestor p = ReadProfessional(s);
    s.Reset();
    return std::optional<ProfessionalInvestor>(std::move(p));
  }

  Result<int64_t> RecordOverride(const SuitabilityOverride& o) override {
    auto insert = db_->Prepared(
        "INSERT INTO suitability_overrides (customer_id, item_kind, item_id, item_risk, category, warning_text, "
        "confirmation, evidence_sha256, channel, recorded_by, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    s.Bind(1, std::string_view(o.customer_id));
    s.Bind(2, std::string_view(o.item_kind));
    s.Bind(3, std::string_view(o.item_id));
    s.Bind(4, o.item_risk);
    s.Bind(5, o.category);
    s.Bind(6, std::string_view(o.warning_text));
    s.Bind(7, std::string_view(o.confirmation));
    s.Bind(8, std::string_view(o.evidence_sha256));
    s.Bind(9, o.channel);
    s.Bind(10, std::string_view(o.recorded_by));
    s.Bind(11, o.recorded_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing the override evidence"));
    return db_->LastInsertId();
  }

  Result<SuitabilityOverride> GetOverride(int64_t override_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kOverrideColumns) +
                               " FROM suitability_overrides WHERE override_id = ?1");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, override_id);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      SuitabilityOverride o = ReadOverride(s);
      s.Reset();
      return o;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the override evidence"));
    return NotFound("no override " + std::to_string(override_id), "override_id");
  }

  Status LogDecisions(const std::vector<SuitabilityDecisionRecord>& decisions) override {
    if (decisions.empty()) return Status::Ok();
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared(
        "INSERT INTO suitability_decisions (at, customer_id, branch_id, item_kind, item_id, item_risk, purpose, "
        "channel, rule, allowed, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    for (const SuitabilityDecisionRecord& d : decisions) {
      s.Bind(1, d.at);
      s.Bind(2, std::string_view(d.customer_id));
      s.Bind(3, std::string_view(d.branch_id));
      s.Bind(4, std::string_view(d.item_kind));
      s.Bind(5, std::string_view(d.item_id));
      s.Bind(6, d.item_risk);
      s.Bind(7, d.purpose);
      s.Bind(8, d.channel);
      s.Bind(9, std::string_view(d.rule));
      s.Bind(10, int64_t{d.allowed});
      s.Bind(11, std::string_view(d.actor));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "logging the suitability decision"));
      s.Reset();
    }
    return transaction.Commit();
  }

  Result<SuitabilityReport> Report(const SuitabilityReportQuery& q) override {
    SuitabilityReport report;
    SqliteConnection::Transaction transaction(*db_);  // one snapshot for every figure
    FINCRM_RETURN_IF_ERROR(transaction.BeginRead());
    auto blocks = db_->Prepared(
        "SELECT channel, rule, COUNT(*) FROM suitability_decisions WHERE at >= ?1 AND at < ?2 AND allowed = 0 "
        "AND (?3 IS NULL OR branch_id = ?3) GROUP BY channel, rule ORDER BY COUNT(*) DESC, channel, rule");
    if (!blocks.ok()) return blocks.status();
    {
      SqliteStatement& s = **blocks;
      s.Bind(1, q.from);
      s.Bind(2, q.to);
      s.Bind(3, q.branch_id);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        SuitabilityBlockCount& row = report.blocks.emplace_back();
        s.Read(0, row.channel);
        s.Read(1, row.rule);
        s.Read(2, row.count);
        report.blocked += row.count;
      }
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting blocks"));
    }
    // Overrides of the scope's customers: their branch is in the decision logged with each.
    std::string in_scope =
        " AND (?3 IS NULL OR customer_id IN (SELECT customer_id FROM customers WHERE branch_id = ?3))";
    auto overrides = db_->Prepared("SELECT " + std::string(kOverrideColumns) +
                                   " FROM suitability_overrides WHERE recorded_at >= ?1 AND recorded_at < ?2" +
                                   in_scope + " ORDER BY recorded_at DESC, override_id DESC");
    if (!overrides.ok()) return overrides.status();
    {
      SqliteStatement& s = **overrides;
      s.Bind(1, q.from);
      s.Bind(2, q.to);
      s.Bind(3, q.branch_id);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        if (++report.overrides <= q.override_limit) report.recent_overrides.push_back(ReadOverride(s));
      }
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing overrides"));
    }
    auto assessments = db_->Prepared(
        "SELECT COUNT(*), COALESCE(SUM(lowest_category), 0) FROM risk_assessments WHERE assessed_at >= ?1 AND "
        "assessed_at < ?2" + in_scope);
    if (!assessments.ok()) return assessments.status();
    {
      SqliteStatement& s = **assessments;
      s.Bind(1, q.from);
      s.Bind(2, q.to);
      s.Bind(3, q.branch_id);
      int rc = s.Step();
      if (rc != SQLITE_ROW) return StepStatus(*db_, rc, "counting assessments");
      s.Read(0, report.assessments);
      s.Read(1, report.lowest_category_assessments);
      s.Reset();
    }
    // The grades in force: the customer record's (a questionnaire taken here updates it).
    auto grades = db_->Prepared(
        "SELECT COALESCE(SUM(risk_level IS NULL OR risk_assessed_on IS NULL), 0), "
        "COALESCE(SUM(risk_assessed_on <= ?2), 0), COALESCE(SUM(risk_assessed_on > ?2 AND risk_assessed_on <= ?3), 0), "
        "(SELECT COUNT(*) FROM professional_investors p JOIN customers pc USING (customer_id) "
        "   WHERE p.valid_until >= ?1 AND (?4 IS NULL OR pc.branch_id = ?4)) "
        "FROM customers c WHERE status != 'closed' AND (?4 IS NULL OR branch_id = ?4) AND NOT EXISTS "
        "(SELECT 1 FROM professional_investors p WHERE p.customer_id = c.customer_id AND p.valid_until >= ?1)");
    if (!grades.ok()) return grades.status();
    {
      SqliteStatement& s = **grades;
      s.Bind(1, q.today);
      s.Bind(2, q.expired_before);
      s.Bind(3, q.expiring_before);
      s.Bind(4, q.branch_id);
      int rc = s.Step();
      if (rc != SQLITE_ROW) return StepStatus(*db_, rc, "counting grades");
      s.Read(0, report.never_assessed);
      s.Read(1, report.expired);
      s.Read(2, report.expiring_within_month);
      s.Read(3, report.professional_investors);
      s.Reset();
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return report;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<SuitabilityStore>> OpenSuitabilityStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "suitability", kSuitabilityMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SuitabilityStore>(new SqliteSuitabilityStore(std::move(*db)));
}

}  // namespace fincrm
