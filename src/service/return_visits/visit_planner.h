// Return-visit planning (回访计划): the rules that turn accounts, customers, tickets and
// trades into return visits, each planned once (by reason and source), so that the
// daily job can run any number of times.
//
// - new_account: every account opened in the look-back window, due `new_account_days`
//   calendar days after it opened (the CSRC expects new accounts visited within a
//   month);
// - annual_sample: of the customers open at the last year-end and not closed, the
//   `annual_sample_share` (at least 10%) with the smallest hash of id and year — a
//   sample no one can steer, the same however often it is drawn — due by the year's end;
// - complaint: every complaint ticket resolved in the window, due N trading days after;
// - risk_change: a risk assessment in the window later than the account opening, due
//   N trading days after;
// - high_risk_sale: a day's option trades of a customer in the window, due N trading
//   days after.
#pragma once

#include "core/business_calendar.h"
#include "core/status.h"
#include "storage/return_visit_store.h"
#include "storage/store.h"
#include "storage/ticket_store.h"

namespace fincrm {

struct VisitPlanningOptions {
  int look_back_days = 62;  // events older than this are not planned (again)
  int new_account_days = 30;
  double annual_sample_share = 0.10;
  int complaint_trading_days = 5;
  int risk_change_trading_days = 5;
  int high_risk_trading_days = 5;
};

struct VisitPlanningResult {
  int64_t planned = 0;  // new visits
  int64_t by_reason[5] = {};
};

// The visit a resolved complaint ticket requires (planned by the daily pass, and at
// once when the ticket is resolved; the same reason and source, so planned once).
ReturnVisit ComplaintVisit(const Ticket& complaint, const BusinessCalendar& calendar, Timestamp now,
                           const VisitPlanningOptions& options = {});

Result<VisitPlanningResult> PlanReturnVisits(Store& store, TicketStore& tickets, ReturnVisitStore& visits,
                                             const BusinessCalendar& calendar, Timestamp now,
                                             const VisitPlanningOptions& options = {});

}  // namespace fincrm
