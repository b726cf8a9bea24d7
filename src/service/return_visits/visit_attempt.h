// One attempt at a return visit, as an agent records it (the return-visits module) and
// as the demo brokerage's history is generated: the rules of closing in one place.
#pragma once

#include <string>

#include "core/return_visit.h"

namespace fincrm {

// CSRC: return-visit records are kept at least three years.
inline constexpr int kVisitRetentionYears = 3;

// Counts the attempt and keeps its outcome. Completed, refused and complaint close the
// visit, as does the last allowed attempt (kMaxVisitAttempts); a closed visit's
// evidence is kept until kVisitRetentionYears after `at`.
void RecordVisitAttempt(ReturnVisit& visit, VisitOutcome outcome, const std::string& by, Timestamp at);

}  // namespace fincrm
