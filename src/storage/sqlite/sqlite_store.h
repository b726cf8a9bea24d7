// The embedded SQLite backend of Store.
//
// One connection per SqliteStore. Pragmas: WAL (readers never block the writer),
// foreign_keys=ON, synchronous=FULL (a committed write survives power loss),
// busy_timeout so that a second process waits for the writer instead of failing.
// Threading as in store.h: one thread at a time per SqliteStore.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "storage/sqlite/sqlite_entity_sql.h"
#include "storage/sqlite/sqlite_statement.h"
#include "storage/store.h"

namespace fincrm {

class SqliteStore final : public Store {
 public:
  // Opens (and with `create`, creates) the database file. Unavailable on failure.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, bool create);
  ~SqliteStore() override;

  // Applies every migration newer than the stored version, each in its own
  // transaction. FailedPrecondition when the file's schema is newer than this build's.
  Status Migrate();

  Result<int> SchemaVersion() override;
  void SetCommitListener(CommitListener listener) override;
  Result<std::unique_ptr<StoreWriter>> BeginWrite(bool references_verified = false) override;
  Result<int64_t> Count(EntityKind kind) override;
  Result<Customer> GetCustomer(std::string_view customer_id) override;
  Result<std::vector<HouseholdMember>> HouseholdOf(std::string_view customer_id) override;
  Result<std::vector<Account>> AccountsOf(std::string_view customer_id) override;
  Result<std::optional<AssetSnapshot>> LatestAssets(std::string_view customer_id) override;
  Result<std::vector<Trade>> RecentTrades(std::string_view customer_id, int limit) override;
  Result<std::vector<Interaction>> RecentInteractions(std::string_view customer_id,
                                                      int limit) override;
  Result<std::vector<CustomerSearchHit>> SearchCustomers(const CustomerSearch& search) override;

  Status ForEach(const std::function<bool(const Branch&)>& fn) override;
  Status ForEach(const std::function<bool(const Staff&)>& fn) override;
  Status ForEach(const std::function<bool(const Product&)>& fn) override;
  Status ForEach(const std::function<bool(const Customer&)>& fn) override;
  Status ForEach(const std::function<bool(const HouseholdMember&)>& fn) override;
  Status ForEach(const std::function<bool(const Account&)>& fn) override;
  Status ForEach(const std::function<bool(const AssetSnapshot&)>& fn) override;
  Status ForEach(const std::function<bool(const Trade&)>& fn) override;
  Status ForEach(const std::function<bool(const Interaction&)>& fn) override;
  Status ForEach(const std::function<bool(const AnalysisRun&)>& fn) override;
  Status ForEach(const std::function<bool(const CustomerScore&)>& fn) override;
  Status ForEach(const std::function<bool(const TierRecord&)>& fn) override;
  Status ForEach(const std::function<bool(const KpiRecord&)>& fn) override;
  Status ForEach(const std::function<bool(const StoredModel&)>& fn) override;
  Status ForEach(const std::function<bool(const ClusterRecord&)>& fn) override;
  Status ForEach(const std::function<bool(const StaffUser&)>& fn) override;
  Status AddUser(const StaffUser& user) override;
  Status UpdateUser(const StaffUser& user) override;
  Result<std::optional<StaffUser>> FindUser(std::string_view login) override;
  Result<AuditEntry> AppendAudit(AuditEntry entry,
                                 const std::function<std::string(const AuditEntry&)>& seal) override;
  Status ForEach(const std::function<bool(const AuditEntry&)>& fn) override;
  Result<int64_t> SaveModel(const StoredModel& model) override;
  Result<std::optional<StoredModel>> LatestModel(std::string_view name) override;
  Result<int64_t> SaveAnalysis(const AnalysisRun& run, std::span<const CustomerScore> scores,
                               std::span<const TierRecord> tiers,
                               std::span<const KpiRecord> kpis,
                               std::span<const ClusterRecord> clusters) override;
  Result<std::optional<AnalysisRun>> LatestAnalysisRun() override;
  Result<std::optional<CustomerScore>> GetCustomerScore(std::string_view customer_id) override;
  Result<std::vector<CustomerListItem>> ListCustomers(const CustomerQuery& query) override;
  Result<std::vector<AssetSnapshot>> AssetHistory(std::string_view customer_id, int limit) override;
  Result<std::vector<FollowUpTask>> ListTasks(const TaskQuery& query) override;
  Result<std::vector<Alert>> ListAlerts(std::string_view customer_id, int64_t before_id, int limit,
                                        const CustomerQuery& scope) override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) override;
  Result<std::vector<TierCount>> TierDistribution(const CustomerQuery& scope) override;
  Result<std::vector<TierMove>> TierMoves(Date from_month, Date to_month, const CustomerQuery& scope) override;
  Result<std::vector<ClusterRecord>> ClustersOfRun(int64_t run_id, const CustomerQuery& scope) override;
  Result<std::vector<int64_t>> ChurnRiskHistogram(const CustomerQuery& scope) override;
  Result<std::vector<KpiRecord>> KpiScores(std::string_view period, std::string_view level) override;
  Result<std::vector<AuditEntry>> AppendAuditBatch(
      std::vector<AuditEntry> entries, const std::function<std::string(const AuditEntry&)>& seal) override;
  Result<int64_t> AddWebhook(WebhookSubscription subscription) override;
  Status ForEach(const std::function<bool(const WebhookSubscription&)>& fn) override;
  Result<std::vector<WebhookDelivery>> DueDeliveries(Timestamp now, int limit) override;
  Result<std::vector<WebhookDelivery>> ListDeliveries(int64_t webhook_id, int limit) override;
  Status AddApiKey(const ApiKey& key) override;
  Result<std::optional<ApiKey>> FindApiKeyByHash(std::string_view key_hash) override;
  Status ForEach(const std::function<bool(const ApiKey&)>& fn) override;
  Status ForEach(const std::function<bool(const IngestedEvent&)>& fn) override;
  Status ForEach(const std::function<bool(const Alert&)>& fn) override;
  Status ForEach(const std::function<bool(const FollowUpTask&)>& fn) override;
  Status ForEach(const std::function<bool(const WebhookDelivery&)>& fn) override;
  Result<std::unique_ptr<EventJournal>> OpenJournal() override;
  Result<int64_t> JournalAppliedThrough() override;
  Result<bool> EventSeen(std::string_view event_id) override;
  Status ForEachEventId(const std::function<void(std::string_view)>& fn) override;
  Result<int64_t> DataGeneration() override;
  void Interrupt() override { sqlite3_interrupt(db_); }
  Status ForEachKey(EntityKind kind, const std::function<void(std::string_view)>& fn) override;
  Status ScanTradeFacts(const std::function<void(const TradeFactRow&)>& fn) override;
  Status ScanAssetFacts(const std::function<void(const AssetFactRow&)>& fn) override;
  Status ScanInteractionFacts(const std::function<void(const InteractionFactRow&)>& fn) override;

  // Runs SQL without results (DDL, pragmas). Internal on failure.
  Status Execute(std::string_view sql);
  // Streams the first column of every row `sql` returns, as text.
  Status ForEachText(const std::string& sql, const std::function<void(std::string_view)>& fn);
  // The statement for `sql`, prepared once per connection.
  Result<SqliteStatement*> Prepared(const std::string& sql);
  sqlite3* handle() { return db_; }

 private:
  // Adds the audit entries after the indexed position to audit_by_customer once they
  // make a full batch (inside the caller's transaction).
  Status IndexAuditTail(int64_t last_sequence);
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  Status UpdateUser(const StaffUser& user, bool must_exist);
  // Runs `sql` (prepared once) with `bind` and reads every row as a T.
  template <class T, class Bind>
  Result<std::vector<T>> Query(const std::string& sql, Bind&& bind);
  template <class T>
  Status ScanAll(const std::function<bool(const T&)>& fn);
  template <class T>
  Result<std::vector<T>> Select(const std::string& where_and_order, std::string_view customer_id,
                                int limit);

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
  bool writer_open_ = false;
  CommitListener commit_listener_;
  friend class SqliteWriter;
};

template <class T, class Bind>
inline Result<std::vector<T>> SqliteStore::Query(const std::string& sql, Bind&& bind) {
  auto statement = Prepared(sql);
  if (!statement.ok()) return statement.status();
  SqliteStatement& query = **statement;
  sqlite3_clear_bindings(query.get());
  bind(query);
  std::vector<T> rows;
  int rc;
  while ((rc = query.Step()) == SQLITE_ROW) {
    rows.emplace_back();
    ReadRow(query, rows.back());
  }
  query.Reset();
  if (rc != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
  return rows;
}

}  // namespace fincrm
