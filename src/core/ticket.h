// Service tickets (服务工单): an inquiry, complaint, service request, return visit or
// account change of one customer, with an owner, a state, its SLA clock and the
// record of every change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

enum class TicketType { kInquiry, kComplaint, kServiceRequest, kReturnVisit, kAccountChange };
template <> struct EnumInfo<TicketType> {
  static constexpr std::string_view kTypeName = "ticket type";
  static constexpr EnumName kNames[] = {{0, "inquiry", "咨询"},
                                        {1, "complaint", "投诉"},
                                        {2, "service_request", "服务请求"},
                                        {3, "return_visit", "回访"},
                                        {4, "account_change", "账户变更"}};
};

enum class TicketPriority { kLow, kNormal, kHigh, kUrgent };
template <> struct EnumInfo<TicketPriority> {
  static constexpr std::string_view kTypeName = "ticket priority";
  static constexpr EnumName kNames[] = {{0, "low", "低"}, {1, "normal", "普通"}, {2, "high", "高"}, {3, "urgent", "紧急"}};
};

enum class TicketState { kNew, kOpen, kPendingCustomer, kResolved, kClosed };
template <> struct EnumInfo<TicketState> {
  static constexpr std::string_view kTypeName = "ticket state";
  static constexpr EnumName kNames[] = {{0, "new", "新建"},
                                        {1, "open", "处理中"},
                                        {2, "pending_customer", "等待客户"},
                                        {3, "resolved", "已解决"},
                                        {4, "closed", "已关闭"}};
};

// new → open | pending_customer | resolved; open ↔ pending_customer; open and
// pending_customer → resolved; resolved → closed, or back to open (reopen). Closed is final.
inline bool TicketTransitionAllowed(TicketState from, TicketState to) {
  using S = TicketState;
  switch (from) {
    case S::kNew: return to == S::kOpen || to == S::kPendingCustomer || to == S::kResolved;
    case S::kOpen: return to == S::kPendingCustomer || to == S::kResolved;
    case S::kPendingCustomer: return to == S::kOpen || to == S::kResolved;
    case S::kResolved: return to == S::kClosed || to == S::kOpen;
    case S::kClosed: return false;
  }
  return false;
}

// The SLA clock of one ticket, in business time of the brokerage's calendar. The
// resolution clock runs in new and open, pauses in pending_customer and stops at
// resolved; `elapsed_seconds` holds the business time counted up to `clock_since`.
// The next-response clock starts when the customer's answer brings the ticket back
// from pending_customer to open, and is met by the agent's reply (PATCH "responded") or
// next move (back to pending_customer, or resolved) within `next_response_seconds`.
struct TicketSla {
  std::string policy;  // name of the policy that matched
  int64_t first_response_seconds = 0;
  int64_t resolution_seconds = 0;
  int64_t next_response_seconds = 0;
  int warn_percent = 80;
  Timestamp first_response_due;
  Timestamp first_responded_at;  // 0 until the first move out of `new`
  int64_t elapsed_seconds = 0;
  Timestamp clock_since;        // 0 while paused or stopped
  Timestamp resolution_due;     // 0 while paused or stopped
  Timestamp resolved_at;        // 0 until resolved
  Timestamp next_response_due;  // 0 unless the customer's answer awaits the agent's
  bool breached = false;        // a target was missed (set at resolution or by the escalation job)
  int escalation_level = 0;     // 0 none, 1 branch manager, 2 head-office service center
};

struct Ticket {
  int64_t ticket_id = 0;  // assigned when stored
  std::string customer_id;
  std::string branch_id;  // the customer's, for scopes and escalation
  std::string broker_id;
  TicketType type = TicketType::kInquiry;
  TicketPriority priority = TicketPriority::kNormal;
  TicketState state = TicketState::kNew;
  std::string channel;  // where it came in: phone, counter, app, web, email, sms
  std::string subject;
  std::string description;
  std::string owner;  // login; empty = unassigned
  std::string team;   // e.g. "call_center", a branch id
  std::string complaint_category;  // complaints: fees, service, system, advice, other
  std::string call_id;             // the PBX's id of the call it was opened from, "" when none
  int64_t script_id = 0;           // the service script shown and used, and its version (0: none)
  int64_t script_version = 0;
  std::string created_by;
  Timestamp created_at;
  Timestamp updated_at;
  TicketSla sla;
};

// One recorded change: who changed which field from what to what, and when.
struct TicketChange {
  int64_t ticket_id = 0;
  Timestamp at;
  std::string actor;
  std::string field;  // "state", "priority", "owner", "team", "created"...
  std::string from;
  std::string to;
};

// Which SLA targets a ticket gets: the first policy (by position) whose every set
// condition matches.
struct SlaPolicy {
  int position = 0;
  std::string name;
  std::optional<TicketType> type;
  std::optional<TicketPriority> priority;
  std::string tier;     // value tier; empty = any
  std::string channel;  // empty = any
  int64_t first_response_minutes = 0;
  int64_t next_response_minutes = 0;
  int64_t resolution_minutes = 0;
  int warn_percent = 80;  // warn when this share of a target has passed
};

}  // namespace fincrm
