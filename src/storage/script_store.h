// ScriptStore: service scripts with every version kept. Implemented for SQLite in
// sqlite/sqlite_script_store.cc.
//
// Threading: one thread at a time per ScriptStore; open one per thread.
#pragma once

#include <memory>
#include <vector>

#include "core/service_script.h"
#include "core/status.h"

namespace fincrm {

class ScriptStore {
 public:
  virtual ~ScriptStore() = default;
  // Stores version 1; answers the id.
  virtual Result<int64_t> Create(const ServiceScript& script) = 0;
  // Stores the next version of script.script_id; answers it. NotFound.
  virtual Result<ServiceScript> Revise(const ServiceScript& script) = 0;
  virtual Result<ServiceScript> Get(int64_t script_id) = 0;                   // the current version; NotFound
  virtual Result<ServiceScript> GetVersion(int64_t script_id, int64_t version) = 0;  // NotFound
  // The current version of every script (active or not), by id.
  virtual Result<std::vector<ServiceScript>> List() = 0;
};

// Unavailable when the database cannot be opened. Applies the scripts' migrations.
Result<std::unique_ptr<ScriptStore>> OpenScriptStore(const std::string& location);

}  // namespace fincrm
