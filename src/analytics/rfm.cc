#include "analytics/rfm.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace fincrm {
namespace {

// Quintile scores 1 + ⌊5 × (values strictly below) / n⌋ without a full sort: with s
// the sorted values, below(v) ≥ k exactly when v > s[k − 1], so four order
// statistics (found by nth_element, linear time) decide every score.
void Score(std::vector<int64_t> values, std::vector<RfmRow>& rows, uint8_t RfmRow::*field) {
  const size_t n = values.size();
  if (n == 0) return;
  std::vector<int64_t> scratch = values;
  int64_t threshold[4];
  bool active[4];
  for (int q = 1; q <= 4; ++q) {
    size_t k = (static_cast<size_t>(q) * n + 4) / 5;  // ⌈q n / 5⌉
    active[q - 1] = k >= 1;
    if (!active[q - 1]) continue;
    std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end());
    threshold[q - 1] = scratch[k - 1];
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t score = 1;
    for (int q = 0; q < 4; ++q) score += active[q] && values[i] > threshold[q];
    rows[i].*field = score;
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
  if (facts.assets().size() > 0) {
    std::vector<AssetIncome> income = ComputeAssetIncome(facts, as_of, config);
    for (size_t c = 0; c < n; ++c) rows[c].profit_fen += income[c].margin_interest_fen + income[c].product_fee_fen;
  }
  Score(recency, rows, &RfmRow::r);
  Score(frequency, rows, &RfmRow::f);
  Score(monetary, rows, &RfmRow::m);
  return rows;
}

}  // namespace fincrm
