// The row formats of the service modules' tables, shared between each module's store
// and the screen pop's reader (sqlite_caller_lookup.cc), which reads rows of several
// modules in one transaction. Internal to the SQLite backend.
#pragma once

#include <string_view>

#include "core/call_record.h"
#include "core/return_visit.h"
#include "core/ticket.h"
#include "storage/sqlite/sqlite_statement.h"

namespace fincrm {

// The column list that Read…Row expects, in its order.
std::string_view TicketColumns();
Ticket ReadTicketRow(const SqliteStatement& statement);

std::string_view ReturnVisitColumns();
ReturnVisit ReadReturnVisitRow(const SqliteStatement& statement);

std::string_view CallbackColumns();
Callback ReadCallbackRow(const SqliteStatement& statement);

}  // namespace fincrm
