// The journal form of real-time events. Trades, asset snapshots and interactions — the
// volume of real-time traffic — are made durable by appending them to the store's
// event journal and applied to the customer-clustered tables later in sorted batches
// (EventIngestor). A journal row holds the entity's fields as "<length>:<text>" in
// field-table order, so any character in notes or subjects survives.
#pragma once

#include <string>

#include "core/audit_entry.h"
#include "core/service_records.h"
#include "service/customer_event.h"

namespace fincrm {

bool IsJournaled(EventType type);

// Journal entries of this type hold an audit entry (the record of an ingest request),
// committed with the request's events and chained onto the trail when applied.
inline constexpr std::string_view kAuditJournalType = "audit";
std::string EncodeAuditRow(const AuditEntry& entry);
Result<AuditEntry> DecodeAuditRow(std::string_view row);

// The journal row of an event of a journaled type ("" for other types).
std::string EncodeJournalRow(const CustomerEvent& event);

// The event back from its entry; InvalidArgument names what could not be read.
Result<CustomerEvent> FromJournalEntry(const JournalEntry& entry);
// The same from a row alone (no event id).
Result<CustomerEvent> FromJournalRow(EventType type, std::string_view row);

}  // namespace fincrm
