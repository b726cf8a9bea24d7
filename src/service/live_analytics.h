// The server's live view of the facts (实时分析): FactTables kept in memory and
// updated by every committed event, and churn risk rescored from them.
//
// At start the facts load in the background (seconds for 100,000 customers); until
// then ready() is false and event ingest answers 503 so that no event is counted twice
// or missed. After each commit the events' facts are appended at once (so a customer's
// running totals are current for the next read) and their customers are marked for
// rescoring; every `rescore_seconds` the churn model (the latest saved "churn" model)
// scores them. When a customer's risk rises to the threshold or above, an alert is
// recorded, a follow-up task is created for the assigned broker, and a delivery is
// queued for each webhook subscribed to "churn_risk" — all in one transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "analytics/boosted_trees.h"
#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "service/event_ingestor.h"

namespace fincrm {

struct LiveAnalyticsOptions {
  double churn_threshold = 0.5;
  int rescore_seconds = 30;
  int task_due_days = 3;
  // The server's scheduler calls RescoreNow every rescore_seconds (its "rescoring"
  // job, recorded with the other jobs' runs); the own timer then stays off.
  bool scheduled_rescoring = false;
};

struct LiveCustomerState {
  CustomerRunningTotals totals;
  float churn_risk = -1;  // latest live score, -1 when not scored
};

class LiveAnalytics final : public IngestListener {
 public:
  LiveAnalytics(std::function<Result<std::unique_ptr<Store>>()> open_store, LiveAnalyticsOptions options);
  ~LiveAnalytics() override;

  void Start();
  void Stop();
  bool ready() const { return ready_.load(); }
  std::string state() const;  // "loading", "ready", "failed: ..."
  const LiveAnalyticsOptions& options() const { return options_; }

  void OnCommitted(const std::vector<const CustomerEvent*>& accepted) override;

  std::optional<LiveCustomerState> Customer(std::string_view customer_id);
  // Takes changed profiles (branch, broker, risk level, birth date...) into the facts:
  // after an edit through the API or a change by another writer.
  void RefreshCustomers(const std::vector<fincrm::Customer>& customers);
  // Rescoring now (tests and shutdown); returns alerts raised.
  Result<int> RescoreNow();

  // An OLAP query over the live facts (tier and cluster from the latest analysis).
  Result<CubeResult> RunCubeQuery(const CubeQuery& query);
  // Runs `read` over the live facts and the latest analysis' tiers and clusters, under
  // the shared lock (other readers run alongside; appends wait). Unavailable while loading.
  Status ReadFacts(const std::function<void(const FactTables&, const CubeContext&)>& read);

  // Grows with every batch of committed facts: answers computed over the live facts
  // stay valid while it is unchanged.
  int64_t facts_version() const { return facts_version_.load(); }
  int64_t alerts_raised() const { return alerts_raised_.load(); }
  int64_t rescores() const { return rescores_.load(); }

 private:
  void Run();
  Result<int> Rescore(Store& store);
  // Appends the queued facts; needs facts_mutex_ held exclusively.
  void ApplyPendingLocked();

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  LiveAnalyticsOptions options_;
  mutable std::shared_mutex facts_mutex_;
  FactTables facts_;
  std::optional<BoostedTrees> model_;
  CubeContext cube_context_;  // its churn_risk is the live one, by customer index
  std::unordered_set<uint32_t> dirty_;
  // Facts committed while a rescoring held the tables: applied by the next exclusive
  // holder, so an ingest request never waits for a rescoring.
  std::mutex pending_mutex_;
  std::vector<CustomerEvent> pending_;
  std::atomic<bool> has_pending_{false};
  mutable std::mutex state_mutex_;
  std::string state_ = "loading";
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> facts_version_{0};
  std::atomic<int64_t> alerts_raised_{0};
  std::atomic<int64_t> rescores_{0};
  std::mutex rescore_mutex_;  // one rescoring at a time
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::condition_variable wake_rescorer_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fincrm
