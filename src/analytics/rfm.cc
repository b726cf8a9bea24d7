#include "analytics/rfm.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace fincrm {
namespace {

// Quintile scores 1 + ⌊5 × (values strictly below) / n⌋ from one sort.
void Score(const std::vector<int64_t>& values, std::vector<RfmRow>& rows, uint8_t RfmRow::*field) {
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    double below = std::lower_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin();
    rows[i].*field = static_cast<uint8_t>(std::min(5.0, 1 + std::floor(5 * below / n)));
  }
}

}  // namespace

std::vector<RfmRow> ComputeRfm(const FactTables& facts, Date as_of, const MetricsConfig& config, int threads) {
  const size_t n = facts.customer_count();
  const int32_t end = as_of.days, start = end - config.window_days + 1;
  const TradeColumns& t = facts.trades();
  threads = std::max(1, threads);
  // Each thread folds a slice of the trades into its own per-customer arrays.
  struct Partial {
    std::vector<int32_t> last;
    std::vector<int32_t> count;
    std::vector<int64_t> commission;
  };
  std::vector<Partial> partials(threads);
  auto fold = [&](int part) {
    Partial& p = partials[part];
    p.last.assign(n, kNoDay);
    p.count.assign(n, 0);
    p.commission.assign(n, 0);
    size_t begin = t.size() * part / threads, stop = t.size() * (part + 1) / threads;
    for (size_t i = begin; i < stop; ++i) {
      int32_t day = t.day[i];
      if (day > end) continue;
      uint32_t c = t.customer[i];
      p.last[c] = std::max(p.last[c], day);
      bool in_window = day >= start;
      p.count[c] += in_window;
      p.commission[c] += in_window ? t.commission[i] : 0;
    }
  };
  std::vector<std::thread> workers;
  for (int part = 1; part < threads; ++part) workers.emplace_back(fold, part);
  fold(0);
  for (std::thread& w : workers) w.join();

  std::vector<RfmRow> rows(n);
  std::vector<int64_t> recency(n), frequency(n), monetary(n);
  for (size_t c = 0; c < n; ++c) {
    int32_t last = kNoDay;
    int64_t count = 0, commission = 0;
    for (const Partial& p : partials) {
      last = std::max(last, p.last[c]);
      count += p.count[c];
      commission += p.commission[c];
    }
    RfmRow& row = rows[c];
    row.recency_days = last == kNoDay ? 9999 : end - last;
    row.frequency = static_cast<int32_t>(count);
    row.monetary_fen = commission;
    row.profit_fen = commission;
    recency[c] = -row.recency_days;
    frequency[c] = count;
    monetary[c] = commission;
  }
  // Margin interest and fund fees from month-end snapshots, as in ComputeCustomerMetrics.
  if (facts.assets().size() > 0) {
    std::vector<CustomerMetrics> full = ComputeCustomerMetrics(facts, as_of, config);
    for (size_t c = 0; c < n; ++c) rows[c].profit_fen = full[c].profit_fen;
  }
  Score(recency, rows, &RfmRow::r);
  Score(frequency, rows, &RfmRow::f);
  Score(monetary, rows, &RfmRow::m);
  return rows;
}

}  // namespace fincrm
