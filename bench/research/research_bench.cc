// Research matching and the suitability gate on a demo database (bench/research/run.sh):
//   - a report with the 5 symbols most traded in the last 90 days and the industry of
//     the 6th, matched over the facts in memory (holders from the positions index, 90-day
//     traders, industry concentration) and passed through the gate: best of 5;
//   - the same recipients as one SQL query in SQLite in this process (the peer), and the ratio;
//   - the suitability check for one customer (the store-based gate, as the route uses it).
// Reports the counts so that both sides can be seen to agree.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "bench_support.h"
#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "ingest/demo_data_generator.h"
#include "service/research/research_matcher.h"
#include "service/suitability/suitability_gate.h"
#include "storage/holding_store.h"
#include "storage/open_store.h"
#include "storage/research_store.h"
#include "storage/suitability_store.h"

using namespace fincrm;

namespace {

using bench::Die;
using bench::Must;
using bench::Seconds;

std::string InList(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& v : values) text += (text.empty() ? "'" : ", '") + v + "'";
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: research_bench DB\n");
    return 2;
  }
  std::string db = argv[1];
  auto store = Must(OpenStore(db, {.migrate = true, .create = false}));
  auto research = Must(OpenResearchStore(db));
  auto holdings = Must(OpenHoldingStore(db));
  auto suitability = Must(OpenSuitabilityStore(db));

  auto started = std::chrono::steady_clock::now();
  FactTables facts = Must(FactTables::Load(*store));
  CubeContext context = Must(LoadCubeContext(*store, facts));
  std::printf("facts: %zu customers, %zu trades, loaded in %.1f s\n", facts.customer_count(), facts.trades().size(),
              Seconds(started));
  std::vector<Security> master = Must(research->Securities());
  if (master.empty()) {
    master = DemoSecurityMaster(42);
    if (Status s = research->PutSecurities(master); !s.ok()) Die(s);
  }
  std::map<std::string, std::string> industry_of;
  for (const Security& s : master) industry_of[s.symbol] = s.industry;

  // The busiest stocks of the last 90 days.
  int32_t since_day = facts.last_day() - 90;
  std::vector<int64_t> count(facts.symbols().size(), 0);
  const TradeColumns& t = facts.trades();
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.day[i] >= since_day && t.symbol[i] != kNoCode && KindProduct(t.kind[i]) == ProductType::kStock) ++count[t.symbol[i]];
  }
  std::vector<uint32_t> order(count.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
  ResearchReport report;
  report.report_id = 1;
  report.risk_level = ProductRisk::kR3;
  for (int i = 0; i < 5; ++i) report.symbols.push_back(facts.symbols().Value(order[i]));
  report.industry = industry_of[facts.symbols().Value(order[5])];
  const Date today{facts.last_day() + 1};
  report.embargo_until = report.published_at = ShanghaiTime(today, 9, 0, 0);

  auto holders_probe = Must(holdings->Holders(report.symbols));
  if (holders_probe.empty()) {
    auto rebuilt = std::chrono::steady_clock::now();
    int64_t positions = Must(holdings->RebuildPositions());
    std::printf("positions: %lld derived from the trades in %.1f s (once; the nightly positions job)\n",
                static_cast<long long>(positions), Seconds(rebuilt));
  }
  std::vector<std::string> industry_symbols;
  for (const Security& s : master) {
    if (s.industry == report.industry) industry_symbols.push_back(s.symbol);
  }
  std::printf("report: R3, symbols %s, industry %s (%zu symbols)\n", InList(report.symbols).c_str(),
              report.industry.c_str(), industry_symbols.size());

  SuitabilityRoster roster = Must(SuitabilityRoster::Load(*suitability));
  double best = 1e9, best_holders = 0, best_match = 0;
  ResearchRecipients recipients;
  for (int run = 0; run < 5; ++run) {
    auto begin = std::chrono::steady_clock::now();
    ResearchMatchCriteria criteria;
    criteria.symbols = report.symbols;
    criteria.industry_symbols = industry_symbols;
    criteria.holders = Must(holdings->Holders(report.symbols));
    double holders_s = Seconds(begin);
    criteria.traded_since_day = today.days - 90;
    std::vector<ResearchMatch> matches = MatchResearchAudience(facts, context, criteria);
    double match_s = Seconds(begin) - holders_s;
    recipients = GateResearchAudience(facts, matches, roster, report, today, "bench");
    double total = Seconds(begin);
    if (total < best) {
      best = total;
      best_holders = holders_s;
      best_match = match_s;
    }
  }
  int64_t delivered = 0;
  for (const ResearchDelivery& d : recipients.deliveries) delivered += d.delivered;
  std::printf("fincrm matching: %.3f s (holders %.3f, scan %.3f, gate %.3f) — %zu matched, %lld delivered, %zu blocked\n",
              best, best_holders, best_match, best - best_holders - best_match, recipients.deliveries.size(),
              static_cast<long long>(delivered), recipients.blocked.size());

  // The peer: the same recipients as SQL over the same database.
  sqlite3* peer = nullptr;
  sqlite3_open_v2(db.c_str(), &peer, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_exec(peer, "PRAGMA cache_size = -1048576", nullptr, nullptr, nullptr);
  std::string since = std::to_string(ShanghaiTime(Date{today.days - 90}, 0, 0, 0).seconds);
  std::string valid_since = FormatDate(AddMonths(today, -24));
  std::string sql =
      "SELECT COUNT(*), SUM(risk_level IN ('C3', 'C4', 'C5') AND risk_assessed_on > '" + valid_since +
      "') FROM customers WHERE status != 'closed' AND customer_id IN ("
      " SELECT customer_id FROM positions WHERE symbol IN (" + InList(report.symbols) + ")"
      " UNION SELECT customer_id FROM trades WHERE trade_time >= " + since + " AND symbol IN (" + InList(report.symbols) + ")"
      " UNION SELECT customer_id FROM trades WHERE trade_time >= " + since + " GROUP BY customer_id"
      "   HAVING SUM(CASE WHEN symbol IN (" + InList(industry_symbols) + ") THEN amount ELSE 0 END) * 100 >= 30 * SUM(amount)"
      "   AND SUM(amount) > 0)";
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(peer, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "research_bench: %s\n", sqlite3_errmsg(peer));
    return 1;
  }
  auto begin = std::chrono::steady_clock::now();
  int64_t sql_matched = 0, sql_delivered = 0;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    sql_matched = sqlite3_column_int64(statement, 0);
    sql_delivered = sqlite3_column_int64(statement, 1);
  }
  double sql_s = Seconds(begin);
  sqlite3_finalize(statement);
  sqlite3_close(peer);
  std::printf("sqlite matching: %.3f s — %lld matched, %lld suitable%s\n", sql_s, static_cast<long long>(sql_matched),
              static_cast<long long>(sql_delivered),
              sql_matched == static_cast<int64_t>(recipients.deliveries.size()) && sql_delivered == delivered
                  ? " (the same)"
                  : " (DIFFERENT)");
  std::printf("ratio: fincrm is %.1fx faster than the SQL peer\n", sql_s / best);

  // One customer's suitability check, as the route does it (the store's customer, the
  // newest questionnaire, the professional status; a block is logged).
  SuitabilityGate gate(*store, *suitability);
  std::mt19937 rng(7);
  std::vector<double> micros;
  for (int i = 0; i < 2000; ++i) {
    SuitabilityRequest request;
    request.customer_id = facts.CustomerId(rng() % facts.customer_count());
    request.item_risk = static_cast<ProductRisk>(rng() % 5);
    request.purpose = SuitabilityPurpose::kPromotion;
    request.channel = SuitabilityChannel::kApi;
    request.actor = "bench";
    auto one = std::chrono::steady_clock::now();
    auto checked = gate.Check(request, report.published_at);
    if (!checked.ok()) Die(checked.status());
    micros.push_back(Seconds(one) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  double mean = 0;
  for (double m : micros) mean += m;
  mean /= micros.size();
  std::printf("suitability check, one customer: mean %.0f us, p99 %.0f us (2,000 checks, blocks logged)\n", mean,
              micros[micros.size() * 99 / 100]);
  return 0;
}
