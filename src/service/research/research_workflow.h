// The research report's workflow (专家控制): draft → in_review → approved → published,
// or rejected (back to the author, who may submit again) or withdrawn. The reviewer is
// never the author (four eyes), and both registration numbers are recorded.
// Each step checks its rule and changes the report in memory; the caller stores it.
// A step the state does not allow is FailedPrecondition with field "state" (409); a
// rule about who may take it is FailedPrecondition with field "rule" (403).
#pragma once

#include <string>
#include <string_view>

#include "core/research.h"
#include "core/status.h"

namespace fincrm {

inline constexpr int kResearchRetentionYears = 5;

// A SAC registration number (执业证书编号): "S" and 13 digits.
bool IsRegistrationNumber(std::string_view text);

// The fields an analyst writes: title, summary, body, a Shenwan industry, 1–20 symbols,
// an optional rating and target price, and the risk level. InvalidArgument naming the field.
Status ValidateResearchReport(const ResearchReport& report);

Status SubmitForReview(ResearchReport& report, const std::string& actor, Timestamp now);
Status ApproveReport(ResearchReport& report, const std::string& reviewer, const std::string& registration,
                     const std::string& note, Timestamp now);
Status RejectReport(ResearchReport& report, const std::string& reviewer, const std::string& registration,
                    const std::string& note, Timestamp now);
// `embargo` 0 = at once; an embargo in the past is now.
Status PublishReport(ResearchReport& report, Timestamp embargo, Timestamp now);
Status WithdrawReport(ResearchReport& report, const std::string& note, Timestamp now);

}  // namespace fincrm
