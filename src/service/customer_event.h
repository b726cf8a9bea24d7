// Real-time events (实时采集) from the touch points and the head office's trading
// system: what POST /api/v1/events carries once parsed and validated. Each has an
// event_id chosen by the sender; a replayed id is ignored.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/entity_fields.h"

namespace fincrm {

enum class EventType { kTrade, kAssetSnapshot, kInteraction, kAccountOpened, kAccountClosed, kCustomerProfile, kHoldingSnapshot };
template <> struct EnumInfo<EventType> {
  static constexpr std::string_view kTypeName = "event type";
  static constexpr EnumName kNames[] = {{0, "trade", "成交"},
                                        {1, "asset_snapshot", "资产快照"},
                                        {2, "interaction", "客户接触"},
                                        {3, "account_opened", "开户"},
                                        {4, "account_closed", "销户"},
                                        {5, "customer_profile", "客户资料变更"},
                                        {6, "holding_snapshot", "持仓快照"}};
};

struct AccountClosure {
  std::string customer_id;
  std::string account_id;
  Date close_date;
};

// Changed profile fields by name (core/entity_fields.h); "" clears an optional field.
struct ProfileChange {
  std::string customer_id;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct CustomerEvent {
  std::string event_id;
  EventType type = EventType::kTrade;
  // holding_snapshot: one line of a customer's holdings at the close of a day (it
  // replaces that line; the day's other lines stay as they are).
  std::variant<Trade, AssetSnapshot, Interaction, Account, AccountClosure, ProfileChange, Holding> body;

  const std::string& customer_id() const {
    return std::visit([](const auto& b) -> const std::string& { return b.customer_id; }, body);
  }
};

enum class EventOutcome { kAccepted, kDuplicate, kRejected };
template <> struct EnumInfo<EventOutcome> {
  static constexpr std::string_view kTypeName = "event outcome";
  static constexpr EnumName kNames[] = {{0, "accepted", "已接收"}, {1, "duplicate", "重复"}, {2, "rejected", "拒绝"}};
};

struct EventResult {
  EventOutcome outcome = EventOutcome::kAccepted;
  std::string field;    // for rejections
  std::string message;  // for rejections
};

}  // namespace fincrm
