// The call center's records (呼叫中心): calls as the PBX reports them (newCall, answer,
// hangup) and as the agent wraps them up, callbacks promised to customers, and the
// wrap-up code tree agents file calls under.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

// The PBX's events, in the shape of Zammad's generic CTI interface (docs/cti.md).
enum class CtiEventKind { kNewCall, kAnswer, kHangup };
template <> struct EnumInfo<CtiEventKind> {
  static constexpr std::string_view kTypeName = "CTI event";
  static constexpr EnumName kNames[] = {{0, "newCall", "来电"}, {1, "answer", "接听"}, {2, "hangup", "挂机"}};
};

enum class CallDirection { kIn, kOut };
template <> struct EnumInfo<CallDirection> {
  static constexpr std::string_view kTypeName = "call direction";
  static constexpr EnumName kNames[] = {{0, "in", "呼入"}, {1, "out", "呼出"}};
};

enum class HangupCause { kNormalClearing, kBusy, kCancel, kNoAnswer, kCongestion, kNotFound, kForwarded };
template <> struct EnumInfo<HangupCause> {
  static constexpr std::string_view kTypeName = "hangup cause";
  static constexpr EnumName kNames[] = {{0, "normalClearing", "正常挂机"}, {1, "busy", "忙"},
                                        {2, "cancel", "取消"},           {3, "noAnswer", "无人接听"},
                                        {4, "congestion", "拥塞"},       {5, "notFound", "空号"},
                                        {6, "forwarded", "转接"}};
};

// ringing (newCall) → talking (answer) → ended (hangup; straight from ringing when
// missed) → wrapped_up once the agent files it.
enum class CallState { kRinging, kTalking, kEnded, kWrappedUp };
template <> struct EnumInfo<CallState> {
  static constexpr std::string_view kTypeName = "call state";
  static constexpr EnumName kNames[] = {{0, "ringing", "振铃"}, {1, "talking", "通话中"}, {2, "ended", "已挂机"},
                                        {3, "wrapped_up", "已小结"}};
};

struct CtiEvent {
  CtiEventKind kind = CtiEventKind::kNewCall;
  std::string call_id;
  std::string from;
  std::string to;
  CallDirection direction = CallDirection::kIn;
  std::string user;   // the answering agent's login (answer)
  std::string queue;  // optional
  HangupCause cause = HangupCause::kNormalClearing;  // hangup
};

struct CallRecord {
  std::string call_id;  // the PBX's, natural key
  CallDirection direction = CallDirection::kIn;
  std::string from;
  std::string to;
  std::string customer_phone;  // the customer's side, normalised ("" when it could not be)
  std::string customer_id;     // the matched customer ("" when none or several)
  std::string branch_id;       // the customer's, for scope
  std::string broker_id;
  std::string queue;
  std::string agent;  // login of who answered
  CallState state = CallState::kRinging;
  Timestamp started_at;
  Timestamp answered_at;  // 0 when never answered
  Timestamp ended_at;
  std::string hangup_cause;  // "" until hangup
  std::string wrap_up_code;
  std::string notes;
  std::string follow_up;  // what was promised: a callback, a ticket, nothing
  int64_t script_id = 0;  // the script shown and used, and its version
  int64_t script_version = 0;
  int64_t ticket_id = 0;  // a ticket opened from the call
  Timestamp wrapped_up_at;
};

enum class CallbackState { kOpen, kDone, kCancelled };
template <> struct EnumInfo<CallbackState> {
  static constexpr std::string_view kTypeName = "callback state";
  static constexpr EnumName kNames[] = {{0, "open", "待回电"}, {1, "done", "已回电"}, {2, "cancelled", "已取消"}};
};

struct Callback {
  int64_t callback_id = 0;
  std::string customer_id;
  std::string phone;  // when the caller is not yet a customer
  std::string branch_id;
  std::string broker_id;
  std::string owner;  // login
  Timestamp due_at;
  std::string note;
  std::string call_id;  // the call it was promised on
  CallbackState state = CallbackState::kOpen;
  std::string created_by;
  Timestamp created_at;
  Timestamp done_at;
};

// One node of the configurable wrap-up code tree ("account.password_reset" under "account").
struct WrapUpCode {
  std::string code;
  std::string parent;  // "" for a top-level category
  std::string label;
  bool active = true;
};

}  // namespace fincrm
