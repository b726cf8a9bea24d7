#include "storage/sqlite/schema_migrations.h"

#include <string>

namespace fincrm {
namespace {

// Dates are ISO text (YYYY-MM-DD), instants INTEGER seconds since the epoch (UTC),
// money INTEGER fen, prices INTEGER li; enums are their lower-case codes.
// Households and assets are WITHOUT ROWID so a customer's rows sit together.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE branches (
  branch_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  province TEXT NOT NULL,
  city TEXT NOT NULL,
  opened_on TEXT
);
CREATE TABLE staff (
  staff_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  branch_id TEXT NOT NULL REFERENCES branches(branch_id),
  mobile TEXT,
  email TEXT,
  hired_on TEXT
);
CREATE INDEX staff_by_branch ON staff(branch_id);
CREATE TABLE products (
  product_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  issuer TEXT,
  launch_date TEXT
);
CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT,
  id_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  mobile TEXT,
  email TEXT,
  province TEXT NOT NULL,
  city TEXT NOT NULL,
  address TEXT,
  occupation TEXT,
  income_band TEXT,
  open_date TEXT NOT NULL,
  status TEXT NOT NULL,
  risk_level TEXT,
  risk_assessed_on TEXT,
  broker_id TEXT REFERENCES staff(staff_id),
  branch_id TEXT NOT NULL REFERENCES branches(branch_id)
);
CREATE INDEX customers_by_name ON customers(name);
CREATE INDEX customers_by_mobile ON customers(mobile);
CREATE INDEX customers_by_id_number ON customers(id_number);
CREATE INDEX customers_by_branch ON customers(branch_id, customer_id);
CREATE INDEX customers_by_broker ON customers(broker_id, customer_id);
CREATE TABLE households (
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  relation TEXT NOT NULL,
  member_customer_id TEXT NOT NULL DEFAULT '',
  member_name TEXT NOT NULL DEFAULT '',
  member_mobile TEXT,
  PRIMARY KEY (customer_id, relation, member_customer_id, member_name)
) WITHOUT ROWID;
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  type TEXT NOT NULL,
  open_date TEXT NOT NULL,
  close_date TEXT
);
CREATE INDEX accounts_by_customer ON accounts(customer_id);
CREATE TABLE assets (
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  snapshot_date TEXT NOT NULL,
  total_assets INTEGER NOT NULL,
  cash INTEGER NOT NULL,
  stocks INTEGER NOT NULL,
  funds INTEGER NOT NULL,
  bonds INTEGER NOT NULL,
  margin_debt INTEGER NOT NULL,
  PRIMARY KEY (customer_id, snapshot_date)
) WITHOUT ROWID;
CREATE TABLE trades (
  trade_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  trade_time INTEGER NOT NULL,
  market TEXT NOT NULL,
  symbol TEXT NOT NULL,
  product_type TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  commission INTEGER NOT NULL,
  channel TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX trades_by_customer_time ON trades(customer_id, trade_time);
CREATE TABLE interactions (
  interaction_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  occurred_at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  direction TEXT NOT NULL,
  type TEXT NOT NULL,
  staff_id TEXT REFERENCES staff(staff_id),
  subject TEXT,
  notes TEXT,
  outcome TEXT,
  duration_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX interactions_by_customer_time ON interactions(customer_id, occurred_at);
)sql";

// Analysis results: the latest scores per customer, the monthly value-ladder
// history and KPI scorecards, each stamped with the run that computed it.
constexpr std::string_view kAnalysisResults = R"sql(
CREATE TABLE analysis_runs (
  run_id INTEGER PRIMARY KEY,
  computed_at INTEGER NOT NULL,
  as_of TEXT NOT NULL,
  customers INTEGER NOT NULL,
  summary TEXT
);
CREATE TABLE customer_scores (
  customer_id TEXT PRIMARY KEY REFERENCES customers(customer_id),
  run_id INTEGER NOT NULL REFERENCES analysis_runs(run_id),
  as_of TEXT NOT NULL,
  recency_days INTEGER NOT NULL,
  frequency INTEGER NOT NULL,
  monetary INTEGER NOT NULL,
  rfm TEXT NOT NULL,
  commission INTEGER NOT NULL,
  margin_interest INTEGER NOT NULL,
  product_fee INTEGER NOT NULL,
  profit INTEGER NOT NULL,
  lifetime_value INTEGER NOT NULL,
  latest_assets INTEGER NOT NULL,
  average_assets INTEGER NOT NULL,
  trades_per_month REAL NOT NULL,
  turnover_rate REAL NOT NULL,
  holding_period_days REAL NOT NULL,
  trading_style TEXT NOT NULL,
  preferred_channel TEXT,
  loyalty_index REAL NOT NULL,
  credit_grade TEXT NOT NULL,
  credit_reasons TEXT,
  value_score REAL NOT NULL,
  tier TEXT,
  cluster INTEGER NOT NULL,
  churn_risk REAL NOT NULL,
  churn_reasons TEXT
);
CREATE INDEX customer_scores_by_tier ON customer_scores(tier, customer_id);
CREATE INDEX customer_scores_by_churn_risk ON customer_scores(churn_risk);
CREATE TABLE tier_history (
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  month_end TEXT NOT NULL,
  tier TEXT NOT NULL,
  value_score REAL NOT NULL,
  PRIMARY KEY (customer_id, month_end)
) WITHOUT ROWID;
CREATE INDEX tier_history_by_month ON tier_history(month_end);
CREATE TABLE kpi_scores (
  period TEXT NOT NULL,
  level TEXT NOT NULL,
  unit TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES analysis_runs(run_id),
  rank INTEGER NOT NULL,
  composite REAL NOT NULL,
  customers INTEGER NOT NULL,
  new_customers INTEGER NOT NULL,
  new_rate REAL NOT NULL,
  churned INTEGER NOT NULL,
  retention_rate REAL NOT NULL,
  upgraded INTEGER NOT NULL,
  upgrade_rate REAL NOT NULL,
  average_profit INTEGER NOT NULL,
  PRIMARY KEY (period, level, unit)
) WITHOUT ROWID;
)sql";

// Trained models (churn today), every version kept with its model card.
constexpr std::string_view kModels = R"sql(
CREATE TABLE models (
  model_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  card_json TEXT NOT NULL,
  card_text TEXT,
  rules_text TEXT,
  model_json TEXT
);
CREATE INDEX models_by_name ON models(name, model_id);
)sql";

constexpr std::string_view kClusters = R"sql(
CREATE TABLE clusters (
  run_id INTEGER NOT NULL REFERENCES analysis_runs(run_id),
  cluster INTEGER NOT NULL,
  size INTEGER NOT NULL,
  label TEXT NOT NULL,
  profile_json TEXT NOT NULL,
  PRIMARY KEY (run_id, cluster)
) WITHOUT ROWID;
)sql";

// Logins. Branch managers are tied to a branch, broker logins to their staff record.
constexpr std::string_view kUsers = R"sql(
CREATE TABLE users (
  login TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  branch_id TEXT REFERENCES branches(branch_id),
  staff_id TEXT REFERENCES staff(staff_id),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
)sql";

// The audit trail, append-only, each entry chained to the one before by SHA-256.
constexpr std::string_view kAuditLog = R"sql(
CREATE TABLE audit_log (
  sequence INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  customer_id TEXT,
  detail TEXT,
  source TEXT,
  previous_hash TEXT,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_customer ON audit_log(customer_id, sequence);
CREATE INDEX audit_log_by_actor ON audit_log(actor, sequence);
)sql";

// What the running server keeps: ingested event ids (replays are ignored), churn
// alerts and the follow-up tasks they create, webhook subscriptions with their
// delivery log, API keys (hashes only), and a data generation counter that every
// data-changing commit bumps so caches of customer views know when to drop entries.
constexpr std::string_view kServerRecords = R"sql(
CREATE TABLE ingested_events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  customer_id TEXT,
  received_at INTEGER NOT NULL
);
CREATE TABLE alerts (
  alert_id INTEGER PRIMARY KEY,
  raised_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  detail TEXT
);
CREATE INDEX alerts_by_customer ON alerts(customer_id, alert_id);
CREATE TABLE tasks (
  task_id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  assignee_staff_id TEXT REFERENCES staff(staff_id),
  branch_id TEXT,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  due_on TEXT NOT NULL,
  alert_id INTEGER
);
CREATE INDEX tasks_by_customer ON tasks(customer_id, task_id);
CREATE INDEX tasks_by_assignee ON tasks(assignee_staff_id, status, task_id);
CREATE TABLE webhooks (
  webhook_id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  event_types TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE webhook_deliveries (
  delivery_id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(webhook_id),
  alert_id INTEGER NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_status INTEGER NOT NULL,
  last_error TEXT,
  next_attempt_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(state, next_attempt_at);
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  disabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO store_meta(key, value) VALUES ('data_generation', 0);
)sql";

// Trades and interactions clustered by customer and time: the 360 view and the
// timeline read a customer's latest rows as one range instead of one lookup per row
// through a secondary index, and a table plus a unique index on the natural key is
// one B-tree less than a rowid table with two indexes. Rebuilds both tables (tens of
// seconds for millions of rows, once).
constexpr std::string_view kClusteredFacts = R"sql(
CREATE TABLE trades_clustered (
  trade_id TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  trade_time INTEGER NOT NULL,
  market TEXT NOT NULL,
  symbol TEXT NOT NULL,
  product_type TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  commission INTEGER NOT NULL,
  channel TEXT NOT NULL,
  PRIMARY KEY (customer_id, trade_time, trade_id)
) WITHOUT ROWID;
INSERT INTO trades_clustered SELECT trade_id, customer_id, account_id, trade_time, market, symbol,
  product_type, side, quantity, price, amount, commission, channel FROM trades ORDER BY customer_id, trade_time, trade_id;
DROP TABLE trades;
ALTER TABLE trades_clustered RENAME TO trades;
CREATE UNIQUE INDEX trades_by_id ON trades(trade_id);
CREATE TABLE interactions_clustered (
  interaction_id TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers(customer_id),
  occurred_at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  direction TEXT NOT NULL,
  type TEXT NOT NULL,
  staff_id TEXT REFERENCES staff(staff_id),
  subject TEXT,
  notes TEXT,
  outcome TEXT,
  duration_seconds INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, occurred_at, interaction_id)
) WITHOUT ROWID;
INSERT INTO interactions_clustered SELECT interaction_id, customer_id, occurred_at, channel, direction, type,
  staff_id, subject, notes, outcome, duration_seconds FROM interactions ORDER BY customer_id, occurred_at, interaction_id;
DROP TABLE interactions;
ALTER TABLE interactions_clustered RENAME TO interactions;
CREATE UNIQUE INDEX interactions_by_id ON interactions(interaction_id);
)sql";

// The ladder distribution (customers per tier per month) read from an index alone,
// without sorting the whole history: 2.2 s → a fraction on 100,000 customers.
constexpr std::string_view kLadderIndex = R"sql(
CREATE INDEX tier_history_by_month_tier ON tier_history(month_end, tier);
DROP INDEX tier_history_by_month;
)sql";

// Every 360 read appends an audit entry; indexing it by customer at once was a random
// B-tree insert, and a dirty page in the WAL, per read (it halved the 360 route's
// throughput). Entries are now indexed by customer in sorted batches as the trail
// grows (SqliteStore::AppendAuditBatch); queries scan the unindexed tail.
constexpr std::string_view kAuditCustomerIndex = R"sql(
CREATE TABLE audit_by_customer (
  customer_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  PRIMARY KEY (customer_id, sequence)
) WITHOUT ROWID;
INSERT INTO audit_by_customer
  SELECT customer_id, sequence FROM audit_log WHERE customer_id IS NOT NULL AND customer_id <> ''
  ORDER BY customer_id, sequence;
INSERT INTO store_meta(key, value)
  VALUES ('audit_indexed_through', (SELECT COALESCE(MAX(sequence), 0) FROM audit_log));
DROP INDEX audit_log_by_customer;
)sql";

// Real-time events are first appended here (one table's end: the cheapest durable
// write) and applied to the customer-clustered tables in large sorted batches, where
// each touched page is written once per batch instead of once per event.
constexpr std::string_view kEventJournal = R"sql(
CREATE TABLE event_journal (
  sequence INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  row TEXT NOT NULL
);
)sql";

// Every change to what a customer view or a session depends on, by any writer: this
// server's other processes and tools write their rows themselves (one per customer
// and transaction, with their origin) and switch the triggers off inside their own
// transactions; a direct SQL update by anyone else is recorded by the triggers. The
// server reads the log to drop the views and end the sessions a change affects.
constexpr std::string_view kChangeLog = R"sql(
CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  key TEXT NOT NULL,
  origin TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL DEFAULT (unixepoch())
);
INSERT INTO store_meta(key, value) VALUES ('change_capture_off', 0);
)sql";

// The change log's triggers, apart: FinCRM's bulk writers drop them inside their own
// transaction and create them again before it commits (see ChangeLogTriggersSql).
constexpr std::string_view kChangeLogTriggers = R"sql(
CREATE TRIGGER customers_insert_changes AFTER INSERT ON customers WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER customers_update_changes AFTER UPDATE ON customers WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER customers_delete_changes AFTER DELETE ON customers WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER households_insert_changes AFTER INSERT ON households WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) SELECT 'customer', NEW.customer_id WHERE NEW.customer_id <> ''; INSERT INTO change_log(entity, key) SELECT 'customer', NEW.member_customer_id WHERE NEW.member_customer_id <> ''; END;
CREATE TRIGGER households_update_changes AFTER UPDATE ON households WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) SELECT 'customer', NEW.customer_id WHERE NEW.customer_id <> ''; INSERT INTO change_log(entity, key) SELECT 'customer', NEW.member_customer_id WHERE NEW.member_customer_id <> ''; INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id <> '' AND OLD.customer_id IS NOT NEW.customer_id; INSERT INTO change_log(entity, key) SELECT 'customer', OLD.member_customer_id WHERE OLD.member_customer_id <> '' AND OLD.member_customer_id IS NOT NEW.member_customer_id; END;
CREATE TRIGGER households_delete_changes AFTER DELETE ON households WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id <> ''; INSERT INTO change_log(entity, key) SELECT 'customer', OLD.member_customer_id WHERE OLD.member_customer_id <> ''; END;
CREATE TRIGGER accounts_insert_changes AFTER INSERT ON accounts WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER accounts_update_changes AFTER UPDATE ON accounts WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER accounts_delete_changes AFTER DELETE ON accounts WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER assets_insert_changes AFTER INSERT ON assets WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER assets_update_changes AFTER UPDATE ON assets WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER assets_delete_changes AFTER DELETE ON assets WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER trades_insert_changes AFTER INSERT ON trades WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER trades_update_changes AFTER UPDATE ON trades WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER trades_delete_changes AFTER DELETE ON trades WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER interactions_insert_changes AFTER INSERT ON interactions WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER interactions_update_changes AFTER UPDATE ON interactions WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER interactions_delete_changes AFTER DELETE ON interactions WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER tasks_insert_changes AFTER INSERT ON tasks WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER tasks_update_changes AFTER UPDATE ON tasks WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER tasks_delete_changes AFTER DELETE ON tasks WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER customer_scores_insert_changes AFTER INSERT ON customer_scores WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER customer_scores_update_changes AFTER UPDATE ON customer_scores WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER customer_scores_delete_changes AFTER DELETE ON customer_scores WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER tier_history_insert_changes AFTER INSERT ON tier_history WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER tier_history_update_changes AFTER UPDATE ON tier_history WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', NEW.customer_id); INSERT INTO change_log(entity, key) SELECT 'customer', OLD.customer_id WHERE OLD.customer_id IS NOT NEW.customer_id; END;
CREATE TRIGGER tier_history_delete_changes AFTER DELETE ON tier_history WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('customer', OLD.customer_id); END;
CREATE TRIGGER users_update_changes AFTER UPDATE ON users WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 AND (OLD.role IS NOT NEW.role OR OLD.branch_id IS NOT NEW.branch_id OR OLD.staff_id IS NOT NEW.staff_id OR OLD.password_hash IS NOT NEW.password_hash OR (NEW.disabled AND NOT OLD.disabled) OR OLD.login IS NOT NEW.login) BEGIN INSERT INTO change_log(entity, key) VALUES ('user', OLD.login); END;
CREATE TRIGGER users_delete_changes AFTER DELETE ON users WHEN (SELECT value FROM store_meta WHERE key = 'change_capture_off') = 0 BEGIN INSERT INTO change_log(entity, key) VALUES ('user', OLD.login); END;
)sql";

// A customer's open follow-up tasks go with them to a new broker or branch.
constexpr std::string_view kTasksFollowTheirCustomer = R"sql(
CREATE TRIGGER customers_moved_tasks AFTER UPDATE OF broker_id, branch_id ON customers
WHEN OLD.broker_id IS NOT NEW.broker_id OR OLD.branch_id IS NOT NEW.branch_id
BEGIN
  UPDATE tasks SET assignee_staff_id = NEW.broker_id, branch_id = NEW.branch_id
  WHERE customer_id = NEW.customer_id AND status = 'open';
END;
)sql";

// Audit entries committed in another store's transaction (a new ticket and its entry
// commit together), chained onto the trail by the next audit append.
constexpr std::string_view kAuditOutbox = R"sql(
CREATE TABLE audit_outbox (
  entry_id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  customer_id TEXT,
  detail TEXT,
  source TEXT
);
)sql";

// The screen pop's two big reads from indexes alone: the caller by mobile and their
// scores. On 1,000,000 customers half its page reads were table rows.
constexpr std::string_view kScreenPopIndexes = R"sql(
DROP INDEX customers_by_mobile;
CREATE INDEX customers_by_mobile ON customers(mobile, customer_id, name, branch_id, broker_id, status, risk_level);
CREATE INDEX customer_scores_for_screen_pop ON customer_scores(customer_id, tier, churn_risk, churn_reasons);
)sql";

constexpr Migration kMigrations[] = {
    {1, "customers, branches, staff, households, accounts, assets, trades, interactions, products",
     kInitialSchema},
    {2, "analysis results: runs, customer scores, tier history, KPI scores", kAnalysisResults},
    {3, "trained models with their cards", kModels},
    {4, "customer segments per analysis run", kClusters},
    {5, "logins with roles and argon2id password hashes", kUsers},
    {6, "tamper-evident audit trail", kAuditLog},
    {7, "server records: event ids, alerts, tasks, webhooks, API keys, data generation", kServerRecords},
    {8, "trades and interactions clustered by customer and time", kClusteredFacts},
    {9, "value-ladder distribution from an index", kLadderIndex},
    {10, "audit entries indexed by customer in batches", kAuditCustomerIndex},
    {11, "journal of real-time events awaiting application", kEventJournal},
    {12, "change log of customer and login changes", kChangeLog},
    {13, "change log triggers recording outside writers' changes", kChangeLogTriggers},
    {14, "open follow-up tasks follow their customer to a new broker or branch", kTasksFollowTheirCustomer},
    {15, "audit entries written with another store's rows, awaiting the chain", kAuditOutbox},
    {16, "covering indexes for the screen pop: customers by mobile, scores by customer", kScreenPopIndexes},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

std::string_view ChangeLogTriggersSql() { return kChangeLogTriggers; }

std::string DropChangeLogTriggersSql() {
  std::string sql;
  constexpr std::string_view kCreate = "CREATE TRIGGER ";
  for (size_t at = kChangeLogTriggers.find(kCreate); at != std::string_view::npos;
       at = kChangeLogTriggers.find(kCreate, at + 1)) {
    size_t name = at + kCreate.size();
    sql += "DROP TRIGGER IF EXISTS " + std::string(kChangeLogTriggers.substr(name, kChangeLogTriggers.find(' ', name) - name)) + ";\n";
  }
  return sql;
}

}  // namespace fincrm
