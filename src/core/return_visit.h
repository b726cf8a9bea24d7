// Return visits (回访): a call back to a customer that a rule requires — every new
// account, a yearly sample of customers, after a complaint, a risk-level change or a
// high-risk product sale (CSRC; docs/service-center.md) — with its attempts, outcome,
// the script version used, and its evidence kept until a retention date.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

enum class VisitReason { kNewAccount, kAnnualSample, kComplaint, kRiskChange, kHighRiskSale };
template <> struct EnumInfo<VisitReason> {
  static constexpr std::string_view kTypeName = "return visit reason";
  static constexpr EnumName kNames[] = {{0, "new_account", "新开户回访"},
                                        {1, "annual_sample", "年度抽样回访"},
                                        {2, "complaint", "投诉回访"},
                                        {3, "risk_change", "风险等级变更回访"},
                                        {4, "high_risk_sale", "高风险产品回访"}};
};

// What an attempt came to. Completed, refused and complaint close the visit; not
// reached and wrong number leave it open for another attempt, up to the maximum.
enum class VisitOutcome { kCompleted, kNotReached, kRefused, kWrongNumber, kComplaint };
template <> struct EnumInfo<VisitOutcome> {
  static constexpr std::string_view kTypeName = "return visit outcome";
  static constexpr EnumName kNames[] = {{0, "completed", "回访成功"},
                                        {1, "not_reached", "未接通"},
                                        {2, "refused", "客户拒绝"},
                                        {3, "wrong_number", "号码错误"},
                                        {4, "complaint", "客户投诉"}};
};

inline constexpr int kMaxVisitAttempts = 3;

struct ReturnVisit {
  int64_t visit_id = 0;  // assigned when planned
  std::string customer_id;
  std::string branch_id;  // the customer's when planned, for scopes and quotas
  std::string broker_id;
  VisitReason reason = VisitReason::kNewAccount;
  std::string source;  // what required it: an account id, "2026:C…" for the sample, "ticket:12"…
  Date due_on;
  bool closed = false;
  int attempts = 0;
  Timestamp last_attempt_at;
  std::string outcome;         // the last attempt's VisitOutcome code, "" before any
  std::string script_version;  // the script read to the customer
  std::string notes;
  std::string closed_by;
  Timestamp closed_at;
  Date retain_until;  // evidence kept at least until then (3 years after closing)
  Timestamp created_at;
};

// due (open, not yet late), overdue (open, past due_on), done (closed).
enum class VisitStatus { kDue, kOverdue, kDone };
template <> struct EnumInfo<VisitStatus> {
  static constexpr std::string_view kTypeName = "return visit status";
  static constexpr EnumName kNames[] = {{0, "due", "待回访"}, {1, "overdue", "已逾期"}, {2, "done", "已完成"}};
};
inline VisitStatus VisitStatusOn(const ReturnVisit& visit, Date today) {
  if (visit.closed) return VisitStatus::kDone;
  return visit.due_on < today ? VisitStatus::kOverdue : VisitStatus::kDue;
}

}  // namespace fincrm
