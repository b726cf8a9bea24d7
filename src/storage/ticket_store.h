// TicketStore: service tickets with their SLA clocks, the history of every change,
// and the SLA policies (ordered conditions → targets). Implemented for SQLite in
// sqlite/sqlite_ticket_store.cc.
//
// Threading: one thread at a time per TicketStore; open one per thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audit_entry.h"
#include "core/status.h"
#include "core/ticket.h"

namespace fincrm {

struct TicketQuery {
  std::optional<TicketState> state;
  std::string owner;
  std::string customer_id;
  std::optional<bool> breached;  // as of `now`
  Timestamp now;
  std::string branch_id;  // scope: empty = any
  std::string broker_id;
  int64_t after = 0;  // ticket_id: tickets after it
  int limit = 100;
};

// The audit entry of `tickets[index]`, stored as `ticket_id`.
using TicketAuditEntry = std::function<AuditEntry(const Ticket& ticket, int64_t ticket_id, size_t index)>;

class TicketStore {
 public:
  virtual ~TicketStore() = default;
  // Stores new tickets, each with its "created" history entry by its `created_by`, in
  // one transaction (one fsync for the lot: the group commit of ticket creation);
  // returns their ids in order. When one cannot be stored, none is. With `audit`,
  // each ticket's audit entry (made once its id is known) commits in the same
  // transaction, to the audit outbox that the trail's next append chains.
  virtual Result<std::vector<int64_t>> CreateAll(const std::vector<Ticket>& tickets,
                                                 const TicketAuditEntry& audit) = 0;
  Result<std::vector<int64_t>> CreateAll(const std::vector<Ticket>& tickets) { return CreateAll(tickets, nullptr); }
  Result<int64_t> Create(const Ticket& ticket, const TicketAuditEntry& audit = nullptr) {
    auto ids = CreateAll({ticket}, audit);
    if (!ids.ok()) return ids.status();
    return ids->front();
  }
  // Stores the ticket's new state and the changes in one transaction, provided it is
  // still as `expected_updated_at` says (else FailedPrecondition: changed meanwhile).
  virtual Status Update(const Ticket& ticket, Timestamp expected_updated_at,
                        const std::vector<TicketChange>& changes) = 0;
  // NotFound when there is no such ticket.
  virtual Result<Ticket> Get(int64_t ticket_id) = 0;
  virtual Result<std::vector<TicketChange>> History(int64_t ticket_id) = 0;
  // By ticket id, in the query's scope.
  virtual Result<std::vector<Ticket>> List(const TicketQuery& query) = 0;
  // Tickets whose resolution clock runs and is past due at `now`, escalated below
  // `below_level`, earliest due first (the escalation pass; read from the due-time index).
  virtual Result<std::vector<Ticket>> Overdue(Timestamp now, int below_level, int limit) = 0;
  // Ordered by position.
  virtual Result<std::vector<SlaPolicy>> Policies() = 0;
};

// FailedPrecondition for a PostgreSQL location (not in this build); Unavailable when
// the database cannot be opened. Applies the tickets module's migrations.
Result<std::unique_ptr<TicketStore>> OpenTicketStore(const std::string& location);

}  // namespace fincrm
