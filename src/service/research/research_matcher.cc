#include "service/research/research_matcher.h"

#include <algorithm>
#include <thread>

namespace fincrm {
namespace {

// The dictionary codes of the symbols the facts know (unknown ones match nothing).
std::vector<uint8_t> SymbolMask(const FactTables& facts, const std::vector<std::string>& symbols) {
  std::vector<uint8_t> mask(facts.symbols().size(), 0);
  for (const std::string& symbol : symbols) {
    if (auto code = facts.symbols().Find(symbol)) mask[*code] = 1;
  }
  return mask;
}

}  // namespace

std::string MatchReasonText(uint8_t reasons) {
  std::string text;
  if (reasons & kMatchHolds) text += "holds";
  if (reasons & kMatchTraded) text += text.empty() ? "traded" : ",traded";
  if (reasons & kMatchIndustry) text += text.empty() ? "industry" : ",industry";
  return text;
}

std::vector<ResearchMatch> MatchResearchAudience(const FactTables& facts, const CubeContext& context,
                                                 const ResearchMatchCriteria& criteria) {
  size_t customers = facts.customer_count();
  std::vector<uint8_t> reasons(customers, 0);
  for (const std::string& id : criteria.holders) {
    if (auto index = facts.CustomerIndex(id)) reasons[*index] |= kMatchHolds;
  }
  std::vector<uint8_t> report_symbols = SymbolMask(facts, criteria.symbols);
  std::vector<uint8_t> industry_symbols = SymbolMask(facts, criteria.industry_symbols);
  bool by_industry = !criteria.industry_symbols.empty();
  // Each thread takes a range of trades; customers' amounts are summed per thread
  // (a customer's trades may straddle two ranges) and merged after.
  const TradeColumns& t = facts.trades();
  int threads = std::max(1, criteria.threads);
  struct Partial {
    std::vector<uint8_t> traded;
    std::vector<int64_t> total, industry;
  };
  std::vector<Partial> partials(threads);
  auto scan = [&](int part) {
    Partial& p = partials[part];
    p.traded.assign(customers, 0);
    if (by_industry) {
      p.total.assign(customers, 0);
      p.industry.assign(customers, 0);
    }
    size_t begin = t.size() * part / threads, end = t.size() * (part + 1) / threads;
    for (size_t i = begin; i < end; ++i) {
      if (t.day[i] < criteria.traded_since_day) continue;
      uint32_t symbol = t.symbol[i], customer = t.customer[i];
      if (symbol == kNoCode) continue;
      p.traded[customer] |= report_symbols[symbol];
      if (by_industry) {
        p.total[customer] += t.amount[i];
        if (industry_symbols[symbol]) p.industry[customer] += t.amount[i];
      }
    }
  };
  std::vector<std::thread> workers;
  for (int part = 1; part < threads; ++part) workers.emplace_back(scan, part);
  scan(0);
  for (std::thread& w : workers) w.join();
  std::vector<ResearchMatch> matches;
  for (uint32_t c = 0; c < customers; ++c) {
    uint8_t r = reasons[c];
    int64_t total = 0, industry = 0;
    for (const Partial& p : partials) {
      if (p.traded[c]) r |= kMatchTraded;
      if (by_industry) {
        total += p.total[c];
        industry += p.industry[c];
      }
    }
    if (total > 0 && industry * 100 >= criteria.industry_percent * total) {
      r |= kMatchIndustry;
    }
    if (!r) continue;
    if (facts.Attributes(c).status == CustomerStatus::kClosed) continue;
    if (criteria.min_tier >= 0) {
      int tier = c < context.tier.size() ? context.tier[c] : -1;
      if (tier < criteria.min_tier) continue;
    }
    matches.push_back({c, r});
  }
  return matches;
}

ResearchRecipients GateResearchAudience(const FactTables& facts, const std::vector<ResearchMatch>& matches,
                                        const SuitabilityRoster& roster, const ResearchReport& report, Date today,
                                        const std::string& actor) {
  ResearchRecipients out;
  out.deliveries.reserve(matches.size());
  std::string item_id = std::to_string(report.report_id);
  for (const ResearchMatch& m : matches) {
    const CustomerAttributes& a = facts.Attributes(m.customer);
    const std::string& id = facts.CustomerId(m.customer);
    std::optional<RiskLevel> level;
    if (a.risk_level != kNoRiskLevel) level = static_cast<RiskLevel>(a.risk_level);
    std::optional<Date> assessed;
    if (a.risk_assessed_day != kNoDay) assessed = Date{a.risk_assessed_day};
    InvestorStanding standing = roster.Standing(id, level, assessed, today);
    SuitabilityRuling ruling = RuleSuitability(standing, report.risk_level, SuitabilityPurpose::kPromotion);
    ResearchDelivery& d = out.deliveries.emplace_back();
    d.report_id = report.report_id;
    d.customer_id = id;
    d.delivered = ruling.allowed;
    d.rule = std::string(ruling.rule);
    d.reason = MatchReasonText(m.reasons);
    d.visible_at = report.embargo_until;
    if (!ruling.allowed) {
      std::string branch = a.branch == kNoCode ? "" : facts.branches().Value(a.branch);
      out.blocked.push_back({report.published_at, id, std::move(branch), "research", item_id, report.risk_level,
                             SuitabilityPurpose::kPromotion, SuitabilityChannel::kResearch, d.rule, false, actor});
    }
  }
  return out;
}

}  // namespace fincrm
