// The portal module's SQLite table.
#include <sqlite3.h>

#include "storage/portal_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kPortalSchema = R"sql(
CREATE TABLE portal_activations (
  customer_id TEXT PRIMARY KEY,
  code_sha256 TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  used_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql";

constexpr Migration kPortalMigrations[] = {{1, "one-time activation codes for investors' portal logins", kPortalSchema}};

class SqlitePortalStore final : public PortalStore {
 public:
  explicit SqlitePortalStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Status Issue(const PortalActivation& a) override {
    auto upsert = db_->Prepared(
        "INSERT INTO portal_activations (customer_id, code_sha256, issued_at, expires_at, issued_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO UPDATE SET code_sha256 = excluded.code_sha256, "
        "issued_at = excluded.issued_at, expires_at = excluded.expires_at, issued_by = excluded.issued_by, "
        "failures = 0, used_at = 0");
    if (!upsert.ok()) return upsert.status();
    SqliteStatement& s = **upsert;
    s.Bind(1, std::string_view(a.customer_id));
    s.Bind(2, std::string_view(a.code_sha256));
    s.Bind(3, a.issued_at);
    s.Bind(4, a.expires_at);
    s.Bind(5, std::string_view(a.issued_by));
    return StepStatus(*db_, s.Step(), "issuing the activation code");
  }

  Status Redeem(const std::string& customer_id, const std::string& code_sha256, Timestamp now) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto query = db_->Prepared(
        "SELECT code_sha256, expires_at, failures, used_at FROM portal_activations WHERE customer_id = ?1");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    int rc = s.Step();
    Status refused(StatusCode::kFailedPrecondition, "wrong or expired activation code; ask the counter for a new one", "code");
    if (rc != SQLITE_ROW) {
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the activation code"));
      return refused;
    }
    std::string stored(s.Text(0));
    int64_t expires = s.Int(1), failures = s.Int(2), used = s.Int(3);
    s.Reset();
    bool usable = used == 0 && failures < kMaxActivationFailures && now.seconds < expires;
    bool matches = stored.size() == code_sha256.size() && stored == code_sha256;
    auto update = db_->Prepared(usable && matches
                                    ? "UPDATE portal_activations SET used_at = ?2 WHERE customer_id = ?1"
                                    : "UPDATE portal_activations SET failures = failures + 1 WHERE customer_id = ?1");
    if (!update.ok()) return update.status();
    (*update)->Bind(1, std::string_view(customer_id));
    if (usable && matches) (*update)->Bind(2, now);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "redeeming the activation code"));
    (*update)->Reset();
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return usable && matches ? Status::Ok() : refused;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<PortalStore>> OpenPortalStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "portal", kPortalMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<PortalStore>(new SqlitePortalStore(std::move(*db)));
}

}  // namespace fincrm
