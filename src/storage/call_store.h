// CallStore: the call center's calls (as the PBX reported them and the agent wrapped
// them up), the CTI events already applied (so a repeated event changes nothing),
// callbacks, and the wrap-up code tree. Implemented for SQLite in
// sqlite/sqlite_call_store.cc.
//
// Threading: one thread at a time per CallStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/call_record.h"
#include "core/status.h"

namespace fincrm {

struct CallQuery {
  std::string customer_id;
  std::string agent;
  std::optional<CallState> state;
  std::string branch_id;  // scope: empty = any
  std::string broker_id;
  Timestamp before;  // started before (0: no bound); pages go back in time
  int limit = 100;
};

struct CallbackQuery {
  std::string owner;
  std::string customer_id;
  std::optional<CallbackState> state;
  Timestamp due_before;  // 0: no bound
  std::string branch_id;  // scope
  std::string broker_id;
  int limit = 100;
};

class CallStore {
 public:
  virtual ~CallStore() = default;
  // Stores the call as the event left it and the event's key (call id, kind) in one
  // transaction; false, storing nothing, when that event was applied before.
  virtual Result<bool> ApplyEvent(const CallRecord& call, CtiEventKind kind, Timestamp received_at) = 0;
  virtual Result<bool> EventApplied(const std::string& call_id, CtiEventKind kind) = 0;
  virtual Result<CallRecord> Get(const std::string& call_id) = 0;  // NotFound
  // Files the wrap-up (state wrapped_up, code, notes, follow-up, script, the customer)
  // and the callback promised on the call, if any, in one transaction, provided the
  // call is still unwrapped (FailedPrecondition otherwise). Answers the callback's id (0: none).
  virtual Result<int64_t> WrapUp(const CallRecord& call, const Callback* callback) = 0;
  // Latest first.
  virtual Result<std::vector<CallRecord>> List(const CallQuery& query) = 0;
  // The agent's answered calls that ended and await the wrap-up: while there is one,
  // the agent is not ready for the next call.
  virtual Result<std::vector<CallRecord>> AwaitingWrapUp(const std::string& agent) = 0;

  virtual Result<int64_t> AddCallback(const Callback& callback) = 0;
  virtual Result<Callback> GetCallback(int64_t callback_id) = 0;  // NotFound
  virtual Status UpdateCallback(const Callback& callback) = 0;
  // Earliest due first.
  virtual Result<std::vector<Callback>> ListCallbacks(const CallbackQuery& query) = 0;

  // The tree, parents before their children.
  virtual Result<std::vector<WrapUpCode>> WrapUpCodes() = 0;
  // Replaces the tree in one transaction (validated by the caller: parents exist).
  virtual Status ReplaceWrapUpCodes(const std::vector<WrapUpCode>& codes) = 0;
};

// Unavailable when the database cannot be opened. Applies the call center's migrations
// (the first seeds a wrap-up code tree an administrator may replace).
Result<std::unique_ptr<CallStore>> OpenCallStore(const std::string& location);

}  // namespace fincrm
