// Generates a realistic, deterministic brokerage for demos, tests and benchmarks.
//
// The same options give the same rows, byte for byte, on any machine: every customer
// draws from its own random stream derived from (seed, customer number), so the
// output does not depend on threading. What the generator plants (Pareto assets,
// power-law trading, a churn process with declining activity, outflows, complaints
// and fewer logins) is documented in docs/demo-data.md; the analytics must find it.
#pragma once

#include <cstdint>
#include <functional>

#include "core/business_calendar.h"
#include "core/date_time.h"
#include "core/research.h"
#include "ingest/row_sink.h"

namespace fincrm {

struct DemoDataOptions {
  int64_t customers = 10000;
  uint64_t seed = 42;
  // The last day of the generated history; fixed by default so that output does not
  // depend on the day it is generated.
  Date end_date = Date{DaysFromCivil(2026, 10, 30)};
  int months = 24;
  int daily_snapshot_days = 20;  // trading days of daily snapshots at the end
  // Trades and snapshots fall on its trading days: the business calendar the
  // brokerage imports (`fincrm demo-data --calendar`, data/calendar/). The default,
  // Monday to Friday, has no holidays.
  BusinessCalendar calendar;
  // Called about every 1% of customers with (customers done, total).
  std::function<void(int64_t, int64_t)> on_progress;
};

struct DemoDataSummary {
  int64_t branches = 0, staff = 0, products = 0, customers = 0, households = 0, accounts = 0,
          assets = 0, trades = 0, interactions = 0;
  int64_t planted_churners = 0;  // customers given the churn process
  double seconds = 0;
};

// Writes everything into `sink` in referential order and finishes it.
// InvalidArgument for nonsensical options; otherwise the sink's errors.
// The demo's security master: every symbol the generator trades, named by its type and
// code, stocks with a Shenwan industry chosen by their code.
std::vector<Security> DemoSecurityMaster(uint64_t seed);

Result<DemoDataSummary> GenerateDemoData(const DemoDataOptions& options, RowSink& sink);

}  // namespace fincrm
