// CallerLookup: what the call center's screen pop shows about the customers with one
// mobile number — the customer, their scores, open tickets, open return visits and open
// callbacks — read in one read transaction on one connection. The pop is answered on
// the I/O threads for every call; read through the four stores that own these rows it
// took six read transactions, each of which takes SQLite's process-wide file locks.
// Implemented for SQLite in sqlite/sqlite_caller_lookup.cc.
//
// Threading: one thread at a time per CallerLookup; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis_records.h"
#include "core/call_record.h"
#include "core/customer.h"
#include "core/return_visit.h"
#include "core/status.h"
#include "core/ticket.h"

namespace fincrm {

struct CallerRecord {
  // Only what the pop shows, read from covering indexes: of the customer its id, name,
  // mobile, branch, broker, status and risk level; of the scores the tier and the
  // churn risk with its reasons. The other fields keep their defaults.
  Customer customer;
  std::optional<CustomerScore> score;
  std::vector<Ticket> open_tickets;        // neither resolved nor closed, oldest first
  std::vector<ReturnVisit> open_visits;    // not closed, oldest first
  std::vector<Callback> open_callbacks;    // earliest due first
};

struct CallerLookupLimits {
  int customers = 10;
  int tickets = 50;
  int visits = 20;
  int callbacks = 20;
};

class CallerLookup {
 public:
  virtual ~CallerLookup() = default;
  // The customers whose mobile is `digits` (normalised, e.g. 13800138000), by customer id.
  virtual Result<std::vector<CallerRecord>> ByMobile(const std::string& digits, const CallerLookupLimits& limits) = 0;
};

// Unavailable when the database cannot be opened. The tables are the main store's and
// the ticket, return-visit and call-center modules': open their stores first.
Result<std::unique_ptr<CallerLookup>> OpenCallerLookup(const std::string& location);

}  // namespace fincrm
