#include "service/event_journal.h"

#include <charconv>

#include "core/entity_fields.h"
#include "core/field_value.h"

namespace fincrm {
namespace {

template <class T>
std::string EncodeRow(const T& row) {
  std::string out;
  for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) {
    std::string text = std::visit([&](auto member) { return FormatFieldValue(row.*member); }, spec.member);
    out += std::to_string(text.size());
    out += ':';
    out += text;
  }
  return out;
}

template <class T>
Result<T> DecodeRow(std::string_view text) {
  T row;
  for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) {
    size_t length = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (error != std::errc() || end == text.data() + text.size() || *end != ':' ||
        length > static_cast<size_t>(text.data() + text.size() - end - 1)) {
      return InvalidArgument("journal row is cut short", std::string(spec.name));
    }
    std::string_view value(end + 1, length);
    Status status = std::visit([&](auto member) { return ParseFieldValue(value, row.*member); }, spec.member);
    if (!status.ok()) return InvalidArgument(status.message(), std::string(spec.name));
    text.remove_prefix(static_cast<size_t>(end + 1 - text.data()) + length);
  }
  if (!text.empty()) return InvalidArgument("journal row has more fields than the entity", "row");
  return row;
}

}  // namespace

bool IsJournaled(EventType type) {
  return type == EventType::kTrade || type == EventType::kAssetSnapshot || type == EventType::kInteraction;
}

std::string EncodeJournalRow(const CustomerEvent& event) {
  switch (event.type) {
    case EventType::kTrade: return EncodeRow(std::get<Trade>(event.body));
    case EventType::kAssetSnapshot: return EncodeRow(std::get<AssetSnapshot>(event.body));
    case EventType::kInteraction: return EncodeRow(std::get<Interaction>(event.body));
    default: return {};  // not journaled
  }
}

std::string EncodeAuditRow(const AuditEntry& entry) { return EncodeRow(entry); }

Result<AuditEntry> DecodeAuditRow(std::string_view row) { return DecodeRow<AuditEntry>(row); }

Result<CustomerEvent> FromJournalRow(EventType type, std::string_view row) {
  if (!IsJournaled(type)) return InvalidArgument("not a journaled event type", "type");
  CustomerEvent event;
  event.type = type;
  auto decode = [&](auto tag) -> Status {
    using T = decltype(tag);
    auto decoded = DecodeRow<T>(row);
    if (!decoded.ok()) return decoded.status();
    event.body = std::move(*decoded);
    return Status::Ok();
  };
  Status status = type == EventType::kTrade           ? decode(Trade{})
                  : type == EventType::kAssetSnapshot ? decode(AssetSnapshot{})
                                                      : decode(Interaction{});
  if (!status.ok()) return status;
  return event;
}

Result<CustomerEvent> FromJournalEntry(const JournalEntry& entry) {
  auto type = ParseEnum<EventType>(entry.type);
  if (!type) return InvalidArgument("not a journaled event type: " + entry.type, "type");
  auto event = FromJournalRow(*type, entry.row);
  if (!event.ok()) return event.status();
  event->event_id = entry.event_id;
  return event;
}

}  // namespace fincrm
