// RFM and profit contribution for every customer in one streaming pass: the fast
// path for lists and dashboards that need only these columns (the full profile is
// ComputeCustomerMetrics). Quintile scores as in customer_metrics.h.
#pragma once

#include <vector>

#include "analytics/customer_metrics.h"

namespace fincrm {

struct RfmRow {
  int32_t recency_days = 9999;
  int32_t frequency = 0;
  int64_t monetary_fen = 0;  // commission in the window
  int64_t profit_fen = 0;    // commission + margin interest + product fees
  uint8_t r = 1, f = 1, m = 1;
};

// As of the end of `as_of`, over `config.window_days`. Uses `threads` threads.
std::vector<RfmRow> ComputeRfm(const FactTables& facts, Date as_of, const MetricsConfig& config = {}, int threads = 2);

}  // namespace fincrm
