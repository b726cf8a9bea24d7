// The tickets module's SQLite tables: tickets (with their SLA clock columns, so that
// the escalation pass reads due times from an index), the change history, and the
// SLA policies, seeded with the defaults below.
#include <sqlite3.h>

#include "storage/sqlite/sqlite_audit_outbox.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_service_rows.h"
#include "storage/ticket_store.h"

namespace fincrm {
namespace {

constexpr std::string_view kTicketSchema = R"sql(
CREATE TABLE tickets (
  ticket_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL,
  branch_id TEXT,
  broker_id TEXT,
  type TEXT NOT NULL,
  priority TEXT NOT NULL,
  state TEXT NOT NULL,
  channel TEXT,
  subject TEXT NOT NULL,
  description TEXT,
  owner TEXT,
  team TEXT,
  complaint_category TEXT,
  call_id INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sla_policy TEXT NOT NULL,
  first_response_seconds INTEGER NOT NULL,
  resolution_seconds INTEGER NOT NULL,
  warn_percent INTEGER NOT NULL,
  first_response_due INTEGER NOT NULL,
  first_responded_at INTEGER NOT NULL,
  elapsed_seconds INTEGER NOT NULL,
  clock_since INTEGER NOT NULL,
  resolution_due INTEGER NOT NULL,
  resolved_at INTEGER NOT NULL,
  breached INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL
);
CREATE INDEX tickets_by_customer ON tickets(customer_id, ticket_id);
CREATE INDEX tickets_by_owner ON tickets(owner, ticket_id);
CREATE INDEX tickets_by_branch ON tickets(branch_id, ticket_id);
-- The escalation pass: running clocks by due time.
CREATE INDEX tickets_by_due ON tickets(resolution_due) WHERE resolution_due > 0;
CREATE TABLE ticket_history (
  ticket_id INTEGER NOT NULL REFERENCES tickets(ticket_id),
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  field TEXT NOT NULL,
  from_value TEXT NOT NULL,
  to_value TEXT NOT NULL,
  PRIMARY KEY (ticket_id, seq)
) WITHOUT ROWID;
CREATE TABLE sla_policies (
  position INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT,
  priority TEXT,
  tier TEXT,
  channel TEXT,
  first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
  next_response_minutes INTEGER NOT NULL CHECK (next_response_minutes > 0),
  resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
  warn_percent INTEGER NOT NULL CHECK (warn_percent BETWEEN 1 AND 100)
);
-- Business minutes (the calendar's working periods count; a working day is 6.5 h).
-- Complaints first: the CSRC expects them answered promptly and kept on file.
INSERT INTO sla_policies VALUES
  (10, 'complaint-urgent', 'complaint', 'urgent', NULL, NULL, 15, 60, 240, 75),
  (20, 'complaint', 'complaint', NULL, NULL, NULL, 60, 240, 1950, 80),
  (30, 'urgent', NULL, 'urgent', NULL, NULL, 30, 60, 390, 80),
  (40, 'diamond-high', NULL, 'high', 'diamond', NULL, 30, 120, 780, 80),
  (50, 'high', NULL, 'high', NULL, NULL, 60, 240, 1170, 80),
  (60, 'normal', NULL, 'normal', NULL, NULL, 240, 480, 1950, 80),
  (70, 'low', NULL, NULL, NULL, NULL, 390, 780, 3250, 80);
)sql";

// The PBX's call ids are text: migration 1's integer call_id stays unused (always 0).
constexpr std::string_view kTicketCallsAndScripts = R"sql(
ALTER TABLE tickets ADD COLUMN source_call_id TEXT;
ALTER TABLE tickets ADD COLUMN script_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN script_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_by_call ON tickets(source_call_id) WHERE source_call_id IS NOT NULL;
)sql";

// The next-response clock: due while the customer's answer waits for the agent's.
constexpr std::string_view kTicketNextResponse = R"sql(
ALTER TABLE tickets ADD COLUMN next_response_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN next_response_due INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr Migration kTicketMigrations[] = {
    {1, "service tickets, their change history and SLA policies", kTicketSchema},
    {2, "the call a ticket was opened from and the script version used", kTicketCallsAndScripts},
    {3, "the next-response target and due time", kTicketNextResponse},
};

constexpr std::string_view kColumns =
    "ticket_id, customer_id, branch_id, broker_id, type, priority, state, channel, subject, description, owner, "
    "team, complaint_category, source_call_id, created_by, created_at, updated_at, sla_policy, "
    "first_response_seconds, resolution_seconds, warn_percent, first_response_due, first_responded_at, "
    "elapsed_seconds, clock_since, resolution_due, resolved_at, breached, escalation_level, script_id, "
    "script_version, next_response_seconds, next_response_due";

// Binds the ticket's columns 2..33 (1 is the id).
void BindTicket(SqliteStatement& s, const Ticket& t) {
  s.Bind(2, std::string_view(t.customer_id));
  s.Bind(3, t.branch_id);
  s.Bind(4, t.broker_id);
  s.Bind(5, t.type);
  s.Bind(6, t.priority);
  s.Bind(7, t.state);
  s.Bind(8, t.channel);
  s.Bind(9, std::string_view(t.subject));
  s.Bind(10, t.description);
  s.Bind(11, t.owner);
  s.Bind(12, t.team);
  s.Bind(13, t.complaint_category);
  s.Bind(14, t.call_id);
  s.Bind(15, std::string_view(t.created_by));
  s.Bind(16, t.created_at);
  s.Bind(17, t.updated_at);
  s.Bind(18, std::string_view(t.sla.policy));
  s.Bind(19, t.sla.first_response_seconds);
  s.Bind(20, t.sla.resolution_seconds);
  s.Bind(21, int64_t{t.sla.warn_percent});
  s.Bind(22, t.sla.first_response_due);
  s.Bind(23, t.sla.first_responded_at);
  s.Bind(24, t.sla.elapsed_seconds);
  s.Bind(25, t.sla.clock_since);
  s.Bind(26, t.sla.resolution_due);
  s.Bind(27, t.sla.resolved_at);
  s.Bind(28, int64_t{t.sla.breached});
  s.Bind(29, int64_t{t.sla.escalation_level});
  s.Bind(30, t.script_id);
  s.Bind(31, t.script_version);
  s.Bind(32, t.sla.next_response_seconds);
  s.Bind(33, t.sla.next_response_due);
}

Ticket ReadTicket(const SqliteStatement& s) {
  Ticket t;
  int64_t number = 0;
  s.Read(0, t.ticket_id);
  s.Read(1, t.customer_id);
  s.Read(2, t.branch_id);
  s.Read(3, t.broker_id);
  s.Read(4, t.type);
  s.Read(5, t.priority);
  s.Read(6, t.state);
  s.Read(7, t.channel);
  s.Read(8, t.subject);
  s.Read(9, t.description);
  s.Read(10, t.owner);
  s.Read(11, t.team);
  s.Read(12, t.complaint_category);
  s.Read(13, t.call_id);
  s.Read(14, t.created_by);
  s.Read(15, t.created_at);
  s.Read(16, t.updated_at);
  s.Read(17, t.sla.policy);
  s.Read(18, t.sla.first_response_seconds);
  s.Read(19, t.sla.resolution_seconds);
  s.Read(20, number);
  t.sla.warn_percent = static_cast<int>(number);
  s.Read(21, t.sla.first_response_due);
  s.Read(22, t.sla.first_responded_at);
  s.Read(23, t.sla.elapsed_seconds);
  s.Read(24, t.sla.clock_since);
  s.Read(25, t.sla.resolution_due);
  s.Read(26, t.sla.resolved_at);
  s.Read(27, number);
  t.sla.breached = number != 0;
  s.Read(28, number);
  t.sla.escalation_level = static_cast<int>(number);
  s.Read(29, t.script_id);
  s.Read(30, t.script_version);
  s.Read(31, t.sla.next_response_seconds);
  s.Read(32, t.sla.next_response_due);
  return t;
}

class SqliteTicketStore final : public TicketStore {
 public:
  explicit SqliteTicketStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<std::vector<int64_t>> CreateAll(const std::vector<Ticket>& tickets, const TicketAuditEntry& audit) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared("INSERT INTO tickets(" + std::string(kColumns) +
                                ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                                "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)");
    if (!insert.ok()) return insert.status();
    std::vector<int64_t> ids;
    ids.reserve(tickets.size());
    std::vector<TicketChange> created;
    created.reserve(tickets.size());
    for (const Ticket& ticket : tickets) {
      (*insert)->Reset();
      BindTicket(**insert, ticket);
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "storing the ticket"));
      ids.push_back(db_->LastInsertId());
      created.push_back({ids.back(), ticket.created_at, ticket.created_by, "created", "",
                         std::string(EnumCode(ticket.state))});
      if (audit) FINCRM_RETURN_IF_ERROR(AddToAuditOutbox(*db_, audit(ticket, ids.back(), ids.size() - 1)));
    }
    FINCRM_RETURN_IF_ERROR(AppendHistory(created));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return ids;
  }

  Status Update(const Ticket& ticket, Timestamp expected_updated_at,
                const std::vector<TicketChange>& changes) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    std::string sql = "UPDATE tickets SET ";
    constexpr std::string_view kNames[] = {
        "customer_id", "branch_id", "broker_id", "type", "priority", "state", "channel", "subject", "description",
        "owner", "team", "complaint_category", "source_call_id", "created_by", "created_at", "updated_at", "sla_policy",
        "first_response_seconds", "resolution_seconds", "warn_percent", "first_response_due", "first_responded_at",
        "elapsed_seconds", "clock_since", "resolution_due", "resolved_at", "breached", "escalation_level", "script_id",
        "script_version", "next_response_seconds", "next_response_due"};
    for (size_t i = 0; i < std::size(kNames); ++i) {
      sql += (i ? ", " : "") + std::string(kNames[i]) + " = ?" + std::to_string(i + 2);
    }
    sql += " WHERE ticket_id = ?1 AND updated_at = ?34";
    auto update = db_->Prepared(sql);
    if (!update.ok()) return update.status();
    (*update)->Bind(1, ticket.ticket_id);
    BindTicket(**update, ticket);
    (*update)->Bind(34, expected_updated_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "updating the ticket"));
    if (db_->Changes() != 1) {
      return FailedPrecondition("ticket " + std::to_string(ticket.ticket_id) +
                                " was changed by someone else meanwhile: read it again");
    }
    FINCRM_RETURN_IF_ERROR(AppendHistory(changes));
    return transaction.Commit();
  }

  Result<Ticket> Get(int64_t ticket_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kColumns) + " FROM tickets WHERE ticket_id = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, ticket_id);
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      Ticket ticket = ReadTicket(**query);
      (*query)->Reset();  // a statement left on a row would hold its read snapshot open
      return ticket;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the ticket"));
    return NotFound("no ticket " + std::to_string(ticket_id), "ticket_id");
  }

  Result<std::vector<TicketChange>> History(int64_t ticket_id) override {
    auto query = db_->Prepared(
        "SELECT at, actor, field, from_value, to_value FROM ticket_history WHERE ticket_id = ?1 ORDER BY seq");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, ticket_id);
    std::vector<TicketChange> changes;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) {
      TicketChange& c = changes.emplace_back();
      c.ticket_id = ticket_id;
      (*query)->Read(0, c.at);
      (*query)->Read(1, c.actor);
      (*query)->Read(2, c.field);
      (*query)->Read(3, c.from);
      (*query)->Read(4, c.to);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the ticket's history"));
    return changes;
  }

  Result<std::vector<Ticket>> List(const TicketQuery& q) override {
    // Only the filters that are set are in the text (one prepared statement per
    // combination): "?4 IS NULL OR customer_id = ?4" would keep SQLite off the index
    // and scan every ticket.
    std::string sql = "SELECT " + std::string(kColumns) + " FROM tickets WHERE ticket_id > ?1";
    if (q.state) sql += " AND state = ?2";
    if (!q.owner.empty()) sql += " AND owner = ?3";
    if (!q.customer_id.empty()) sql += " AND customer_id = ?4";
    if (!q.branch_id.empty()) sql += " AND branch_id = ?5";
    if (!q.broker_id.empty()) sql += " AND broker_id = ?6";
    if (q.breached) {
      sql += " AND ?7 = (breached = 1 OR (first_responded_at = 0 AND first_response_due < ?8) "
             "OR (resolution_due > 0 AND resolution_due < ?8))";
    }
    sql += " ORDER BY ticket_id LIMIT ?9";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, q.after);
    if (q.state) s.Bind(2, *q.state);
    else s.BindNull(2);
    s.Bind(3, q.owner);
    s.Bind(4, q.customer_id);
    s.Bind(5, q.branch_id);
    s.Bind(6, q.broker_id);
    if (q.breached) s.Bind(7, int64_t{*q.breached});
    else s.BindNull(7);
    s.Bind(8, q.now);
    s.Bind(9, int64_t{q.limit});
    std::vector<Ticket> tickets;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) tickets.push_back(ReadTicket(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing tickets"));
    return tickets;
  }

  Result<std::vector<Ticket>> Overdue(Timestamp now, int below_level, int limit) override {
    auto query = db_->Prepared("SELECT " + std::string(kColumns) +
                               " FROM tickets WHERE resolution_due > 0 AND resolution_due < ?1 AND "
                               "escalation_level < ?2 ORDER BY resolution_due LIMIT ?3");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, now);
    s.Bind(2, int64_t{below_level});
    s.Bind(3, int64_t{limit});
    std::vector<Ticket> tickets;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) tickets.push_back(ReadTicket(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing overdue tickets"));
    return tickets;
  }

  Result<std::vector<SlaPolicy>> Policies() override {
    auto query = db_->Prepared(
        "SELECT position, name, type, priority, tier, channel, first_response_minutes, next_response_minutes, "
        "resolution_minutes, warn_percent FROM sla_policies ORDER BY position");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    std::vector<SlaPolicy> policies;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      SlaPolicy& p = policies.emplace_back();
      int64_t number = 0;
      s.Read(0, number);
      p.position = static_cast<int>(number);
      s.Read(1, p.name);
      if (!s.IsNull(2)) p.type = ParseEnum<TicketType>(s.Text(2));
      if (!s.IsNull(3)) p.priority = ParseEnum<TicketPriority>(s.Text(3));
      s.Read(4, p.tier);
      s.Read(5, p.channel);
      s.Read(6, p.first_response_minutes);
      s.Read(7, p.next_response_minutes);
      s.Read(8, p.resolution_minutes);
      s.Read(9, number);
      p.warn_percent = static_cast<int>(number);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the SLA policies"));
    return policies;
  }

 private:
  Status AppendHistory(const std::vector<TicketChange>& changes) {
    if (changes.empty()) return Status::Ok();
    auto insert = db_->Prepared(
        "INSERT INTO ticket_history(ticket_id, seq, at, actor, field, from_value, to_value) "
        "VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ticket_history WHERE ticket_id = ?1), ?2, ?3, ?4, ?5, ?6)");
    if (!insert.ok()) return insert.status();
    for (const TicketChange& c : changes) {
      SqliteStatement& s = **insert;
      s.Reset();
      s.Bind(1, c.ticket_id);
      s.Bind(2, c.at);
      s.Bind(3, std::string_view(c.actor));
      s.Bind(4, std::string_view(c.field));
      s.Bind(5, std::string_view(c.from));
      s.Bind(6, std::string_view(c.to));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "recording the ticket's history"));
    }
    return Status::Ok();
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

std::string_view TicketColumns() { return kColumns; }
Ticket ReadTicketRow(const SqliteStatement& statement) { return ReadTicket(statement); }

Result<std::unique_ptr<TicketStore>> OpenTicketStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "tickets", kTicketMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<TicketStore>(new SqliteTicketStore(std::move(*db)));
}

}  // namespace fincrm
