// SuitabilityStore: risk assessments with their answers, professional-investor status,
// Art 19 override evidence and the gate's logged decisions, and the compliance report
// over them. Implemented for SQLite in sqlite/sqlite_suitability_store.cc.
//
// Threading: one thread at a time per SuitabilityStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/suitability.h"

namespace fincrm {

struct SuitabilityBlockCount {
  SuitabilityChannel channel = SuitabilityChannel::kApi;
  std::string rule;
  int64_t count = 0;
};

struct SuitabilityReportQuery {
  Timestamp from, to;  // decisions, overrides and assessments in [from, to)
  Date today;
  Date expired_before;   // an assessment on or before this day is no longer valid
  Date expiring_before;  // … and one before this day will lapse within the month
  std::string branch_id;  // scope: empty = the whole brokerage
  int override_limit = 100;
};

struct SuitabilityReport {
  std::vector<SuitabilityBlockCount> blocks;  // by channel and rule
  int64_t blocked = 0;
  int64_t overrides = 0;
  std::vector<SuitabilityOverride> recent_overrides;  // newest first, at most override_limit
  int64_t assessments = 0;               // questionnaires taken in the period
  int64_t lowest_category_assessments = 0;
  // Over the active customers today (professional investors apart):
  int64_t never_assessed = 0;
  int64_t expired = 0;
  int64_t expiring_within_month = 0;
  int64_t professional_investors = 0;
};

class SuitabilityStore {
 public:
  virtual ~SuitabilityStore() = default;
  // Stores the assessment and answers its id, unless the customer already took
  // `max_per_day` since `day_start`: FailedPrecondition naming "attempts" then.
  virtual Result<int64_t> RecordAssessment(const RiskAssessment& assessment, Timestamp day_start, int max_per_day) = 0;
  // The newest, or none.
  virtual Result<std::optional<RiskAssessment>> LatestAssessment(const std::string& customer_id) = 0;
  // Newest first.
  virtual Result<std::vector<RiskAssessment>> Assessments(const std::string& customer_id, int limit) = 0;
  // Every customer's newest (for the gate over many customers at once).
  virtual Result<std::vector<RiskAssessment>> LatestAssessments() = 0;
  virtual Result<std::vector<ProfessionalInvestor>> Professionals() = 0;
  // Replaces the customer's professional status.
  virtual Status SetProfessional(const ProfessionalInvestor& professional) = 0;
  virtual Result<std::optional<ProfessionalInvestor>> Professional(const std::string& customer_id) = 0;
  virtual Result<int64_t> RecordOverride(const SuitabilityOverride& evidence) = 0;
  virtual Result<SuitabilityOverride> GetOverride(int64_t override_id) = 0;  // NotFound
  // All in one transaction.
  virtual Status LogDecisions(const std::vector<SuitabilityDecisionRecord>& decisions) = 0;
  virtual Result<SuitabilityReport> Report(const SuitabilityReportQuery& query) = 0;
};

Result<std::unique_ptr<SuitabilityStore>> OpenSuitabilityStore(const std::string& location);

}  // namespace fincrm
