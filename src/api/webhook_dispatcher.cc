#include "api/webhook_dispatcher.h"

#include <httplib.h>

#include <algorithm>
#include <map>

#include "api/sessions.h"
#include "core/thread_name.h"

namespace fincrm {

WebhookDispatcher::WebhookDispatcher(std::function<Result<std::unique_ptr<Store>>()> open_store,
                                     WebhookTargetPolicy policy, int max_attempts, int poll_milliseconds)
    : open_store_(std::move(open_store)),
      policy_(std::move(policy)),
      max_attempts_(max_attempts),
      poll_milliseconds_(poll_milliseconds),
      thread_([this] { Loop(); }) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::Loop() {
  NameThisThread("fincrm-webhooks");
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(poll_milliseconds_), [&] { return stopping_; });
      if (stopping_) return;
    }
    (void)RunOnce();
  }
}

Status WebhookDispatcher::RunOnce() {
  std::lock_guard running(run_mutex_);
  auto store = open_store_();
  if (!store.ok()) return store.status();
  auto due = (*store)->DueDeliveries(CurrentTime(), 100);
  if (!due.ok()) return due.status();
  if (due->empty()) return Status::Ok();
  std::map<int64_t, WebhookSubscription> webhooks;
  FINCRM_RETURN_IF_ERROR((*store)->ForEach([&](const WebhookSubscription& w) {
    webhooks[w.webhook_id] = w;
    return true;
  }));
  for (WebhookDelivery& delivery : *due) {
    auto webhook = webhooks.find(delivery.webhook_id);
    if (webhook == webhooks.end()) continue;
    FINCRM_RETURN_IF_ERROR(Deliver(**store, delivery, webhook->second));
  }
  return Status::Ok();
}

namespace {
// Every payload begins {"type":"<event>": churn_risk, sla_breach.
std::string EventType(std::string_view payload) {
  constexpr std::string_view kStart = "{\"type\":\"";
  if (!payload.starts_with(kStart)) return "unknown";
  payload.remove_prefix(kStart.size());
  return std::string(payload.substr(0, payload.find('"')));
}
}  // namespace

Status WebhookDispatcher::Deliver(Store& store, WebhookDelivery delivery, const WebhookSubscription& webhook) {
  int status = 0;
  std::string error;
  auto target = ResolveWebhookTarget(webhook.url, policy_);
  if (!target.ok()) {
    error = "refused: " + target.status().message();
  } else {
    // The client connects to the address just checked, whatever the name resolves to next.
    std::string host = target->host.find(':') == std::string::npos ? target->host : "[" + target->host + "]";
    httplib::Client client(target->scheme + "://" + host + ":" + std::to_string(target->port));
    client.set_hostname_addr_map({{target->host, target->address}});
    const std::string& path = target->path;
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    client.set_write_timeout(10);
    httplib::Headers headers = {
        {"X-FinCRM-Signature", "sha256=" + HmacSha256Hex(webhook.secret, delivery.payload)},
        {"X-FinCRM-Delivery", std::to_string(delivery.delivery_id)},
        {"X-FinCRM-Event", EventType(delivery.payload)},
    };
    auto response = client.Post(path, headers, delivery.payload, "application/json");
    if (response) {
      status = response->status;
      if (status < 200 || status >= 300) error = "answered HTTP " + std::to_string(status);
    } else {
      error = httplib::to_string(response.error());
    }
  }
  Timestamp now = CurrentTime();
  delivery.attempts += 1;
  delivery.last_status = status;
  delivery.last_error = error;
  delivery.updated_at = now;
  if (error.empty()) {
    delivery.state = "delivered";
  } else if (delivery.attempts >= max_attempts_) {
    delivery.state = "failed";
  } else {
    int64_t backoff = std::min<int64_t>(3600, int64_t{10} << std::min<int64_t>(delivery.attempts - 1, 20));
    delivery.next_attempt_at = Timestamp{now.seconds + backoff};
  }
  auto writer = store.BeginWrite();
  if (!writer.ok()) return writer.status();
  auto put = (*writer)->Put(delivery);
  if (!put.ok()) return put.status();
  return (*writer)->Commit();
}

}  // namespace fincrm
