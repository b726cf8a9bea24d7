#include "service/live_analytics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>

#include "analytics/churn_model.h"
#include "analytics/value_ladder.h"
#include "core/json_writer.h"
#include "core/thread_name.h"

namespace fincrm {
namespace {

std::string Percent(double risk) { return std::to_string(static_cast<int>(std::lround(risk * 100))) + "%"; }

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& reason : reasons) {
    if (!out.empty()) out += "; ";
    out += reason;
  }
  return out;
}


std::string AlertPayload(const Alert& alert, const FollowUpTask& task) {
  JsonWriter json;
  json.BeginObject()
      .Field("type", alert.kind)
      .Field("alert_id", alert.alert_id)
      .Field("raised_at", FormatTimestamp(alert.raised_at))
      .Field("customer_id", alert.customer_id)
      .Field("churn_risk", alert.value)
      .Field("threshold", alert.threshold)
      .Field("reasons", alert.detail)
      .Field("task_id", task.task_id)
      .Field("assignee_staff_id", task.assignee_staff_id)
      .EndObject();
  return json.Take();
}

}  // namespace

LiveAnalytics::LiveAnalytics(std::function<Result<std::unique_ptr<Store>>()> open_store,
                             LiveAnalyticsOptions options)
    : open_store_(std::move(open_store)), options_(options) {}

LiveAnalytics::~LiveAnalytics() { Stop(); }

void LiveAnalytics::Start() {
  thread_ = std::thread([this] { Run(); });
}

void LiveAnalytics::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  wake_rescorer_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string LiveAnalytics::state() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

void LiveAnalytics::Run() {
  NameThisThread("fincrm-live");
  auto store = open_store_();
  Status status = store.status();
  if (status.ok()) {
    auto facts = FactTables::Load(**store);
    status = facts.status();
    if (facts.ok()) {
      std::unique_lock lock(facts_mutex_);
      facts_ = std::move(*facts);
      auto context = LoadCubeContext(**store, facts_);
      status = context.status();
      if (context.ok()) cube_context_ = std::move(*context);
      auto model = (*store)->LatestModel("churn");
      if (model.ok() && model->has_value() && !(*model)->model_json.empty()) {
        auto loaded = BoostedTrees::Load((*model)->model_json, 1);
        if (loaded.ok()) model_ = std::move(*loaded);
      }
    }
  }
  {
    std::lock_guard lock(state_mutex_);
    state_ = status.ok() ? (model_ ? "ready" : "ready (no churn model yet: run fincrm analyze)")
                         : "failed: " + status.message();
  }
  if (!status.ok()) return;
  ready_ = true;
  // Rescoring runs on its own thread at a lower priority: it is background work, and
  // on a small server it must not take the cores from requests and ingest.
  std::thread rescorer([this] {
    NameThisThread("fincrm-rescore");
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    auto rescoring_store = open_store_();
    if (!rescoring_store.ok()) return;
    while (true) {
      {
        std::unique_lock lock(wake_mutex_);
        if (options_.scheduled_rescoring) wake_rescorer_.wait(lock, [&] { return stopping_; });
        else wake_rescorer_.wait_for(lock, std::chrono::seconds(options_.rescore_seconds), [&] { return stopping_; });
        if (stopping_) break;
      }
      (void)Rescore(**rescoring_store);
    }
    (void)Rescore(**rescoring_store);  // what arrived before shutdown
  });
  // This thread appends committed facts as they come.
  while (true) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_ || has_pending_.load(); });
      if (stopping_) break;
    }
    if (!has_pending_) continue;
    std::unique_lock exclusive(facts_mutex_);
    ApplyPendingLocked();
  }
  wake_rescorer_.notify_all();
  rescorer.join();
}

void LiveAnalytics::OnCommitted(const std::vector<const CustomerEvent*>& accepted) {
  {
    std::lock_guard lock(pending_mutex_);
    for (const CustomerEvent* event : accepted) pending_.push_back(*event);
    has_pending_ = true;
  }
  facts_version_.fetch_add(1);
  wake_.notify_one();
}

void LiveAnalytics::ApplyPendingLocked() {
  if (!has_pending_) return;
  std::vector<CustomerEvent> events;
  {
    std::lock_guard lock(pending_mutex_);
    events.swap(pending_);
    has_pending_ = false;
  }
  for (const CustomerEvent& event : events) {
    switch (event.type) {
      case EventType::kTrade: (void)facts_.Append(std::get<Trade>(event.body)); break;
      case EventType::kAssetSnapshot: (void)facts_.Append(std::get<AssetSnapshot>(event.body)); break;
      case EventType::kInteraction: (void)facts_.Append(std::get<Interaction>(event.body)); break;
      default: break;  // accounts and profile fields do not enter the fact tables
    }
    if (auto index = facts_.CustomerIndex(event.customer_id())) dirty_.insert(*index);
  }
}

void LiveAnalytics::RefreshCustomers(const std::vector<fincrm::Customer>& customers) {
  if (!ready_ || customers.empty()) return;
  {
    std::unique_lock exclusive(facts_mutex_);
    for (const fincrm::Customer& customer : customers) facts_.UpsertCustomer(customer);
  }
  facts_version_.fetch_add(1);
}

std::optional<LiveCustomerState> LiveAnalytics::Customer(std::string_view customer_id) {
  if (!ready_) return std::nullopt;
  if (has_pending_) {
    // A rescoring held the tables when these facts arrived: apply them now unless one
    // still does (readers must not wait for it; its end applies them).
    std::unique_lock exclusive(facts_mutex_, std::try_to_lock);
    if (exclusive.owns_lock()) ApplyPendingLocked();
  }
  std::shared_lock lock(facts_mutex_);
  auto index = facts_.CustomerIndex(customer_id);
  if (!index) return std::nullopt;
  const std::vector<float>& risk = cube_context_.churn_risk;
  return LiveCustomerState{facts_.Totals(*index), *index < risk.size() ? risk[*index] : -1.0f};
}

Result<CubeResult> LiveAnalytics::RunCubeQuery(const CubeQuery& query) {
  Result<CubeResult> result = Unavailable("live analytics are still loading; retry shortly");
  Status read = ReadFacts([&](const FactTables& facts, const CubeContext& context) {
    result = RunCube(facts, context, query);
  });
  if (!read.ok()) return read;
  return result;
}

Status LiveAnalytics::ReadFacts(const std::function<void(const FactTables&, const CubeContext&)>& read) {
  if (!ready_) return Unavailable("live analytics are still loading; retry shortly");
  if (has_pending_) {
    std::unique_lock exclusive(facts_mutex_);
    ApplyPendingLocked();
  }
  std::shared_lock lock(facts_mutex_);
  read(facts_, cube_context_);
  return Status::Ok();
}

Result<int> LiveAnalytics::RescoreNow() {
  if (!ready_) return FailedPrecondition("live analytics are still loading");
  auto store = open_store_();
  if (!store.ok()) return store.status();
  return Rescore(**store);
}

Result<int> LiveAnalytics::Rescore(Store& store) {
  std::lock_guard rescoring(rescore_mutex_);
  if (!model_) return 0;
  std::vector<ChurnScore> scores;
  std::vector<std::string> customer_ids;  // of scores[i]
  std::unordered_set<uint32_t> dirty;
  std::vector<uint8_t> explain;
  {
    std::unique_lock exclusive(facts_mutex_);
    ApplyPendingLocked();
    if (dirty_.empty()) return 0;
    dirty.swap(dirty_);
  }
  {
    // Facts arriving meanwhile queue up (OnCommitted) instead of waiting.
    std::shared_lock lock(facts_mutex_);
    explain.assign(facts_.customer_count(), 0);
    for (uint32_t c : dirty) explain[c] = 1;
    auto scored = ScoreChurn(facts_, *model_, Date{facts_.last_day()}, MetricsConfig{}, &explain);
    if (!scored.ok()) return scored.status();
    for (ChurnScore& score : *scored) {
      if (!dirty.count(score.customer)) continue;
      customer_ids.push_back(facts_.CustomerId(score.customer));
      scores.push_back(std::move(score));
    }
  }
  ++rescores_;
  std::vector<WebhookSubscription> webhooks;
  FINCRM_RETURN_IF_ERROR(store.ForEach([&](const WebhookSubscription& w) {
    webhooks.push_back(w);
    return true;
  }));
  auto writer = store.BeginWrite();
  if (!writer.ok()) return writer.status();
  int raised = 0;
  Timestamp now = CurrentTime();
  for (size_t i = 0; i < scores.size(); ++i) {
    const ChurnScore& score = scores[i];
    const std::string& customer_id = customer_ids[i];
    float previous;
    {
      std::shared_lock lock(facts_mutex_);
      const std::vector<float>& risk = cube_context_.churn_risk;
      previous = score.customer < risk.size() ? risk[score.customer] : -1.0f;
    }
    auto stored = store.GetCustomerScore(customer_id);
    if (!stored.ok()) return stored.status();
    // Scores that moved by less than a point are left as stored: rewriting every
    // touched customer's row cost more than the ingest itself.
    if (stored->has_value() && std::abs((*stored)->churn_risk - score.risk) >= 0.01) {
      CustomerScore updated = **stored;
      updated.churn_risk = score.risk;
      updated.churn_reasons = JoinReasons(score.reasons);
      auto put = (*writer)->Put(updated);
      if (!put.ok()) return put.status();
    }
    if (score.risk >= options_.churn_threshold && previous < options_.churn_threshold) {
      auto customer = store.GetCustomer(customer_id);
      if (!customer.ok()) return customer.status();
      Alert alert{0, now, "churn_risk", customer_id, score.risk, options_.churn_threshold, JoinReasons(score.reasons)};
      auto alert_id = (*writer)->Add(alert);
      if (!alert_id.ok()) return alert_id.status();
      alert.alert_id = *alert_id;
      FollowUpTask task;
      task.customer_id = customer_id;
      task.assignee_staff_id = customer->broker_id;
      task.branch_id = customer->branch_id;
      task.title = "Churn risk " + Percent(score.risk) + ": contact " + customer->name + " (" + customer_id + ")";
      task.status = "open";
      task.created_at = now;
      task.due_on = Date{ShanghaiDate(now).days + options_.task_due_days};
      task.alert_id = alert.alert_id;
      auto task_id = (*writer)->Add(task);
      if (!task_id.ok()) return task_id.status();
      task.task_id = *task_id;
      for (const WebhookSubscription& webhook : webhooks) {
        if (!Subscribes(webhook, alert.kind)) continue;
        WebhookDelivery delivery;
        delivery.webhook_id = webhook.webhook_id;
        delivery.alert_id = alert.alert_id;
        delivery.payload = AlertPayload(alert, task);
        delivery.state = "pending";
        delivery.next_attempt_at = now;
        delivery.updated_at = now;
        auto added = (*writer)->Add(delivery);
        if (!added.ok()) return added.status();
      }
      ++raised;
    }
  }
  FINCRM_RETURN_IF_ERROR((*writer)->Commit());
  {
    std::unique_lock lock(facts_mutex_);
    ApplyPendingLocked();
    std::vector<float>& risk = cube_context_.churn_risk;
    if (risk.size() < facts_.customer_count()) risk.resize(facts_.customer_count(), -1.0f);
    for (const ChurnScore& score : scores) risk[score.customer] = score.risk;
  }
  alerts_raised_ += raised;
  return raised;
}

}  // namespace fincrm
