// The audit outbox: an audit entry written in the same transaction as the rows it
// records (a new ticket and its `ticket.create` entry commit together, with one fsync),
// and chained onto the trail by the next audit append on any connection
// (SqliteStore::AppendAuditBatch), which moves every waiting entry in order. Internal
// to the SQLite backend.
#pragma once

#include "core/audit_entry.h"
#include "core/status.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {

// Inside `db`'s open transaction; sequence and hashes are assigned when chained.
Status AddToAuditOutbox(SqliteConnection& db, const AuditEntry& entry);

}  // namespace fincrm
