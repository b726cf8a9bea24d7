#include "service/return_visits/visit_attempt.h"

#include <algorithm>

namespace fincrm {

void RecordVisitAttempt(ReturnVisit& visit, VisitOutcome outcome, const std::string& by, Timestamp at) {
  ++visit.attempts;
  visit.last_attempt_at = at;
  visit.outcome = std::string(EnumCode(outcome));
  bool final_outcome =
      outcome == VisitOutcome::kCompleted || outcome == VisitOutcome::kRefused || outcome == VisitOutcome::kComplaint;
  if (!final_outcome && visit.attempts < kMaxVisitAttempts) return;
  visit.closed = true;
  visit.closed_by = by;
  visit.closed_at = at;
  int year;
  unsigned month, day;
  CivilFromDays(ShanghaiDate(at).days, year, month, day);
  visit.retain_until = Date{DaysFromCivil(year + kVisitRetentionYears, month, std::min(day, 28u))};
}

}  // namespace fincrm
