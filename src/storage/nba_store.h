// NbaStore: what staff did with the next-best actions they were shown — accepted or
// dismissed, by whom and when — and the acceptance counts that feed back into the
// actions' propensities. Implemented for SQLite in sqlite/sqlite_nba_store.cc.
//
// Threading: one thread at a time per NbaStore; open one per thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"

namespace fincrm {

struct NbaOutcome {
  int64_t outcome_id = 0;
  std::string customer_id;
  std::string action;  // retention_call, reactivation, …
  bool accepted = false;
  std::string note;
  std::string decided_by;
  Timestamp decided_at;
};

struct NbaAcceptance {
  int64_t accepted = 0, dismissed = 0;
};

class NbaStore {
 public:
  virtual ~NbaStore() = default;
  virtual Result<int64_t> Record(const NbaOutcome& outcome) = 0;
  // The customer's, newest first.
  virtual Result<std::vector<NbaOutcome>> Outcomes(const std::string& customer_id, int limit) = 0;
  // By action, over everyone: the feedback into propensities.
  virtual Result<std::map<std::string, NbaAcceptance>> Acceptance() = 0;
};

Result<std::unique_ptr<NbaStore>> OpenNbaStore(const std::string& location);

}  // namespace fincrm
