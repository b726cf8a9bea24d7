#include "storage/sqlite/sqlite_audit_outbox.h"

namespace fincrm {

Status AddToAuditOutbox(SqliteConnection& db, const AuditEntry& entry) {
  auto insert = db.Prepared(
      "INSERT INTO audit_outbox (at, actor, action, customer_id, detail, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert.ok()) return insert.status();
  SqliteStatement& s = **insert;
  s.Bind(1, entry.at);
  s.Bind(2, std::string_view(entry.actor));
  s.Bind(3, std::string_view(entry.action));
  s.Bind(4, entry.customer_id);
  s.Bind(5, entry.detail);
  s.Bind(6, entry.source);
  return StepStatus(db, s.Step(), "writing the audit entry");
}

}  // namespace fincrm
