#include "service/research/research_workflow.h"

#include <set>

#include "core/validation.h"

namespace fincrm {
namespace {

Status WrongState(const ResearchReport& report, std::string_view step) {
  return Status(StatusCode::kFailedPrecondition,
                "research report " + std::to_string(report.report_id) + " is " + std::string(EnumCode(report.state)) +
                    ": it cannot be " + std::string(step),
                "state");
}

Status Review(ResearchReport& report, ResearchState outcome, const std::string& reviewer,
              const std::string& registration, const std::string& note, Timestamp now) {
  if (report.state != ResearchState::kInReview) {
    return WrongState(report, outcome == ResearchState::kApproved ? "approved" : "rejected");
  }
  if (reviewer == report.author) {
    return Status(StatusCode::kFailedPrecondition,
                  "four eyes: the author of research report " + std::to_string(report.report_id) +
                      " may not review it; another person with the reviewer permission must",
                  "rule");
  }
  if (!IsRegistrationNumber(registration)) {
    return InvalidArgument("the reviewer's registration number: 'S' and 13 digits", "reviewer_registration");
  }
  report.state = outcome;
  report.reviewer = reviewer;
  report.reviewer_registration = registration;
  report.review_note = note;
  report.reviewed_at = now;
  return Status::Ok();
}

}  // namespace

bool IsRegistrationNumber(std::string_view text) {
  if (text.size() != 14 || text[0] != 'S') return false;
  for (char c : text.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status ValidateResearchReport(const ResearchReport& r) {
  auto text = [](const std::string& value, std::string_view field, size_t max) -> Status {
    if (value.empty()) return InvalidArgument("is required", std::string(field));
    if (value.size() > max) return InvalidArgument("longer than " + std::to_string(max) + " bytes", std::string(field));
    return Status::Ok();
  };
  FINCRM_RETURN_IF_ERROR(text(r.title, "title", 300));
  FINCRM_RETURN_IF_ERROR(text(r.summary, "summary", 4000));
  FINCRM_RETURN_IF_ERROR(text(r.body, "body", 1000000));
  if (!FindIndustry(r.industry)) return InvalidArgument("not a Shenwan level-1 industry code or name", "industry");
  if (r.symbols.empty()) return InvalidArgument("name at least one symbol", "symbols");
  if (r.symbols.size() > 20) return InvalidArgument("at most 20 symbols", "symbols");
  std::set<std::string> seen;
  for (const std::string& symbol : r.symbols) {
    if (!ValidateIdentifier(symbol, "symbols").ok() || symbol.size() > 16) {
      return InvalidArgument("'" + symbol + "' is not a symbol", "symbols");
    }
    if (!seen.insert(symbol).second) return InvalidArgument("'" + symbol + "' is listed twice", "symbols");
  }
  if (r.target_price && r.target_price->li <= 0) return InvalidArgument("must be above zero", "target_price");
  if (!IsRegistrationNumber(r.author_registration)) {
    return InvalidArgument("the analyst's registration number: 'S' and 13 digits", "analyst_registration");
  }
  return Status::Ok();
}

Status SubmitForReview(ResearchReport& report, const std::string& actor, Timestamp now) {
  if (report.state != ResearchState::kDraft && report.state != ResearchState::kRejected) {
    return WrongState(report, "submitted");
  }
  if (actor != report.author) {
    return Status(StatusCode::kFailedPrecondition, "only the author submits their report for review", "rule");
  }
  report.state = ResearchState::kInReview;
  report.submitted_at = now;
  return Status::Ok();
}

Status ApproveReport(ResearchReport& report, const std::string& reviewer, const std::string& registration,
                     const std::string& note, Timestamp now) {
  return Review(report, ResearchState::kApproved, reviewer, registration, note, now);
}

Status RejectReport(ResearchReport& report, const std::string& reviewer, const std::string& registration,
                    const std::string& note, Timestamp now) {
  if (note.empty()) return InvalidArgument("is required: what must change", "note");
  return Review(report, ResearchState::kRejected, reviewer, registration, note, now);
}

Status PublishReport(ResearchReport& report, Timestamp embargo, Timestamp now) {
  if (report.state != ResearchState::kApproved) return WrongState(report, "published before its approval");
  report.state = ResearchState::kPublished;
  report.published_at = now;
  report.embargo_until = embargo < now ? now : embargo;
  Date released = ShanghaiDate(report.embargo_until);
  report.retain_until = AddMonths(released, 12 * kResearchRetentionYears);
  return Status::Ok();
}

Status WithdrawReport(ResearchReport& report, const std::string& note, Timestamp now) {
  if (report.state == ResearchState::kWithdrawn) return WrongState(report, "withdrawn");
  if (note.empty()) return InvalidArgument("is required: why it is withdrawn", "note");
  bool was_published = report.state == ResearchState::kPublished;
  report.state = ResearchState::kWithdrawn;
  report.withdrawn_at = now;
  report.review_note = report.review_note.empty() ? note : report.review_note + "; withdrawn: " + note;
  // A published report's evidence is kept as long as if it had stayed.
  if (!was_published) report.retain_until = AddMonths(ShanghaiDate(now), 12 * kResearchRetentionYears);
  return Status::Ok();
}

}  // namespace fincrm
