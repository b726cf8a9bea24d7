// Delivers queued webhook deliveries (alerts) to subscribers: HTTP POST with the JSON
// payload, signed `X-FinCRM-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.
// A 2xx answer marks it delivered; otherwise it is retried with exponential back-off
// (10 s, 20 s, 40 s... capped at 1 h) and marked failed after `max_attempts`. Every
// attempt's outcome is kept in the delivery log (webhook_deliveries). Each attempt
// resolves the subscriber's host again and refuses non-public addresses
// (webhook_target.h) before it connects.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "api/webhook_target.h"
#include "storage/store.h"

namespace fincrm {

class WebhookDispatcher {
 public:
  WebhookDispatcher(std::function<Result<std::unique_ptr<Store>>()> open_store, WebhookTargetPolicy policy = {},
                    int max_attempts = 8, int poll_milliseconds = 1000);
  ~WebhookDispatcher();
  void Stop();
  // Attempts everything due now (tests).
  Status RunOnce();

 private:
  void Loop();
  Status Deliver(Store& store, WebhookDelivery delivery, const WebhookSubscription& webhook);

  std::function<Result<std::unique_ptr<Store>>()> open_store_;
  WebhookTargetPolicy policy_;
  int max_attempts_;
  int poll_milliseconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::mutex run_mutex_;
  std::thread thread_;
};

}  // namespace fincrm
