// Records the running server keeps besides the customer data: ingested event ids
// (idempotency), churn alerts and the follow-up tasks they create for brokers,
// webhook subscriptions and their delivery log, and API keys of integration systems.
// The service center (tickets, callbacks) builds on FollowUpTask later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date_time.h"

namespace fincrm {

// An event accepted by POST /api/v1/events; a second event with the same id is a replay.
struct IngestedEvent {
  std::string event_id;  // natural key, chosen by the sender
  std::string type;      // "trade", "asset_snapshot", ...
  std::string customer_id;
  Timestamp received_at;
};

// An accepted event waiting in the journal to be applied to the customer tables
// (see service/event_ingestor.h): its id, kind, customer and row in field-text form.
struct JournalEntry {
  int64_t sequence = 0;
  std::string event_id;
  std::string type;
  std::string customer_id;
  Timestamp received_at;
  std::string row;
};

// Something staff should act on, e.g. a customer's churn risk crossing the threshold.
struct Alert {
  int64_t alert_id = 0;  // assigned when stored
  Timestamp raised_at;
  std::string kind;  // "churn_risk"
  std::string customer_id;
  double value = 0;      // the risk that raised it
  double threshold = 0;  // the configured threshold it crossed
  std::string detail;    // reasons in words
};

// A follow-up task (跟进任务) for a member of staff, created by an alert or by hand.
struct FollowUpTask {
  int64_t task_id = 0;  // assigned when stored
  std::string customer_id;
  std::string assignee_staff_id;  // the customer's broker; empty when unassigned
  std::string branch_id;
  std::string title;
  std::string status;  // "open", "done"
  Timestamp created_at;
  Date due_on;
  int64_t alert_id = 0;  // 0 when created by hand
};

// A system that wants alerts pushed to it (HTTP POST, signed with HMAC-SHA256).
struct WebhookSubscription {
  int64_t webhook_id = 0;
  std::string url;
  std::string secret;
  std::string event_types;  // comma-separated, e.g. "churn_risk"
  int64_t active = 1;
  Timestamp created_at;
};

// Whether an active subscription takes events of `kind` ("*" takes all).
inline bool Subscribes(const WebhookSubscription& webhook, std::string_view kind) {
  if (!webhook.active) return false;
  std::string_view types = webhook.event_types;
  while (!types.empty()) {
    size_t comma = types.find(',');
    std::string_view type = types.substr(0, comma);
    if (type == kind || type == "*") return true;
    if (comma == std::string_view::npos) break;
    types.remove_prefix(comma + 1);
  }
  return false;
}

// One delivery of one alert to one subscriber, with its attempts.
struct WebhookDelivery {
  int64_t delivery_id = 0;
  int64_t webhook_id = 0;
  int64_t alert_id = 0;
  std::string payload;
  std::string state;  // "pending", "delivered", "failed" (gave up)
  int64_t attempts = 0;
  int64_t last_status = 0;  // HTTP status of the last attempt, 0 when none answered
  std::string last_error;
  Timestamp next_attempt_at;
  Timestamp updated_at;
};

// A key an integration system sends instead of a session; only its SHA-256 is stored.
struct ApiKey {
  std::string key_id;  // public prefix shown in lists, natural key
  std::string name;
  std::string key_hash;  // hex SHA-256 of the whole key
  std::string scopes;    // "events:write"
  int64_t disabled = 0;
  Timestamp created_at;
};

}  // namespace fincrm
