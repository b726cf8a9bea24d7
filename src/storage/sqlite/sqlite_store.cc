#include "storage/sqlite/sqlite_store.h"

#include <unordered_set>

#include "storage/change_feed.h"

#include "storage/sqlite/schema_migrations.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_entity_sql.h"

namespace fincrm {

// Writes of these kinds change what a customer view shows, so they bump the data
// generation (the audit trail, event ids and delivery logs do not).
template <class T>
inline constexpr bool kChangesCustomerViews =
    kImportable<T> || std::is_same_v<T, CustomerScore> || std::is_same_v<T, TierRecord> ||
    std::is_same_v<T, FollowUpTask> || std::is_same_v<T, Alert> || std::is_same_v<T, ClusterRecord>;

class SqliteWriter final : public StoreWriter {
 public:
  SqliteWriter(SqliteStore* store, bool foreign_keys_off)
      : store_(store), foreign_keys_off_(foreign_keys_off) {
    store_->writer_open_ = true;
    // This transaction logs its changes itself (Commit, one row per customer): the
    // change-log triggers, there for writers outside FinCRM, stand aside until then.
    // The flag is only ever 1 inside an uncommitted transaction, so no other
    // connection sees it set (a rollback clears it too). Before migration 12 there is
    // no flag and nothing to log.
    (void)RunWrite("UPDATE store_meta SET value = 1 WHERE key = 'change_capture_off'", [](SqliteStatement&) {});
  }
  ~SqliteWriter() override {
    if (!done_) (void)store_->Execute("ROLLBACK");
    // Outside a transaction again, so the pragma takes effect.
    if (foreign_keys_off_) (void)store_->Execute("PRAGMA foreign_keys=ON");
    store_->writer_open_ = false;
  }

  Result<bool> Put(const Branch& row) override { return Upsert(row); }
  Result<bool> Put(const Staff& row) override { return Upsert(row); }
  Result<bool> Put(const Product& row) override { return Upsert(row); }
  Result<bool> Put(const Customer& row) override { return Upsert(row); }
  Result<bool> Put(const HouseholdMember& row) override { return Upsert(row); }
  Result<bool> Put(const Account& row) override { return Upsert(row); }
  Result<bool> Put(const AssetSnapshot& row) override { return Upsert(row); }
  Result<bool> Put(const Trade& row) override { return Upsert(row); }
  Result<bool> Put(const Interaction& row) override { return Upsert(row); }
  Result<bool> Put(const IngestedEvent& row) override { return Upsert(row); }
  Result<bool> Put(const CustomerScore& row) override { return Upsert(row); }
  Result<bool> Put(const FollowUpTask& row) override { return Upsert(row); }
  Result<bool> Put(const WebhookDelivery& row) override { return Upsert(row); }

  Result<bool> ClaimEvent(const IngestedEvent& event) override {
    Status run = RunWrite(
        "INSERT OR IGNORE INTO ingested_events (event_id, type, customer_id, received_at) VALUES (?, ?, ?, ?)",
        [&](SqliteStatement& q) { BindRow(q, event); });
    if (!run.ok()) return run;
    return sqlite3_changes(store_->handle()) > 0;
  }

  Status ReleaseEvent(std::string_view event_id) override {
    return RunWrite("DELETE FROM ingested_events WHERE event_id = ?", [&](SqliteStatement& q) { q.Bind(1, event_id); });
  }

  Status AppendAudit(std::vector<AuditEntry>& entries,
                     const std::function<std::string(const AuditEntry&)>& seal) override {
    FINCRM_RETURN_IF_ERROR(TakeAuditOutbox(entries));
    if (entries.empty()) return Status::Ok();
    auto last = store_->Prepared("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
    if (!last.ok()) return last.status();
    int rc = (*last)->Step();
    int64_t sequence = rc == SQLITE_ROW ? (*last)->Int(0) : 0;
    std::string previous = rc == SQLITE_ROW ? std::string((*last)->Text(1)) : std::string();
    (*last)->Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Internal(sqlite3_errmsg(store_->handle()));
    for (AuditEntry& entry : entries) {
      entry.sequence = ++sequence;
      entry.previous_hash = previous;
      entry.hash = seal(entry);
      previous = entry.hash;
    }
    std::vector<PutResult> results(entries.size());
    FINCRM_RETURN_IF_ERROR(Batch(std::span<const AuditEntry>(entries), std::span(results)));
    for (const auto& result : results) {
      if (!result.error.ok()) return Internal("appending to the audit trail: " + result.error.message());
    }
    return store_->IndexAuditTail(sequence);
  }

  // The entries other stores committed with their rows (sqlite_audit_outbox.h) go
  // first: they were written before anything queued now.
  Status TakeAuditOutbox(std::vector<AuditEntry>& entries) {
    auto waiting = store_->Prepared(
        "SELECT entry_id, at, actor, action, customer_id, detail, source FROM audit_outbox ORDER BY entry_id");
    if (!waiting.ok()) return waiting.status();
    SqliteStatement& s = **waiting;
    std::vector<AuditEntry> taken;
    int64_t last_id = 0;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      AuditEntry& entry = taken.emplace_back();
      s.Read(0, last_id);
      s.Read(1, entry.at);
      s.Read(2, entry.actor);
      s.Read(3, entry.action);
      s.Read(4, entry.customer_id);
      s.Read(5, entry.detail);
      s.Read(6, entry.source);
    }
    s.Reset();
    if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(store_->handle()));
    if (taken.empty()) return Status::Ok();
    FINCRM_RETURN_IF_ERROR(RunWrite("DELETE FROM audit_outbox WHERE entry_id <= ?",
                                    [&](SqliteStatement& q) { q.Bind(1, last_id); }));
    entries.insert(entries.begin(), std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end()));
    return Status::Ok();
  }

  Status MarkJournalApplied(int64_t through_sequence) override {
    return RunWrite(
        "INSERT INTO store_meta (key, value) VALUES ('journal_applied_through', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [&](SqliteStatement& q) { q.Bind(1, through_sequence); });
  }

  Result<int64_t> Add(Alert row) override { return AddNumbered(row, &Alert::alert_id); }
  Result<int64_t> Add(FollowUpTask row) override { return AddNumbered(row, &FollowUpTask::task_id); }
  Result<int64_t> Add(WebhookDelivery row) override {
    return AddNumbered(row, &WebhookDelivery::delivery_id);
  }

  Status PutBatch(std::span<const Branch> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Staff> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Product> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Customer> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const HouseholdMember> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Account> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const AssetSnapshot> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Trade> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }
  Status PutBatch(std::span<const Interaction> rows, std::span<PutResult> results) override {
    return Batch(rows, results);
  }

  // A login's role, scope, password or disabled flag changed: its sessions elsewhere end.
  void NoteUserRightsChanged(const std::string& login) { changed_logins_.push_back(login); }

  Status Commit() override {
    if (done_) return FailedPrecondition("transaction already finished");
    FINCRM_RETURN_IF_ERROR(LogChanges());
    change_.generation = 0;
    if (data_changed_) {
      auto bump = store_->Prepared(
          "UPDATE store_meta SET value = value + 1 WHERE key = 'data_generation' RETURNING value");
      if (!bump.ok()) return Unavailable("commit failed: " + bump.status().message());
      int rc = (*bump)->Step();
      if (rc == SQLITE_ROW) change_.generation = (*bump)->Int(0);
      (*bump)->Reset();
      if (rc != SQLITE_ROW) return Unavailable(std::string("commit failed: ") + sqlite3_errmsg(store_->handle()));
    }
    Status status = store_->Execute("COMMIT");
    if (!status.ok()) return Unavailable("commit failed: " + status.message());
    done_ = true;
    if (data_changed_ && store_->commit_listener_) store_->commit_listener_(change_);
    return Status::Ok();
  }

 private:
  // A plain INSERT first: for new rows it is about twice as fast as an upsert, whose
  // conflict probe is a separate index descent. Only a key conflict falls back to the
  // upsert, which updates the row where a value differs.
  template <class T>
  Result<bool> Upsert(const T& row) {
    if (done_) return FailedPrecondition("transaction already finished");
    int kind = static_cast<int>(EntityInfo<T>::kKind);
    data_changed_ |= kChangesCustomerViews<T>;
    NoteChanged(std::span<const T>(&row, 1));
    FINCRM_RETURN_IF_ERROR(CountLoggedRows<T>(1));
    auto insert = Statement(inserts_[kind], &InsertSql<T>);
    if (!insert.ok()) return insert.status();
    int rc = Run(**insert, row);
    if (rc == SQLITE_DONE) return true;
    int extended = sqlite3_extended_errcode(store_->handle());
    if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE) {
      auto upsert = Statement(upserts_[kind], &UpsertSql<T>);
      if (!upsert.ok()) return upsert.status();
      rc = Run(**upsert, row);
      if (rc == SQLITE_DONE) return sqlite3_changes(store_->handle()) > 0;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return InvalidArgument(std::string("rejected by the database: ") +
                             sqlite3_errmsg(store_->handle()));
    }
    return Unavailable(std::string("write failed: ") + sqlite3_errmsg(store_->handle()));
  }

  // Public for SaveAnalysis, which writes result kinds that have no Put overloads.
 public:
  // Rows go in groups of kRowsPerInsert through one multi-row INSERT, which spreads
  // the statement's fixed cost (about two thirds of a single-row insert) over the
  // group. A group that hits any constraint is redone row by row, so each row still
  // gets its own outcome and conflicts become upserts.
  static constexpr size_t kRowsPerInsert = 32;

  template <class T>
  Status Batch(std::span<const T> rows, std::span<PutResult> results) {
    if (done_) return FailedPrecondition("transaction already finished");
    FINCRM_RETURN_IF_ERROR(CountLoggedRows<T>(rows.size()));
    int kind = static_cast<int>(EntityInfo<T>::kKind);
    data_changed_ |= kChangesCustomerViews<T> && !rows.empty();
    NoteChanged(rows);
    size_t i = 0;
    for (; i + kRowsPerInsert <= rows.size(); i += kRowsPerInsert) {
      auto group = Statement(group_inserts_[kind], &GroupInsertSql<T, kRowsPerInsert>);
      if (!group.ok()) return group.status();
      for (size_t r = 0; r < kRowsPerInsert; ++r) {
        BindRow(**group, rows[i + r], static_cast<int>(r * std::size(EntityInfo<T>::kFields)));
      }
      int rc = (*group)->Step();
      (*group)->Reset();
      if (rc == SQLITE_DONE) {
        for (size_t r = 0; r < kRowsPerInsert; ++r) results[i + r] = {true, Status::Ok()};
        continue;
      }
      if ((rc & 0xff) != SQLITE_CONSTRAINT) {
        return Unavailable(std::string("write failed: ") + sqlite3_errmsg(store_->handle()));
      }
      FINCRM_RETURN_IF_ERROR(OneByOne(rows.subspan(i, kRowsPerInsert), results.subspan(i)));
    }
    return OneByOne(rows.subspan(i), results.subspan(i));
  }

  template <class T>
  Status OneByOne(std::span<const T> rows, std::span<PutResult> results) {
    for (size_t r = 0; r < rows.size(); ++r) {
      auto put = Upsert(rows[r]);
      if (put.ok()) {
        results[r] = {*put, Status::Ok()};
      } else if (put.status().code() == StatusCode::kInvalidArgument) {
        results[r] = {false, put.status()};
      } else {
        return put.status();
      }
    }
    return Status::Ok();
  }

  // Gives the row the next number of its table and inserts it.
  template <class T>
  Result<int64_t> AddNumbered(T& row, int64_t T::*id) {
    std::string column(EntityInfo<T>::kFields[0].name);
    auto next = store_->Prepared("SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " +
                                 std::string(EntityInfo<T>::kName));
    if (!next.ok()) return next.status();
    if ((*next)->Step() != SQLITE_ROW) return Unavailable(sqlite3_errmsg(store_->handle()));
    row.*id = (*next)->Int(0);
    (*next)->Reset();
    auto put = Upsert(row);
    if (!put.ok()) return put.status();
    return row.*id;
  }

  // Prepared on first use; `sql` builds the text only then.
  Result<SqliteStatement*> Statement(SqliteStatement*& cached, std::string (*sql)()) {
    if (cached) return cached;
    auto prepared = store_->Prepared(sql());
    if (!prepared.ok()) return prepared.status();
    cached = *prepared;
    return cached;
  }

  template <class T>
  int Run(SqliteStatement& statement, const T& row) {
    BindRow(statement, row);
    int rc = statement.Step();
    statement.Reset();
    return rc;
  }

  // Which customers the transaction touches, for the commit listener. Past a bulk
  // load's size, "everything" is cheaper to say and to act on than the list.
  static constexpr size_t kMaxNamedCustomers = 20000;
  template <class T>
  void NoteChanged(std::span<const T> rows) {
    if (!kChangesCustomerViews<T> || change_.everything) return;
    if constexpr (requires(const T& t) { t.customer_id; }) {
      for (const T& row : rows) NoteCustomer(row.customer_id);
    } else {
      NoteCustomer({});
    }
  }
  // An empty id: a change not tied to one customer.
  void NoteCustomer(const std::string& customer_id) {
    if (change_.everything) return;
    if (!customer_id.empty() && change_.customers.size() < kMaxNamedCustomers) {
      change_.customers.push_back(customer_id);
      return;
    }
    change_.everything = true;
    change_.customers.clear();
  }

  // One prepared write statement, bound by `bind` and run once.
  Status RunWrite(const std::string& sql, const std::function<void(SqliteStatement&)>& bind) {
    auto statement = store_->Prepared(sql);
    if (!statement.ok()) return statement.status();
    bind(**statement);
    int rc = (*statement)->Step();
    (*statement)->Reset();
    if (rc != SQLITE_DONE) return Unavailable(std::string("write failed: ") + sqlite3_errmsg(store_->handle()));
    return Status::Ok();
  }

  // Row triggers, even ones whose condition is false, cost a bulk load most of its
  // speed (20,000 demo customers: 7.3 s with them, 4.2 s without): once a transaction
  // has written kBulkRows rows of the logged kinds it takes them out until it commits
  // (LogChanges restores them). Small transactions keep them, and the flag.
  template <class T>
  Status CountLoggedRows(size_t rows) {
    if constexpr (kChangesCustomerViews<T> || std::is_same_v<T, StaffUser>) {
      logged_rows_ += rows;
      if (logged_rows_ >= kBulkRows && !triggers_dropped_) {
        FINCRM_RETURN_IF_ERROR(store_->Execute(DropChangeLogTriggersSql()));
        triggers_dropped_ = true;
      }
    }
    return Status::Ok();
  }

  // Puts the triggers back and writes the transaction's rows of the change log: each
  // changed customer once (past kMaxLoggedCustomers one "all"), each login whose
  // rights changed.
  static constexpr size_t kMaxLoggedCustomers = 5000;
  Status LogChanges() {
    if (triggers_dropped_) FINCRM_RETURN_IF_ERROR(store_->Execute(ChangeLogTriggersSql()));
    auto reset = store_->Prepared("UPDATE store_meta SET value = 0 WHERE key = 'change_capture_off'");
    if (!reset.ok()) return Status::Ok();  // a schema before store_meta (migration 7)
    int rc = (*reset)->Step();
    (*reset)->Reset();
    if (rc != SQLITE_DONE) return Unavailable(std::string("commit failed: ") + sqlite3_errmsg(store_->handle()));
    if (!data_changed_ && changed_logins_.empty()) return Status::Ok();
    auto insert = store_->Prepared("INSERT INTO change_log (entity, key, origin) VALUES (?1, ?2, ?3)");
    if (!insert.ok()) return Status::Ok();  // before migration 12: nothing to log into
    auto log = [&](std::string_view entity, std::string_view key) -> Status {
      (*insert)->Bind(1, entity);
      (*insert)->Bind(2, key);
      (*insert)->Bind(3, ThisProcessChangeOrigin());
      int step = (*insert)->Step();
      (*insert)->Reset();
      if (step != SQLITE_DONE) return Unavailable(std::string("commit failed: ") + sqlite3_errmsg(store_->handle()));
      return Status::Ok();
    };
    for (const std::string& login : changed_logins_) FINCRM_RETURN_IF_ERROR(log("user", login));
    if (!data_changed_) return Status::Ok();
    std::unordered_set<std::string_view> customers(change_.customers.begin(), change_.customers.end());
    if (change_.everything || customers.size() > kMaxLoggedCustomers) return log("all", "");
    for (std::string_view customer : customers) FINCRM_RETURN_IF_ERROR(log("customer", customer));
    return Status::Ok();
  }

  SqliteStore* store_;
  bool foreign_keys_off_;
  CommittedChange change_;
  std::vector<std::string> changed_logins_;
  static constexpr size_t kBulkRows = 256;
  size_t logged_rows_ = 0;
  bool triggers_dropped_ = false;
  static constexpr int kKinds = static_cast<int>(EntityKind::kApiKey) + 1;
  SqliteStatement* inserts_[kKinds] = {};
  SqliteStatement* group_inserts_[kKinds] = {};
  SqliteStatement* upserts_[kKinds] = {};
  bool done_ = false;
  bool data_changed_ = false;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, bool create) {
  // Memory statistics take a process-wide mutex on every allocation; with one
  // connection per server thread that mutex was the main contention (measured with
  // perf on the 360 route). Must precede SQLite's initialisation, hence once here.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  auto opened = OpenSqliteFile(path, create);
  if (!opened.ok()) return opened.status();
  sqlite3* db = *opened;
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  WaitWhenBusy(db, 10000);
  // 16 KiB pages (set before the first table; ignored for existing files): bulk
  // inserts measured 30% faster than with 4 KiB pages, with shallower B-trees.
  for (const char* pragma :
       {"PRAGMA page_size=16384", "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL",
        "PRAGMA cache_size=-131072", "PRAGMA temp_store=MEMORY"}) {
    Status status = store->Execute(pragma);
    if (!status.ok()) return Unavailable("cannot open database " + path + ": " + status.message());
  }
  return store;
}

SqliteStore::~SqliteStore() {
  statements_.clear();
  sqlite3_close(db_);
}

Status SqliteStore::Execute(std::string_view sql) { return ExecuteSql(db_, sql); }

Result<SqliteStatement*> SqliteStore::Prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  auto statement = std::make_unique<SqliteStatement>(db_, sql);
  if (!statement->valid()) return statement->prepare_status();
  SqliteStatement* raw = statement.get();
  statements_.emplace(sql, std::move(statement));
  return raw;
}

Status SqliteStore::Migrate() {
  FINCRM_RETURN_IF_ERROR(Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_at TEXT NOT NULL)"));
  auto current = SchemaVersion();
  if (!current.ok()) return current.status();
  auto migrations = SqliteMigrations();
  if (*current > migrations.back().version) {
    return FailedPrecondition("the database has schema version " + std::to_string(*current) +
                              ", newer than this build's " +
                              std::to_string(migrations.back().version) + ": upgrade FinCRM");
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
    Status status = Execute(migration.sql);
    if (status.ok()) {
      SqliteStatement record(db_,
                             "INSERT INTO schema_migrations(version, description, applied_at) "
                             "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
      record.Bind(1, int64_t{migration.version});
      record.Bind(2, migration.description);
      if (record.Step() != SQLITE_DONE) status = Internal(sqlite3_errmsg(db_));
    }
    if (!status.ok()) {
      (void)Execute("ROLLBACK");
      return Internal("migration " + std::to_string(migration.version) + " failed: " +
                      status.message());
    }
    FINCRM_RETURN_IF_ERROR(Execute("COMMIT"));
  }
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  SqliteStatement query(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!query.valid()) return 0;  // no migrations table yet
  if (query.Step() != SQLITE_ROW) return Internal(sqlite3_errmsg(db_));
  return static_cast<int>(query.Int(0));
}

void SqliteStore::SetCommitListener(CommitListener listener) { commit_listener_ = std::move(listener); }

Result<std::unique_ptr<StoreWriter>> SqliteStore::BeginWrite(bool references_verified) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  // The pragma is a no-op inside a transaction, so it goes first.
  if (references_verified) FINCRM_RETURN_IF_ERROR(Execute("PRAGMA foreign_keys=OFF"));
  Status status = Execute("BEGIN IMMEDIATE");
  if (!status.ok()) {
    if (references_verified) (void)Execute("PRAGMA foreign_keys=ON");
    return Unavailable("cannot start a write transaction: " + status.message());
  }
  return std::unique_ptr<StoreWriter>(std::make_unique<SqliteWriter>(this, references_verified));
}

Result<int64_t> SqliteStore::Count(EntityKind kind) {
  std::string table(EntityKindName(kind));
  auto statement = Prepared("SELECT COUNT(*) FROM " + table);
  if (!statement.ok()) return statement.status();
  if ((*statement)->Step() != SQLITE_ROW) return Internal(sqlite3_errmsg(db_));
  return (*statement)->Int(0);
}

template <class T>
Result<std::vector<T>> SqliteStore::Select(const std::string& where_and_order,
                                           std::string_view customer_id, int limit) {
  return Query<T>(SelectSql<T>() + " " + where_and_order, [&](SqliteStatement& query) {
    query.Bind(1, customer_id);
    if (limit > 0) query.Bind(2, int64_t{limit});
  });
}

Result<Customer> SqliteStore::GetCustomer(std::string_view customer_id) {
  auto rows = Select<Customer>("WHERE customer_id = ?", customer_id, 0);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("no customer " + std::string(customer_id), "customer_id");
  return std::move(rows->front());
}

Result<std::vector<HouseholdMember>> SqliteStore::HouseholdOf(std::string_view customer_id) {
  return Select<HouseholdMember>("WHERE customer_id = ? ORDER BY relation, member_customer_id, member_name",
                                 customer_id, 0);
}

Result<std::vector<Account>> SqliteStore::AccountsOf(std::string_view customer_id) {
  return Select<Account>("WHERE customer_id = ? ORDER BY account_id", customer_id, 0);
}

Result<std::optional<AssetSnapshot>> SqliteStore::LatestAssets(std::string_view customer_id) {
  auto rows = Select<AssetSnapshot>("WHERE customer_id = ? ORDER BY snapshot_date DESC LIMIT ?",
                                    customer_id, 1);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AssetSnapshot>();
  return std::optional<AssetSnapshot>(std::move(rows->front()));
}

Result<std::vector<Trade>> SqliteStore::RecentTrades(std::string_view customer_id, int limit) {
  return Select<Trade>("WHERE customer_id = ? ORDER BY trade_time DESC, trade_id DESC LIMIT ?",
                       customer_id, limit);
}

Result<std::vector<Interaction>> SqliteStore::RecentInteractions(std::string_view customer_id,
                                                                 int limit) {
  return Select<Interaction>(
      "WHERE customer_id = ? ORDER BY occurred_at DESC, interaction_id DESC LIMIT ?", customer_id,
      limit);
}

Result<std::vector<CustomerSearchHit>> SqliteStore::SearchCustomers(const CustomerSearch& search) {
  // Each branch uses its own index; the name branch is a prefix range scan. The scope
  // (?5 branch, ?6 broker; '' = any) is part of every branch's WHERE, before the limit.
  auto statement = Prepared(
      "SELECT customer_id, name, mobile, branch_id, 'customer_id' FROM customers WHERE customer_id = ?1 "
      "AND (?5 = '' OR branch_id = ?5) AND (?6 = '' OR broker_id = ?6) "
      "UNION ALL SELECT customer_id, name, mobile, branch_id, 'id_number' FROM customers WHERE ?4 AND id_number = ?1 "
      "AND (?5 = '' OR branch_id = ?5) AND (?6 = '' OR broker_id = ?6) "
      "UNION ALL SELECT customer_id, name, mobile, branch_id, 'mobile' FROM customers WHERE ?3 AND mobile = ?1 "
      "AND (?5 = '' OR branch_id = ?5) AND (?6 = '' OR broker_id = ?6) "
      "UNION ALL SELECT * FROM (SELECT customer_id, name, mobile, branch_id, 'name' FROM customers "
      "WHERE name >= ?1 AND name < ?1 || x'F4908080' AND (?5 = '' OR branch_id = ?5) AND (?6 = '' OR broker_id = ?6) "
      "ORDER BY name, customer_id LIMIT ?2) "
      "LIMIT ?2");
  if (!statement.ok()) return statement.status();
  SqliteStatement& sql = **statement;
  sql.Bind(1, std::string_view(search.text));
  sql.Bind(2, int64_t{search.limit});
  sql.Bind(3, int64_t{search.by_mobile});
  sql.Bind(4, int64_t{search.by_id_number});
  sql.Bind(5, std::string_view(search.branch_id));
  sql.Bind(6, std::string_view(search.broker_id));
  std::vector<CustomerSearchHit> hits;
  int rc;
  while ((rc = sql.Step()) == SQLITE_ROW) {
    CustomerSearchHit hit;
    sql.Read(0, hit.customer_id);
    sql.Read(1, hit.name);
    sql.Read(2, hit.mobile);
    sql.Read(3, hit.branch_id);
    sql.Read(4, hit.matched_on);
    hits.push_back(std::move(hit));
  }
  sql.Reset();
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return hits;
}

template <class T>
Status SqliteStore::ScanAll(const std::function<bool(const T&)>& fn) {
  // A private statement: callers may run other queries from inside fn.
  SqliteStatement query(db_, SelectSql<T>() + " ORDER BY " + KeyColumns<T>());
  if (!query.valid()) return query.prepare_status();
  T row;
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) {
    ReadRow(query, row);
    if (!fn(row)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

Status SqliteStore::ForEach(const std::function<bool(const Branch&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const Staff&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const Product&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const Customer&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const HouseholdMember&)>& fn) {
  return ScanAll(fn);
}
Status SqliteStore::ForEach(const std::function<bool(const Account&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const AssetSnapshot&)>& fn) {
  return ScanAll(fn);
}
Status SqliteStore::ForEach(const std::function<bool(const Trade&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const Interaction&)>& fn) {
  return ScanAll(fn);
}

Status SqliteStore::ForEach(const std::function<bool(const AnalysisRun&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const CustomerScore&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const TierRecord&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const KpiRecord&)>& fn) { return ScanAll(fn); }

Result<int64_t> SqliteStore::SaveAnalysis(const AnalysisRun& run, std::span<const CustomerScore> scores,
                                          std::span<const TierRecord> tiers,
                                          std::span<const KpiRecord> kpis,
                                          std::span<const ClusterRecord> clusters) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  auto next = Prepared("SELECT COALESCE(MAX(run_id), 0) + 1 FROM analysis_runs");
  if (!next.ok()) return next.status();
  if ((*next)->Step() != SQLITE_ROW) return Internal(sqlite3_errmsg(db_));
  AnalysisRun stored = run;
  stored.run_id = (*next)->Int(0);
  (*next)->Reset();
  FINCRM_RETURN_IF_ERROR(Execute("DELETE FROM customer_scores"));
  if (!tiers.empty()) {
    auto remove = Prepared("DELETE FROM tier_history WHERE month_end = ?");
    if (!remove.ok()) return remove.status();
    std::string last;
    for (const TierRecord& record : tiers) {
      std::string month = FormatDate(record.month_end);
      if (month == last) continue;
      last = month;
      (*remove)->Bind(1, std::string_view(month));
      if ((*remove)->Step() != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
      (*remove)->Reset();
    }
  }
  auto write_all = [&]<class T>(std::span<const T> rows, bool stamp) -> Status {
    std::vector<T> copy;
    if constexpr (requires(T row) { row.run_id; }) {
      if (stamp) {
        copy.assign(rows.begin(), rows.end());
        for (T& row : copy) row.run_id = stored.run_id;
        rows = copy;
      }
    }
    std::vector<StoreWriter::PutResult> results(rows.size());
    FINCRM_RETURN_IF_ERROR(writer.Batch(rows, std::span(results)));
    for (const auto& result : results) {
      if (!result.error.ok()) return Internal("storing analysis results: " + result.error.message());
    }
    return Status::Ok();
  };
  FINCRM_RETURN_IF_ERROR(write_all(std::span<const AnalysisRun>(&stored, 1), false));
  FINCRM_RETURN_IF_ERROR(write_all(scores, true));
  FINCRM_RETURN_IF_ERROR(write_all(tiers, false));  // no run id: history outlives runs
  FINCRM_RETURN_IF_ERROR(write_all(kpis, true));
  FINCRM_RETURN_IF_ERROR(write_all(clusters, true));
  FINCRM_RETURN_IF_ERROR(writer.Commit());
  return stored.run_id;
}

Status SqliteStore::ForEach(const std::function<bool(const StoredModel&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const ClusterRecord&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const StaffUser&)>& fn) { return ScanAll(fn); }

Status SqliteStore::AddUser(const StaffUser& user) {
  auto existing = FindUser(user.login);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return AlreadyExists("login '" + user.login + "' exists", "login");
  return UpdateUser(user, /*must_exist=*/false);
}

Status SqliteStore::UpdateUser(const StaffUser& user) { return UpdateUser(user, /*must_exist=*/true); }

Status SqliteStore::UpdateUser(const StaffUser& user, bool must_exist) {
  std::optional<StaffUser> before;
  if (must_exist) {
    auto existing = FindUser(user.login);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) return NotFound("no login '" + user.login + "'", "login");
    before = **existing;
  }
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  if (before && RightsChanged(*before, user)) {
    writer.NoteUserRightsChanged(user.login);
  }
  StoreWriter::PutResult result;
  FINCRM_RETURN_IF_ERROR(writer.Batch(std::span<const StaffUser>(&user, 1), std::span(&result, 1)));
  if (!result.error.ok()) {
    return InvalidArgument("unknown branch or staff id (" + result.error.message() + ")", "branch");
  }
  return writer.Commit();
}

Status SqliteStore::ForEach(const std::function<bool(const AuditEntry&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const WebhookSubscription&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const ApiKey&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const IngestedEvent&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const Alert&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const FollowUpTask&)>& fn) { return ScanAll(fn); }
Status SqliteStore::ForEach(const std::function<bool(const WebhookDelivery&)>& fn) { return ScanAll(fn); }

Result<AuditEntry> SqliteStore::AppendAudit(AuditEntry entry,
                                            const std::function<std::string(const AuditEntry&)>& seal) {
  std::vector<AuditEntry> one;
  one.push_back(std::move(entry));
  auto stored = AppendAuditBatch(std::move(one), seal);
  if (!stored.ok()) return stored.status();
  return std::move(stored->front());
}

Result<std::vector<AuditEntry>> SqliteStore::AppendAuditBatch(
    std::vector<AuditEntry> entries, const std::function<std::string(const AuditEntry&)>& seal) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both chain
  // onto the same last entry.
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  FINCRM_RETURN_IF_ERROR(writer.AppendAudit(entries, seal));
  FINCRM_RETURN_IF_ERROR(writer.Commit());
  return entries;
}

Status SqliteStore::IndexAuditTail(int64_t last_sequence) {
  // Sorted batches touch each index page once per batch instead of once per entry.
  constexpr int64_t kBatch = 200000;
  auto through = Prepared("SELECT value FROM store_meta WHERE key = 'audit_indexed_through'");
  if (!through.ok()) return through.status();
  int rc = (*through)->Step();
  int64_t indexed = rc == SQLITE_ROW ? (*through)->Int(0) : 0;
  (*through)->Reset();
  if (rc != SQLITE_ROW) return Internal("audit index position missing");
  if (last_sequence - indexed < kBatch) return Status::Ok();
  auto index = Prepared(
      "INSERT INTO audit_by_customer SELECT customer_id, sequence FROM audit_log "
      "WHERE sequence > ?1 AND customer_id IS NOT NULL AND customer_id <> '' ORDER BY customer_id, sequence");
  if (!index.ok()) return index.status();
  (*index)->Bind(1, indexed);
  rc = (*index)->Step();
  (*index)->Reset();
  if (rc != SQLITE_DONE) return Internal(std::string("indexing the audit trail: ") + sqlite3_errmsg(db_));
  auto advance = Prepared("UPDATE store_meta SET value = ?1 WHERE key = 'audit_indexed_through'");
  if (!advance.ok()) return advance.status();
  (*advance)->Bind(1, last_sequence);
  rc = (*advance)->Step();
  (*advance)->Reset();
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

Result<std::optional<StaffUser>> SqliteStore::FindUser(std::string_view login) {
  auto rows = Select<StaffUser>("WHERE login = ?", login, 0);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<StaffUser>();
  return std::optional<StaffUser>(std::move(rows->front()));
}

Result<int64_t> SqliteStore::SaveModel(const StoredModel& model) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  auto next = Prepared("SELECT COALESCE(MAX(model_id), 0) + 1 FROM models");
  if (!next.ok()) return next.status();
  if ((*next)->Step() != SQLITE_ROW) return Internal(sqlite3_errmsg(db_));
  StoredModel stored = model;
  stored.model_id = (*next)->Int(0);
  (*next)->Reset();
  StoreWriter::PutResult result;
  FINCRM_RETURN_IF_ERROR(writer.Batch(std::span<const StoredModel>(&stored, 1), std::span(&result, 1)));
  if (!result.error.ok()) return Internal("storing the model: " + result.error.message());
  FINCRM_RETURN_IF_ERROR(writer.Commit());
  return stored.model_id;
}

Result<std::optional<StoredModel>> SqliteStore::LatestModel(std::string_view name) {
  auto rows = Select<StoredModel>("WHERE name = ? ORDER BY model_id DESC LIMIT ?", name, 1);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<StoredModel>();
  return std::optional<StoredModel>(std::move(rows->front()));
}

Result<std::optional<AnalysisRun>> SqliteStore::LatestAnalysisRun() {
  auto rows = Select<AnalysisRun>("WHERE ?1 = ?1 ORDER BY run_id DESC LIMIT ?2", "", 1);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AnalysisRun>();
  return std::optional<AnalysisRun>(rows->front());
}

Result<std::optional<CustomerScore>> SqliteStore::GetCustomerScore(std::string_view customer_id) {
  auto rows = Select<CustomerScore>("WHERE customer_id = ?", customer_id, 0);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<CustomerScore>();
  return std::optional<CustomerScore>(rows->front());
}

Status SqliteStore::ForEachKey(EntityKind kind, const std::function<void(std::string_view)>& fn) {
  std::string sql = VisitEntityKind(kind, []<class T>() {
    std::string column(EntityInfo<T>::kFields[0].name);
    return "SELECT DISTINCT " + column + " FROM " + std::string(EntityInfo<T>::kName);
  });
  return ForEachText(sql, fn);
}

Status SqliteStore::ForEachText(const std::string& sql, const std::function<void(std::string_view)>& fn) {
  SqliteStatement query(db_, sql);
  if (!query.valid()) return query.prepare_status();
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) fn(query.Text(0));
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

namespace {

// Enum text straight from the column: codes are stored in canonical case, so a
// comparison against the code table is enough (no case folding, no aliases).
template <class E>
E CodeToEnum(std::string_view code) {
  for (const EnumName& name : EnumInfo<E>::kNames) {
    if (name.code == code) return static_cast<E>(name.value);
  }
  return E{};
}

Date FastDate(std::string_view text) {
  // Stored dates are always YYYY-MM-DD.
  if (text.size() != 10) return Date{};
  int year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  unsigned month = (text[5] - '0') * 10 + (text[6] - '0');
  unsigned day = (text[8] - '0') * 10 + (text[9] - '0');
  return Date{DaysFromCivil(year, month, day)};
}

}  // namespace

Status SqliteStore::ScanTradeFacts(const std::function<void(const TradeFactRow&)>& fn) {
  SqliteStatement query(db_,
                        "SELECT customer_id, trade_time, market, symbol, product_type, side, amount, "
                        "commission, channel FROM trades");
  if (!query.valid()) return query.prepare_status();
  TradeFactRow row{};
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) {
    row.customer_id = query.Text(0);
    row.trade_time.seconds = query.Int(1);
    row.market = CodeToEnum<Market>(query.Text(2));
    row.symbol = query.Text(3);
    row.product_type = CodeToEnum<ProductType>(query.Text(4));
    row.side = CodeToEnum<TradeSide>(query.Text(5));
    row.amount_fen = query.Int(6);
    row.commission_fen = query.Int(7);
    row.channel = CodeToEnum<TradeChannel>(query.Text(8));
    fn(row);
  }
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

Status SqliteStore::ScanAssetFacts(const std::function<void(const AssetFactRow&)>& fn) {
  SqliteStatement query(db_,
                        "SELECT customer_id, snapshot_date, total_assets, funds, margin_debt FROM assets");
  if (!query.valid()) return query.prepare_status();
  AssetFactRow row{};
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) {
    row.customer_id = query.Text(0);
    row.snapshot_date = FastDate(query.Text(1));
    row.total_assets_fen = query.Int(2);
    row.funds_fen = query.Int(3);
    row.margin_debt_fen = query.Int(4);
    fn(row);
  }
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

Status SqliteStore::ScanInteractionFacts(const std::function<void(const InteractionFactRow&)>& fn) {
  SqliteStatement query(db_,
                        "SELECT customer_id, occurred_at, channel, direction, type FROM interactions");
  if (!query.valid()) return query.prepare_status();
  InteractionFactRow row{};
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) {
    row.customer_id = query.Text(0);
    row.occurred_at.seconds = query.Int(1);
    row.channel = CodeToEnum<InteractionChannel>(query.Text(2));
    row.direction = CodeToEnum<Direction>(query.Text(3));
    row.type = CodeToEnum<InteractionType>(query.Text(4));
    fn(row);
  }
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return Status::Ok();
}

Result<int64_t> SqliteStore::AddWebhook(WebhookSubscription subscription) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  auto next = Prepared("SELECT COALESCE(MAX(webhook_id), 0) + 1 FROM webhooks");
  if (!next.ok()) return next.status();
  if ((*next)->Step() != SQLITE_ROW) return Internal(sqlite3_errmsg(db_));
  subscription.webhook_id = (*next)->Int(0);
  (*next)->Reset();
  StoreWriter::PutResult result;
  FINCRM_RETURN_IF_ERROR(
      writer.Batch(std::span<const WebhookSubscription>(&subscription, 1), std::span(&result, 1)));
  if (!result.error.ok()) return InvalidArgument(result.error.message());
  FINCRM_RETURN_IF_ERROR(writer.Commit());
  return subscription.webhook_id;
}

Status SqliteStore::AddApiKey(const ApiKey& key) {
  if (writer_open_) return FailedPrecondition("a write transaction is already open on this store");
  FINCRM_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  SqliteWriter writer(this, /*foreign_keys_off=*/false);
  auto existing = Prepared("SELECT 1 FROM api_keys WHERE key_id = ?");
  if (!existing.ok()) return existing.status();
  (*existing)->Bind(1, std::string_view(key.key_id));
  int rc = (*existing)->Step();
  (*existing)->Reset();
  if (rc == SQLITE_ROW) return AlreadyExists("API key id '" + key.key_id + "' exists", "key_id");
  StoreWriter::PutResult result;
  FINCRM_RETURN_IF_ERROR(writer.Batch(std::span<const ApiKey>(&key, 1), std::span(&result, 1)));
  if (!result.error.ok()) return InvalidArgument(result.error.message());
  return writer.Commit();
}

}  // namespace fincrm
