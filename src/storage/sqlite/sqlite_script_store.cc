// Service scripts in SQLite: the current version per script, and every version as it was.
#include <sqlite3.h>

#include "storage/script_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kScriptSchema = R"sql(
CREATE TABLE service_scripts (
  script_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  call_type TEXT,
  ticket_type TEXT,
  tier TEXT,
  body TEXT NOT NULL,
  active INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (script_id, version)
) WITHOUT ROWID;
CREATE TABLE service_script_ids (script_id INTEGER PRIMARY KEY, current_version INTEGER NOT NULL);
)sql";

constexpr Migration kScriptMigrations[] = {
    {1, "service scripts and every version of them", kScriptSchema},
};

constexpr std::string_view kColumns =
    "s.script_id, s.version, s.title, s.call_type, s.ticket_type, s.tier, s.body, s.active, s.updated_by, s.updated_at";

ServiceScript ReadScript(const SqliteStatement& s) {
  ServiceScript script;
  int64_t active = 0;
  s.Read(0, script.script_id);
  s.Read(1, script.version);
  s.Read(2, script.title);
  s.Read(3, script.call_type);
  s.Read(4, script.ticket_type);
  s.Read(5, script.tier);
  s.Read(6, script.body);
  s.Read(7, active);
  script.active = active != 0;
  s.Read(8, script.updated_by);
  s.Read(9, script.updated_at);
  return script;
}

class SqliteScriptStore final : public ScriptStore {
 public:
  explicit SqliteScriptStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Create(const ServiceScript& script) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto id = db_->Prepared("INSERT INTO service_script_ids(script_id, current_version) VALUES (NULL, 1)");
    if (!id.ok()) return id.status();
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*id)->Step(), "numbering the script"));
    ServiceScript stored = script;
    stored.script_id = db_->LastInsertId();
    stored.version = 1;
    FINCRM_RETURN_IF_ERROR(Insert(stored));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return stored.script_id;
  }

  Result<ServiceScript> Revise(const ServiceScript& script) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto bump = db_->Prepared(
        "UPDATE service_script_ids SET current_version = current_version + 1 WHERE script_id = ?1 "
        "RETURNING current_version");
    if (!bump.ok()) return bump.status();
    (*bump)->Bind(1, script.script_id);
    int rc = (*bump)->Step();
    if (rc != SQLITE_ROW) {
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "revising the script"));
      return NotFound("no script " + std::to_string(script.script_id), "script_id");
    }
    ServiceScript stored = script;
    (*bump)->Read(0, stored.version);
    (*bump)->Reset();
    FINCRM_RETURN_IF_ERROR(Insert(stored));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return stored;
  }

  Result<ServiceScript> Get(int64_t script_id) override {
    return One("SELECT " + std::string(kColumns) +
                   " FROM service_script_ids i JOIN service_scripts s ON s.script_id = i.script_id AND "
                   "s.version = i.current_version WHERE i.script_id = ?1",
               script_id, 0);
  }

  Result<ServiceScript> GetVersion(int64_t script_id, int64_t version) override {
    return One("SELECT " + std::string(kColumns) + " FROM service_scripts s WHERE s.script_id = ?1 AND s.version = ?2",
               script_id, version);
  }

  Result<std::vector<ServiceScript>> List() override {
    auto query = db_->Prepared("SELECT " + std::string(kColumns) +
                               " FROM service_script_ids i JOIN service_scripts s ON s.script_id = i.script_id AND "
                               "s.version = i.current_version ORDER BY i.script_id");
    if (!query.ok()) return query.status();
    std::vector<ServiceScript> scripts;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) scripts.push_back(ReadScript(**query));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing scripts"));
    return scripts;
  }

 private:
  Status Insert(const ServiceScript& s) {
    auto insert = db_->Prepared(
        "INSERT INTO service_scripts(script_id, version, title, call_type, ticket_type, tier, body, active, "
        "updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& q = **insert;
    q.Bind(1, s.script_id);
    q.Bind(2, s.version);
    q.Bind(3, std::string_view(s.title));
    q.Bind(4, s.call_type);
    q.Bind(5, s.ticket_type);
    q.Bind(6, s.tier);
    q.Bind(7, std::string_view(s.body));
    q.Bind(8, int64_t{s.active});
    q.Bind(9, std::string_view(s.updated_by));
    q.Bind(10, s.updated_at);
    return StepStatus(*db_, q.Step(), "storing the script");
  }

  Result<ServiceScript> One(const std::string& sql, int64_t script_id, int64_t version) {
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    (*query)->Bind(1, script_id);
    if (version) (*query)->Bind(2, version);
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      ServiceScript script = ReadScript(**query);
      (*query)->Reset();
      return script;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the script"));
    return NotFound("no script " + std::to_string(script_id) + (version ? " version " + std::to_string(version) : ""),
                    "script_id");
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<ScriptStore>> OpenScriptStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "scripts", kScriptMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ScriptStore>(new SqliteScriptStore(std::move(*db)));
}

}  // namespace fincrm
