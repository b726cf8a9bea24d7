#include <sqlite3.h>

#include "storage/caller_lookup.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_service_rows.h"

namespace fincrm {
namespace {

class SqliteCallerLookup final : public CallerLookup {
 public:
  explicit SqliteCallerLookup(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<std::vector<CallerRecord>> ByMobile(const std::string& digits, const CallerLookupLimits& limits) override {
    // One snapshot for the lot: a deferred BEGIN takes the read lock at the first query.
    auto begin = db_->Prepared("BEGIN");
    if (!begin.ok()) return begin.status();
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*begin)->Step(), "starting the caller's read"));
    // Ended however Read leaves (an exception too): a transaction left open would make
    // every later BEGIN on this thread's connection fail.
    struct Ending {
      SqliteConnection& db;
      bool done = false;
      ~Ending() {
        if (!done) (void)db.Execute("ROLLBACK");
      }
    } ending{*db_};
    Result<std::vector<CallerRecord>> callers = Read(digits, limits);
    auto end = db_->Prepared("COMMIT");
    if (!end.ok()) return end.status();
    Status ended = StepStatus(*db_, (*end)->Step(), "ending the caller's read");
    ending.done = ended.ok();
    if (!callers.ok()) return callers.status();
    if (!ended.ok()) return ended;
    return callers;
  }

 private:
  Result<std::vector<CallerRecord>> Read(const std::string& digits, const CallerLookupLimits& limits) {
    // Built once: the pop runs for every call, and composing the text costs as much as a
    // query. The columns are those of the covering indexes (migration 16).
    static const std::string kCustomers =
        "SELECT c.customer_id, c.name, c.mobile, c.branch_id, c.broker_id, c.status, c.risk_level, "
        "s.customer_id, s.tier, s.churn_risk, s.churn_reasons "
        "FROM customers c LEFT JOIN customer_scores s INDEXED BY customer_scores_for_screen_pop "
        "ON s.customer_id = c.customer_id "
        "WHERE c.mobile = ?1 ORDER BY c.customer_id LIMIT ?2";
    static const std::string kTickets = "SELECT " + std::string(TicketColumns()) +
                                        " FROM tickets WHERE customer_id = ?1 AND state NOT IN ('resolved', 'closed') "
                                        "ORDER BY ticket_id LIMIT ?2";
    static const std::string kVisits = "SELECT " + std::string(ReturnVisitColumns()) +
                                       " FROM return_visits WHERE customer_id = ?1 AND closed = 0 "
                                       "ORDER BY visit_id LIMIT ?2";
    static const std::string kCallbacks = "SELECT " + std::string(CallbackColumns()) +
                                          " FROM callbacks WHERE customer_id = ?1 AND state = 'open' "
                                          "ORDER BY due_at, callback_id LIMIT ?2";
    auto customers = db_->Prepared(kCustomers);
    auto tickets = db_->Prepared(kTickets);
    auto visits = db_->Prepared(kVisits);
    auto callbacks = db_->Prepared(kCallbacks);
    for (auto* prepared : {&customers, &tickets, &visits, &callbacks}) {
      if (!prepared->ok()) return prepared->status();
    }
    std::vector<CallerRecord> callers;
    SqliteStatement& by_mobile = **customers;
    by_mobile.Bind(1, std::string_view(digits));
    by_mobile.Bind(2, int64_t{limits.customers});
    int rc;
    while ((rc = by_mobile.Step()) == SQLITE_ROW) {
      CallerRecord& caller = callers.emplace_back();
      Customer& c = caller.customer;
      by_mobile.Read(0, c.customer_id);
      by_mobile.Read(1, c.name);
      by_mobile.Read(2, c.mobile);
      by_mobile.Read(3, c.branch_id);
      by_mobile.Read(4, c.broker_id);
      by_mobile.Read(5, c.status);
      by_mobile.Read(6, c.risk_level);
      if (by_mobile.IsNull(7)) continue;  // never analysed: no scores
      CustomerScore& score = caller.score.emplace();
      score.customer_id = c.customer_id;
      by_mobile.Read(8, score.tier);
      by_mobile.Read(9, score.churn_risk);
      by_mobile.Read(10, score.churn_reasons);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding the caller"));
    by_mobile.Reset();
    for (CallerRecord& caller : callers) {
      std::string_view id = caller.customer.customer_id;
      FINCRM_RETURN_IF_ERROR(ReadAll(**tickets, id, limits.tickets, caller.open_tickets, ReadTicketRow, "tickets"));
      FINCRM_RETURN_IF_ERROR(ReadAll(**visits, id, limits.visits, caller.open_visits, ReadReturnVisitRow, "visits"));
      FINCRM_RETURN_IF_ERROR(
          ReadAll(**callbacks, id, limits.callbacks, caller.open_callbacks, ReadCallbackRow, "callbacks"));
    }
    return callers;
  }

  template <class T>
  Status ReadAll(SqliteStatement& query, std::string_view customer_id, int limit, std::vector<T>& out,
                 T (*read)(const SqliteStatement&), std::string_view what) {
    query.Bind(1, customer_id);
    query.Bind(2, int64_t{limit});
    int rc;
    while ((rc = query.Step()) == SQLITE_ROW) out.push_back(read(query));
    query.Reset();
    return StepStatus(*db_, rc, "reading the caller's open " + std::string(what));
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<CallerLookup>> OpenCallerLookup(const std::string& location) {
  auto db = SqliteConnection::Open(location);
  if (!db.ok()) return db.status();
  // The main store's page cache: with the module default (2 MiB) the customers' index
  // on a large book is read from the file again and again.
  FINCRM_RETURN_IF_ERROR((*db)->Execute("PRAGMA cache_size=-131072"));
  return std::unique_ptr<CallerLookup>(std::make_unique<SqliteCallerLookup>(std::move(*db)));
}

}  // namespace fincrm
