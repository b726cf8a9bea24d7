// The call center's SQLite tables: calls keyed by the PBX's call id, the CTI events
// applied (their key makes a repeated event a no-op), callbacks, and the wrap-up code
// tree, seeded with a brokerage's usual categories.
#include <sqlite3.h>

#include "storage/call_store.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_service_rows.h"

namespace fincrm {
namespace {

constexpr std::string_view kCallSchema = R"sql(
CREATE TABLE calls (
  call_id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,
  from_number TEXT NOT NULL,
  to_number TEXT NOT NULL,
  customer_phone TEXT,
  customer_id TEXT,
  branch_id TEXT,
  broker_id TEXT,
  queue TEXT,
  agent TEXT,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  answered_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  hangup_cause TEXT,
  wrap_up_code TEXT,
  notes TEXT,
  follow_up TEXT,
  script_id INTEGER NOT NULL,
  script_version INTEGER NOT NULL,
  ticket_id INTEGER NOT NULL,
  wrapped_up_at INTEGER NOT NULL
);
CREATE INDEX calls_by_start ON calls(started_at);
CREATE INDEX calls_by_customer ON calls(customer_id, started_at) WHERE customer_id IS NOT NULL;
CREATE INDEX calls_awaiting_wrap_up ON calls(agent) WHERE state = 'ended' AND agent IS NOT NULL;
CREATE TABLE cti_events (
  call_id TEXT NOT NULL,
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, event)
) WITHOUT ROWID;
CREATE TABLE callbacks (
  callback_id INTEGER PRIMARY KEY,
  customer_id TEXT,
  phone TEXT,
  branch_id TEXT,
  broker_id TEXT,
  owner TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  note TEXT,
  call_id TEXT,
  state TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  done_at INTEGER NOT NULL
);
CREATE INDEX callbacks_open_by_owner ON callbacks(owner, due_at) WHERE state = 'open';
CREATE INDEX callbacks_by_customer ON callbacks(customer_id, due_at) WHERE customer_id IS NOT NULL;
CREATE TABLE wrap_up_codes (
  position INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  parent TEXT,
  label TEXT NOT NULL,
  active INTEGER NOT NULL
);
INSERT INTO wrap_up_codes(position, code, parent, label, active) VALUES
  (1, 'inquiry', NULL, '业务咨询', 1),
  (2, 'inquiry.account', 'inquiry', '开户与账户', 1),
  (3, 'inquiry.trading', 'inquiry', '交易规则', 1),
  (4, 'inquiry.product', 'inquiry', '理财产品', 1),
  (5, 'inquiry.fees', 'inquiry', '佣金与费用', 1),
  (6, 'service', NULL, '业务办理', 1),
  (7, 'service.password_reset', 'service', '密码重置', 1),
  (8, 'service.change_details', 'service', '资料变更', 1),
  (9, 'service.margin', 'service', '融资融券', 1),
  (10, 'complaint', NULL, '投诉', 1),
  (11, 'complaint.service', 'complaint', '服务态度', 1),
  (12, 'complaint.system', 'complaint', '系统故障', 1),
  (13, 'complaint.fees', 'complaint', '收费争议', 1),
  (14, 'return_visit', NULL, '回访', 1),
  (15, 'return_visit.done', 'return_visit', '回访完成', 1),
  (16, 'return_visit.refused', 'return_visit', '客户拒访', 1),
  (17, 'marketing', NULL, '营销', 1),
  (18, 'other', NULL, '其他', 1),
  (19, 'other.wrong_number', 'other', '打错电话', 1),
  (20, 'other.silent', 'other', '无声电话', 1);
)sql";

constexpr Migration kCallMigrations[] = {
    {1, "calls, applied CTI events, callbacks and the wrap-up code tree", kCallSchema},
};

constexpr std::string_view kCallColumns =
    "call_id, direction, from_number, to_number, customer_phone, customer_id, branch_id, broker_id, queue, agent, "
    "state, started_at, answered_at, ended_at, hangup_cause, wrap_up_code, notes, follow_up, script_id, "
    "script_version, ticket_id, wrapped_up_at";

void BindCall(SqliteStatement& s, const CallRecord& c) {
  s.Bind(1, std::string_view(c.call_id));
  s.Bind(2, c.direction);
  s.Bind(3, std::string_view(c.from));
  s.Bind(4, std::string_view(c.to));
  s.Bind(5, c.customer_phone);
  s.Bind(6, c.customer_id);
  s.Bind(7, c.branch_id);
  s.Bind(8, c.broker_id);
  s.Bind(9, c.queue);
  s.Bind(10, c.agent);
  s.Bind(11, c.state);
  s.Bind(12, c.started_at);
  s.Bind(13, c.answered_at);
  s.Bind(14, c.ended_at);
  s.Bind(15, c.hangup_cause);
  s.Bind(16, c.wrap_up_code);
  s.Bind(17, c.notes);
  s.Bind(18, c.follow_up);
  s.Bind(19, c.script_id);
  s.Bind(20, c.script_version);
  s.Bind(21, c.ticket_id);
  s.Bind(22, c.wrapped_up_at);
}

CallRecord ReadCall(const SqliteStatement& s) {
  CallRecord c;
  s.Read(0, c.call_id);
  s.Read(1, c.direction);
  s.Read(2, c.from);
  s.Read(3, c.to);
  s.Read(4, c.customer_phone);
  s.Read(5, c.customer_id);
  s.Read(6, c.branch_id);
  s.Read(7, c.broker_id);
  s.Read(8, c.queue);
  s.Read(9, c.agent);
  s.Read(10, c.state);
  s.Read(11, c.started_at);
  s.Read(12, c.answered_at);
  s.Read(13, c.ended_at);
  s.Read(14, c.hangup_cause);
  s.Read(15, c.wrap_up_code);
  s.Read(16, c.notes);
  s.Read(17, c.follow_up);
  s.Read(18, c.script_id);
  s.Read(19, c.script_version);
  s.Read(20, c.ticket_id);
  s.Read(21, c.wrapped_up_at);
  return c;
}

constexpr std::string_view kCallbackColumns =
    "callback_id, customer_id, phone, branch_id, broker_id, owner, due_at, note, call_id, state, created_by, "
    "created_at, done_at";

void BindCallback(SqliteStatement& s, const Callback& c) {
  s.Bind(2, c.customer_id);
  s.Bind(3, c.phone);
  s.Bind(4, c.branch_id);
  s.Bind(5, c.broker_id);
  s.Bind(6, std::string_view(c.owner));
  s.Bind(7, c.due_at);
  s.Bind(8, c.note);
  s.Bind(9, c.call_id);
  s.Bind(10, c.state);
  s.Bind(11, std::string_view(c.created_by));
  s.Bind(12, c.created_at);
  s.Bind(13, c.done_at);
}

Callback ReadCallback(const SqliteStatement& s) {
  Callback c;
  s.Read(0, c.callback_id);
  s.Read(1, c.customer_id);
  s.Read(2, c.phone);
  s.Read(3, c.branch_id);
  s.Read(4, c.broker_id);
  s.Read(5, c.owner);
  s.Read(6, c.due_at);
  s.Read(7, c.note);
  s.Read(8, c.call_id);
  s.Read(9, c.state);
  s.Read(10, c.created_by);
  s.Read(11, c.created_at);
  s.Read(12, c.done_at);
  return c;
}

class SqliteCallStore final : public CallStore {
 public:
  explicit SqliteCallStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<bool> ApplyEvent(const CallRecord& call, CtiEventKind kind, Timestamp received_at) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto claim = db_->Prepared(
        "INSERT INTO cti_events(call_id, event, received_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    if (!claim.ok()) return claim.status();
    (*claim)->Bind(1, std::string_view(call.call_id));
    (*claim)->Bind(2, kind);
    (*claim)->Bind(3, received_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*claim)->Step(), "recording the CTI event"));
    if (db_->Changes() == 0) return false;  // applied before: the transaction rolls back
    std::string sql = "INSERT INTO calls(" + std::string(kCallColumns) +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                      "?19, ?20, ?21, ?22) ON CONFLICT(call_id) DO UPDATE SET customer_phone = excluded.customer_phone, "
                      "customer_id = excluded.customer_id, branch_id = excluded.branch_id, broker_id = "
                      "excluded.broker_id, queue = excluded.queue, agent = excluded.agent, state = excluded.state, "
                      "answered_at = excluded.answered_at, ended_at = excluded.ended_at, hangup_cause = "
                      "excluded.hangup_cause";
    auto upsert = db_->Prepared(sql);
    if (!upsert.ok()) return upsert.status();
    BindCall(**upsert, call);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*upsert)->Step(), "storing the call"));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return true;
  }

  Result<CallRecord> Get(const std::string& call_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kCallColumns) + " FROM calls WHERE call_id = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, std::string_view(call_id));
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      CallRecord call = ReadCall(**query);
      (*query)->Reset();
      return call;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the call"));
    return NotFound("no call '" + call_id + "'", "call_id");
  }

  Result<bool> EventApplied(const std::string& call_id, CtiEventKind kind) override {
    auto query = db_->Prepared("SELECT 1 FROM cti_events WHERE call_id = ?1 AND event = ?2");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, std::string_view(call_id));
    (*query)->Bind(2, kind);
    int rc = (*query)->Step();
    (*query)->Reset();
    if (rc == SQLITE_ROW) return true;
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the CTI events"));
    return false;
  }

  Result<int64_t> WrapUp(const CallRecord& c, const Callback* callback) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto update = db_->Prepared(
        "UPDATE calls SET state = 'wrapped_up', wrap_up_code = ?2, notes = ?3, follow_up = ?4, script_id = ?5, "
        "script_version = ?6, ticket_id = ?7, wrapped_up_at = ?8, customer_id = ?9, branch_id = ?10, "
        "broker_id = ?11 WHERE call_id = ?1 AND state <> 'wrapped_up'");
    if (!update.ok()) return update.status();
    SqliteStatement& s = **update;
    s.Bind(1, std::string_view(c.call_id));
    s.Bind(2, c.wrap_up_code);
    s.Bind(3, c.notes);
    s.Bind(4, c.follow_up);
    s.Bind(5, c.script_id);
    s.Bind(6, c.script_version);
    s.Bind(7, c.ticket_id);
    s.Bind(8, c.wrapped_up_at);
    s.Bind(9, c.customer_id);
    s.Bind(10, c.branch_id);
    s.Bind(11, c.broker_id);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "filing the wrap-up"));
    if (db_->Changes() != 1) return FailedPrecondition("call '" + c.call_id + "' is wrapped up already");
    int64_t callback_id = 0;
    if (callback) {
      auto added = AddCallback(*callback);
      if (!added.ok()) return added.status();
      callback_id = *added;
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return callback_id;
  }

  Result<std::vector<CallRecord>> List(const CallQuery& q) override {
    // Only the filters that are set are in the text (see ListCallbacks).
    std::string sql = "SELECT " + std::string(kCallColumns) + " FROM calls WHERE 1";
    if (!q.customer_id.empty()) sql += " AND customer_id = ?1";
    if (!q.agent.empty()) sql += " AND agent = ?2";
    if (q.state) sql += " AND state = ?3";
    if (!q.branch_id.empty()) sql += " AND branch_id = ?4";
    if (!q.broker_id.empty()) sql += " AND broker_id = ?5";
    if (q.before.seconds) sql += " AND started_at < ?6";
    sql += " ORDER BY started_at DESC, call_id LIMIT ?7";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(q.customer_id));
    s.Bind(2, std::string_view(q.agent));
    s.Bind(3, q.state ? EnumCode(*q.state) : std::string_view());
    s.Bind(4, std::string_view(q.branch_id));
    s.Bind(5, std::string_view(q.broker_id));
    s.Bind(6, q.before);
    s.Bind(7, int64_t{q.limit});
    return ReadCalls(s, "listing calls");
  }

  Result<std::vector<CallRecord>> AwaitingWrapUp(const std::string& agent) override {
    auto query = db_->Prepared("SELECT " + std::string(kCallColumns) +
                               " FROM calls WHERE agent = ?1 AND state = 'ended' ORDER BY ended_at LIMIT 20");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, std::string_view(agent));
    return ReadCalls(**query, "reading calls awaiting wrap-up");
  }

  Result<int64_t> AddCallback(const Callback& callback) override {
    auto insert = db_->Prepared("INSERT INTO callbacks(" + std::string(kCallbackColumns) +
                                ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    if (!insert.ok()) return insert.status();
    BindCallback(**insert, callback);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "storing the callback"));
    return db_->LastInsertId();
  }

  Result<Callback> GetCallback(int64_t callback_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kCallbackColumns) + " FROM callbacks WHERE callback_id = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, callback_id);
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      Callback callback = ReadCallback(**query);
      (*query)->Reset();
      return callback;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the callback"));
    return NotFound("no callback " + std::to_string(callback_id), "callback_id");
  }

  Status UpdateCallback(const Callback& callback) override {
    auto update = db_->Prepared(
        "UPDATE callbacks SET customer_id = ?2, phone = ?3, branch_id = ?4, broker_id = ?5, owner = ?6, due_at = ?7, "
        "note = ?8, call_id = ?9, state = ?10, created_by = ?11, created_at = ?12, done_at = ?13 WHERE callback_id = ?1");
    if (!update.ok()) return update.status();
    (*update)->Bind(1, callback.callback_id);
    BindCallback(**update, callback);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "updating the callback"));
    if (db_->Changes() != 1) return NotFound("no callback " + std::to_string(callback.callback_id), "callback_id");
    return Status::Ok();
  }

  Result<std::vector<Callback>> ListCallbacks(const CallbackQuery& q) override {
    // Only the filters that are set are in the text, so that SQLite can use an index
    // (see SqliteTicketStore::List); the state is a literal, which the partial index of
    // open callbacks needs.
    std::string sql = "SELECT " + std::string(kCallbackColumns) + " FROM callbacks WHERE 1";
    if (!q.owner.empty()) sql += " AND owner = ?1";
    if (!q.customer_id.empty()) sql += " AND customer_id = ?2";
    if (q.state) sql += " AND state = '" + std::string(EnumCode(*q.state)) + "'";
    if (q.due_before.seconds) sql += " AND due_at < ?4";
    if (!q.branch_id.empty()) sql += " AND branch_id = ?5";
    if (!q.broker_id.empty()) sql += " AND broker_id = ?6";
    sql += " ORDER BY due_at, callback_id LIMIT ?7";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(q.owner));
    s.Bind(2, std::string_view(q.customer_id));
    s.Bind(3, q.state ? EnumCode(*q.state) : std::string_view());
    s.Bind(4, q.due_before);
    s.Bind(5, std::string_view(q.branch_id));
    s.Bind(6, std::string_view(q.broker_id));
    s.Bind(7, int64_t{q.limit});
    std::vector<Callback> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) rows.push_back(ReadCallback(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing callbacks"));
    return rows;
  }

  Result<std::vector<WrapUpCode>> WrapUpCodes() override {
    auto query = db_->Prepared("SELECT code, parent, label, active FROM wrap_up_codes ORDER BY position");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    std::vector<WrapUpCode> codes;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      WrapUpCode& code = codes.emplace_back();
      int64_t active = 0;
      s.Read(0, code.code);
      s.Read(1, code.parent);
      s.Read(2, code.label);
      s.Read(3, active);
      code.active = active != 0;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the wrap-up codes"));
    return codes;
  }

  Status ReplaceWrapUpCodes(const std::vector<WrapUpCode>& codes) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    FINCRM_RETURN_IF_ERROR(db_->Execute("DELETE FROM wrap_up_codes"));
    auto insert = db_->Prepared("INSERT INTO wrap_up_codes(position, code, parent, label, active) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert.ok()) return insert.status();
    int64_t position = 0;
    for (const WrapUpCode& code : codes) {
      SqliteStatement& s = **insert;
      s.Bind(1, ++position);
      s.Bind(2, std::string_view(code.code));
      s.Bind(3, code.parent);
      s.Bind(4, std::string_view(code.label));
      s.Bind(5, int64_t{code.active});
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "storing wrap-up code '" + code.code + "'"));
      s.Reset();
    }
    return transaction.Commit();
  }

 private:
  Result<std::vector<CallRecord>> ReadCalls(SqliteStatement& s, std::string_view what) {
    std::vector<CallRecord> calls;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) calls.push_back(ReadCall(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, what));
    return calls;
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

std::string_view CallbackColumns() { return kCallbackColumns; }
Callback ReadCallbackRow(const SqliteStatement& statement) { return ReadCallback(statement); }

Result<std::unique_ptr<CallStore>> OpenCallStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "callcenter", kCallMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<CallStore>(new SqliteCallStore(std::move(*db)));
}

}  // namespace fincrm
