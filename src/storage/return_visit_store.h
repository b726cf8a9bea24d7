// ReturnVisitStore: planned return visits, their attempts and outcomes, and the quota
// report. Implemented for SQLite in sqlite/sqlite_return_visit_store.cc.
//
// Threading: one thread at a time per ReturnVisitStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/return_visit.h"
#include "core/status.h"

namespace fincrm {

struct ReturnVisitQuery {
  std::optional<VisitStatus> status;
  Date today;  // what due and overdue are measured against
  std::string customer_id;
  std::string branch_id;  // scope: empty = any
  std::string broker_id;
  int64_t after = 0;  // visit_id
  int limit = 100;
};

struct VisitQuota {
  std::string branch_id;
  int64_t required = 0;  // visits due in the period
  int64_t done = 0;      // of them closed
  int64_t overdue = 0;   // of them open past their due date
};

class ReturnVisitStore {
 public:
  virtual ~ReturnVisitStore() = default;
  // Stores each visit unless one for the same reason and source exists (planning is
  // repeatable), all in one transaction. Answers, per visit, whether it was new.
  virtual Result<std::vector<bool>> Plan(const std::vector<ReturnVisit>& visits) = 0;
  virtual Result<ReturnVisit> Get(int64_t visit_id) = 0;  // NotFound
  virtual Status Update(const ReturnVisit& visit) = 0;
  // Many visits' attempts in one transaction (the demo's history); none when one fails.
  virtual Status UpdateAll(const std::vector<ReturnVisit>& visits) = 0;
  // By due date, then id... in visit_id order for paging.
  virtual Result<std::vector<ReturnVisit>> List(const ReturnVisitQuery& query) = 0;
  // Per branch, for visits due from `from` to `to` (inclusive), in the scope's branch.
  virtual Result<std::vector<VisitQuota>> Quota(Date from, Date to, Date today, const std::string& branch_id) = 0;
};

Result<std::unique_ptr<ReturnVisitStore>> OpenReturnVisitStore(const std::string& location);

}  // namespace fincrm
