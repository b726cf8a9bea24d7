// Store: the system of record for customers and everything attached to them.
//
// The interface is what callers (ingest, analytics, the API, the CLI) see; backends
// (sqlite/ today, postgres/ later) implement it. Writes go through a StoreWriter, one
// transaction: nothing it wrote is visible to others or durable before Commit()
// returns OK, and a writer destroyed without Commit() rolls back.
//
// Threading: a Store and its writers belong to one thread at a time; open one Store
// per thread (connections are cheap). A database accepts one writer at a time;
// concurrent readers are fine (WAL).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/entity_fields.h"
#include "core/status.h"
#include "storage/fact_rows.h"

namespace fincrm {

class StoreWriter {
 public:
  virtual ~StoreWriter() = default;

  // Inserts or updates the row with the entity's natural key. Returns true when a
  // row was inserted or changed, false when an identical row was already stored.
  // InvalidArgument when the database rejects the row (constraint), leaving the
  // transaction usable for the next row.
  virtual Result<bool> Put(const Branch& row) = 0;
  virtual Result<bool> Put(const Staff& row) = 0;
  virtual Result<bool> Put(const Product& row) = 0;
  virtual Result<bool> Put(const Customer& row) = 0;
  virtual Result<bool> Put(const HouseholdMember& row) = 0;
  virtual Result<bool> Put(const Account& row) = 0;
  virtual Result<bool> Put(const AssetSnapshot& row) = 0;
  virtual Result<bool> Put(const Trade& row) = 0;
  virtual Result<bool> Put(const Interaction& row) = 0;
  // Server records (core/service_records.h) and score updates from live rescoring.
  virtual Result<bool> Put(const IngestedEvent& row) = 0;
  virtual Result<bool> Put(const CustomerScore& row) = 0;
  virtual Result<bool> Put(const FollowUpTask& row) = 0;
  virtual Result<bool> Put(const WebhookDelivery& row) = 0;
  // Records an ingested event's id: true when it is new, false when the id was
  // already recorded (a replay). ReleaseEvent removes it again when the event's
  // effect was then rejected, so a corrected resend is not taken for a replay.
  virtual Result<bool> ClaimEvent(const IngestedEvent& event) = 0;
  virtual Status ReleaseEvent(std::string_view event_id) = 0;
  // Chains the entries onto the audit trail inside this transaction, in order,
  // filling in their sequence numbers and hashes (see Store::AppendAudit).
  virtual Status AppendAudit(std::vector<AuditEntry>& entries,
                             const std::function<std::string(const AuditEntry&)>& seal) = 0;
  // Records, with the rows applied from the event journal, that its entries up to
  // `through_sequence` are now in the tables (see EventJournal).
  virtual Status MarkJournalApplied(int64_t through_sequence) = 0;
  // Insert with the next id of their table; return that id.
  virtual Result<int64_t> Add(Alert row) = 0;
  virtual Result<int64_t> Add(FollowUpTask row) = 0;
  virtual Result<int64_t> Add(WebhookDelivery row) = 0;

  // The same as Put for each row, faster for large batches (bulk import): results[i]
  // receives row i's outcome, an error Status only for rows the database rejected.
  // The returned Status is not OK only for failures that end the transaction.
  struct PutResult {
    bool changed = false;
    Status error;
  };
  virtual Status PutBatch(std::span<const Branch> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Staff> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Product> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Customer> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const HouseholdMember> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Account> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const AssetSnapshot> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Trade> rows, std::span<PutResult> results) = 0;
  virtual Status PutBatch(std::span<const Interaction> rows, std::span<PutResult> results) = 0;

  // Makes everything written durable (fsync) and visible. Unavailable on I/O failure,
  // in which case nothing was written.
  virtual Status Commit() = 0;
};

struct CustomerSearchHit {
  std::string customer_id;
  std::string name;
  std::string mobile;
  std::string branch_id;
  std::string matched_on;  // "customer_id", "name", "mobile" or "id_number"
};

// What a customer search looks for (Store::SearchCustomers). Mobile numbers and ID
// numbers match only in full, and only when allowed: a caller who sees them masked
// must not learn them by trying candidates.
struct CustomerSearch {
  std::string text;
  int limit = 50;
  bool by_mobile = true;
  bool by_id_number = true;
  std::string branch_id;  // empty: any branch
  std::string broker_id;  // empty: any broker
};

// Filters of the customer list; every set field must match. Paging is by key: pass
// the last customer number of a page as `after` to get the next.
struct CustomerQuery {
  std::string branch_id;
  std::string broker_id;
  std::string tier;
  std::optional<int64_t> cluster;
  std::optional<RiskLevel> risk_level;
  std::optional<CustomerStatus> status;
  std::optional<double> min_churn_risk;
  std::string after;
  int limit = 50;
  // Highest churn risk first (no keyset paging): the at-risk list.
  bool by_churn_risk = false;
};

struct CustomerListItem {
  Customer customer;
  // From the latest analysis run; defaults when the customer has no scores yet.
  std::string tier;
  int64_t cluster = -1;
  double churn_risk = -1;
  std::string churn_reasons;
  double value_score = 0;
  Money latest_assets;
};

struct AuditQuery {
  std::string actor;
  std::string action;
  std::string customer_id;
  Timestamp from;  // inclusive; 0 = no bound
  Timestamp to;    // exclusive; 0 = no bound
  int64_t after = 0;  // sequence: entries after it
  int limit = 100;
  bool newest_first = false;  // descending sequence (the head first)
};

struct TaskQuery {
  std::string branch_id;
  std::string assignee_staff_id;
  // A caller's scope: tasks of the customers now in this branch, or now this broker's
  // (a customer moved to another broker takes their tasks along).
  std::string customer_branch_id;
  std::string customer_broker_id;
  std::string customer_id;
  std::string status;
  int64_t after = 0;  // task_id
  int limit = 100;
};

struct TierCount {
  Date month_end;
  std::string tier;
  int64_t customers = 0;
};

struct TierMove {
  std::string from_tier;  // "" when absent in the earlier month
  std::string to_tier;    // "" when absent in the later month
  int64_t customers = 0;
};

// What one committed write transaction changed, told to caches in the same process
// so that they drop exactly those customers. Commits of other processes show only as
// a data generation this process did not produce (see DataGeneration).
struct CommittedChange {
  int64_t generation = 0;              // the data generation the commit produced
  std::vector<std::string> customers;  // whose data changed (may repeat)
  bool everything = false;             // also changes not tied to one customer
};
using CommitListener = std::function<void(const CommittedChange&)>;

// The journal of accepted real-time events (service/event_ingestor.h): appended in
// arrival order, applied to the customer tables later in sorted batches, trimmed once
// applied. It is kept apart from the tables' write lock (for SQLite: its own file), so
// an append never waits for an application, which holds that lock for seconds.
// One thread at a time per EventJournal, like a Store.
class EventJournal {
 public:
  virtual ~EventJournal() = default;
  // Appends in one durable transaction; the entries carry their own sequence numbers,
  // ascending and above every earlier one. No commit listener hears of it (the tables
  // did not change): the ingestor tells the caches itself, on the requests' threads.
  virtual Status Append(std::span<const JournalEntry> entries) = 0;
  // Entries after `after_sequence`, in order, at most `limit`.
  virtual Result<std::vector<JournalEntry>> Read(int64_t after_sequence, int limit) = 0;
  // Removes the entries up to and including `through_sequence`.
  virtual Status Trim(int64_t through_sequence) = 0;
  // The highest sequence in the journal (0 when it is empty).
  virtual Result<int64_t> LastSequence() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Called after every commit that changes customer data through this store.
  virtual void SetCommitListener(CommitListener listener) = 0;

  // The highest schema migration applied.
  virtual Result<int> SchemaVersion() = 0;

  // Starts a write transaction. Unavailable when another writer holds the database
  // past the busy timeout.
  //
  // `references_verified`: the caller has checked every reference of the rows it will
  // write against keys it read from this store (ingest's ReferenceIndex does), so the
  // backend may skip its own foreign-key checks for this transaction. This is sound
  // because FinCRM never deletes a referenced row (customers, accounts, staff and
  // branches are closed, not removed), so keys read earlier still exist.
  virtual Result<std::unique_ptr<StoreWriter>> BeginWrite(bool references_verified = false) = 0;

  virtual Result<int64_t> Count(EntityKind kind) = 0;

  // NotFound when no customer has this number.
  virtual Result<Customer> GetCustomer(std::string_view customer_id) = 0;
  virtual Result<std::vector<HouseholdMember>> HouseholdOf(std::string_view customer_id) = 0;
  virtual Result<std::vector<Account>> AccountsOf(std::string_view customer_id) = 0;
  // The most recent snapshot, or nullopt when the customer has none.
  virtual Result<std::optional<AssetSnapshot>> LatestAssets(std::string_view customer_id) = 0;
  // Newest first.
  virtual Result<std::vector<Trade>> RecentTrades(std::string_view customer_id, int limit) = 0;
  virtual Result<std::vector<Interaction>> RecentInteractions(std::string_view customer_id,
                                                              int limit) = 0;
  // Exact customer number, ID number or mobile (each only when the search allows it),
  // or a name prefix; narrowed to the search's branch and broker before the limit, so
  // a scoped caller gets up to `limit` of their own matches.
  virtual Result<std::vector<CustomerSearchHit>> SearchCustomers(const CustomerSearch& search) = 0;

  // Streams every row in natural-key order; stop early by returning false.
  virtual Status ForEach(const std::function<bool(const Branch&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Staff&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Product&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Customer&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const HouseholdMember&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Account&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const AssetSnapshot&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Trade&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Interaction&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const AnalysisRun&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const CustomerScore&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const TierRecord&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const KpiRecord&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const StoredModel&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const ClusterRecord&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const StaffUser&)>& fn) = 0;

  // Adds a login. AlreadyExists when the login is taken; InvalidArgument when its
  // branch or staff id is unknown.
  virtual Status AddUser(const StaffUser& user) = 0;
  // Replaces a login's stored state (password, lockout counters, disabled flag).
  // NotFound when there is no such login.
  virtual Status UpdateUser(const StaffUser& user) = 0;
  virtual Result<std::optional<StaffUser>> FindUser(std::string_view login) = 0;

  // Appends to the audit trail in one transaction: the entry gets the next sequence
  // number and the previous entry's hash, then `seal` computes its own hash (the
  // chaining rule belongs to the caller). Returns the stored entry.
  virtual Result<AuditEntry> AppendAudit(AuditEntry entry,
                                         const std::function<std::string(const AuditEntry&)>& seal) = 0;
  // Streams the trail in sequence order.
  virtual Status ForEach(const std::function<bool(const AuditEntry&)>& fn) = 0;

  // Stores a trained model as a new version; returns its model_id.
  virtual Result<int64_t> SaveModel(const StoredModel& model) = 0;
  // The newest model of that name, or nullopt.
  virtual Result<std::optional<StoredModel>> LatestModel(std::string_view name) = 0;

  // Stores the results of an analysis run in one transaction: the run, every
  // customer's scores (replacing the previous run's), the tier history (replacing
  // the months it covers) and the KPI scorecards (replacing the same period, level
  // and unit) and the clusters (kept per run). The run's id is assigned here and returned.
  virtual Result<int64_t> SaveAnalysis(const AnalysisRun& run, std::span<const CustomerScore> scores,
                                       std::span<const TierRecord> tiers,
                                       std::span<const KpiRecord> kpis,
                                       std::span<const ClusterRecord> clusters) = 0;
  // The latest run, or nullopt before the first.
  virtual Result<std::optional<AnalysisRun>> LatestAnalysisRun() = 0;
  // The customer's scores from the latest run, or nullopt.
  virtual Result<std::optional<CustomerScore>> GetCustomerScore(std::string_view customer_id) = 0;

  // Analytics scans: every trade, asset snapshot or interaction as a lean row, in no
  // particular order. Much faster than ForEach for tens of millions of rows.
  virtual Status ScanTradeFacts(const std::function<void(const TradeFactRow&)>& fn) = 0;
  virtual Status ScanAssetFacts(const std::function<void(const AssetFactRow&)>& fn) = 0;
  virtual Status ScanInteractionFacts(
      const std::function<void(const InteractionFactRow&)>& fn) = 0;

  // --- Reads for the API server ---
  virtual Result<std::vector<CustomerListItem>> ListCustomers(const CustomerQuery& query) = 0;
  // Newest first.
  virtual Result<std::vector<AssetSnapshot>> AssetHistory(std::string_view customer_id, int limit) = 0;
  virtual Result<std::vector<FollowUpTask>> ListTasks(const TaskQuery& query) = 0;
  // Newest first; customer_id empty = all customers; before_id 0 = from the newest;
  // limited to the scope's branch and broker (when set) before the limit.
  virtual Result<std::vector<Alert>> ListAlerts(std::string_view customer_id, int64_t before_id, int limit,
                                                const CustomerQuery& scope) = 0;
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) = 0;
  // The aggregates below count only the customers of the scope's branch and broker
  // (when set: a customer query's branch_id and broker_id).
  // Customers per tier per month-end, oldest month first.
  virtual Result<std::vector<TierCount>> TierDistribution(const CustomerQuery& scope) = 0;
  virtual Result<std::vector<TierMove>> TierMoves(Date from_month, Date to_month, const CustomerQuery& scope) = 0;
  // The run's clusters; each size counts the scope's customers in the cluster now.
  virtual Result<std::vector<ClusterRecord>> ClustersOfRun(int64_t run_id, const CustomerQuery& scope) = 0;
  // Customers with a churn score per tenth of risk (index 0: [0, 0.1) … 9: [0.9, 1]),
  // limited to the query's branch and broker when set.
  virtual Result<std::vector<int64_t>> ChurnRiskHistogram(const CustomerQuery& scope) = 0;
  // KPI scorecards of one period and level ("branch"/"broker"), by rank; an empty
  // period means the latest period stored.
  virtual Result<std::vector<KpiRecord>> KpiScores(std::string_view period, std::string_view level) = 0;

  // Appends several entries in one transaction, chained in order (see AppendAudit),
  // after the entries other stores committed to the audit outbox with their rows
  // (oldest first), which it takes; answers all it chained.
  virtual Result<std::vector<AuditEntry>> AppendAuditBatch(
      std::vector<AuditEntry> entries, const std::function<std::string(const AuditEntry&)>& seal) = 0;

  // Webhooks and API keys.
  virtual Result<int64_t> AddWebhook(WebhookSubscription subscription) = 0;
  virtual Status ForEach(const std::function<bool(const WebhookSubscription&)>& fn) = 0;
  // Pending deliveries whose next attempt is due at `now`, oldest first.
  virtual Result<std::vector<WebhookDelivery>> DueDeliveries(Timestamp now, int limit) = 0;
  // Newest first; webhook_id 0 = all.
  virtual Result<std::vector<WebhookDelivery>> ListDeliveries(int64_t webhook_id, int limit) = 0;
  // AlreadyExists when the key id is taken.
  virtual Status AddApiKey(const ApiKey& key) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKeyByHash(std::string_view key_hash) = 0;
  virtual Status ForEach(const std::function<bool(const ApiKey&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const IngestedEvent&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const Alert&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const FollowUpTask&)>& fn) = 0;
  virtual Status ForEach(const std::function<bool(const WebhookDelivery&)>& fn) = 0;

  // A connection to this database's event journal (see EventJournal).
  virtual Result<std::unique_ptr<EventJournal>> OpenJournal() = 0;
  // The journal sequence applied to the tables so far (MarkJournalApplied; 0 for none).
  virtual Result<int64_t> JournalAppliedThrough() = 0;
  // Whether an event id was recorded (applied events; the journal is checked apart).
  virtual Result<bool> EventSeen(std::string_view event_id) = 0;
  // Streams every recorded event id (for the ingest writer's filter of seen ids).
  virtual Status ForEachEventId(const std::function<void(std::string_view)>& fn) = 0;

  // Makes what runs on this store's connection now (on another thread) stop with an
  // error, its transaction rolled back: for a prompt shutdown. Safe from any thread.
  virtual void Interrupt() = 0;

  // Grows with every commit that changes customer data (any process): a cached view
  // built at generation g is current while this still returns g.
  virtual Result<int64_t> DataGeneration() = 0;

  // Streams the natural keys (the first key column) of one kind, for reference checks.
  virtual Status ForEachKey(EntityKind kind, const std::function<void(std::string_view)>& fn) = 0;
};

}  // namespace fincrm
