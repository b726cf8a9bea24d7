// The demo brokerage's service center: a month of calls (answered, missed, wrapped up
// under the code tree, on the customers' timelines), tickets whose SLA clocks ran on
// the business calendar (most resolved in time, some late, some waiting for the
// customer, some open past due for the escalation job), and callbacks. Deterministic
// for a seed and a clock; repeatable (a second run adds nothing).
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/status.h"
#include "storage/store.h"

namespace fincrm {

struct ServiceDemoOptions {
  uint64_t seed = 42;
  Timestamp now;             // the end of the month generated
  int days = 30;
  double calls_per_customer = 0.05;
  double tickets_per_customer = 0.02;
};

struct ServiceDemoSummary {
  int64_t calls = 0, missed_calls = 0, tickets = 0, resolved = 0, breached = 0, pending_customer = 0, callbacks = 0;
  int64_t return_visits = 0, visits_attempted = 0, visits_done = 0;
  bool already_generated = false;
};

Result<ServiceDemoSummary> GenerateServiceDemo(const std::string& db_path, Store& store, const ServiceDemoOptions& options);

}  // namespace fincrm
