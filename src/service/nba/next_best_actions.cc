#include "service/nba/next_best_actions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/hold_out.h"

namespace fincrm {
namespace {

constexpr int64_t kHighAssetsFen = 50000000;  // ¥500,000
constexpr double kNextTierGap = 0.10;
// Diamond ≥ 0.85, Platinum ≥ 0.70, Gold ≥ 0.55, Silver ≥ 0.35 (analytics/value_ladder.h).
constexpr double kTierFloors[] = {0.0, 0.35, 0.55, 0.70, 0.85};
constexpr const char* kTierNames[] = {"青铜", "白银", "黄金", "铂金", "钻石"};
constexpr const char* kTierCodes[] = {"bronze", "silver", "gold", "platinum", "diamond"};

std::string Yuan(double yuan) {
  char text[32];
  std::snprintf(text, sizeof text, "¥%.0f", yuan);
  return text;
}
std::string Percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", share * 100);
  return text;
}

int TierIndex(const std::string& code) {
  for (int i = 0; i < 5; ++i) {
    if (code == kTierCodes[i]) return i;
  }
  return -1;
}

NbaRule Rule(std::string rule, bool passed, std::string detail) { return {std::move(rule), passed, std::move(detail)}; }

}  // namespace

const std::vector<std::string>& NbaActionCodes() {
  static const std::vector<std::string> codes = {"retention_call",   "return_visit",     "reactivation",
                                                 "margin_financing", "matched_research", "next_tier"};
  return codes;
}

bool NbaHeldOut(const std::string& customer_id, const std::string& action, Date today, int percent) {
  int year;
  unsigned month, day;
  CivilFromDays(today.days, year, month, day);
  std::string key = customer_id + "|" + action + "|" + std::to_string(year * 100 + static_cast<int>(month));
  return HoldOutBucket(key) < percent;
}

NbaResult RankNextBestActions(const NbaFacts& f, const NbaOptions& options) {
  std::vector<NextBestAction> candidates;
  const CustomerScore* score = f.score ? &*f.score : nullptr;
  double profit = score ? static_cast<double>(score->profit.fen) / 100 : 0;
  double value = std::max(profit, 100.0);  // every customer is worth a call's cost
  bool within_budget = f.contacts_30d < options.contact_limit;
  NbaRule budget = Rule("contact_budget", within_budget,
                        std::to_string(f.contacts_30d) + " promotional contacts in 30 days, at most " +
                            std::to_string(options.contact_limit));
  bool active = f.customer.status != CustomerStatus::kClosed;
  NbaRule open = Rule("account_open", active, std::string("status ") + std::string(EnumCode(f.customer.status)));
  auto add = [&](NextBestAction a) { candidates.push_back(std::move(a)); };

  {  // Retention: the live score when rescored, else the nightly one.
    double risk = f.live_churn_risk >= 0 ? f.live_churn_risk : score ? score->churn_risk : -1;
    NextBestAction a{"retention_call", "挽留回访", "", ""};
    a.service = true;
    a.weight = 1.5;
    a.propensity = std::max(risk, 0.0);
    a.value_yuan = score ? std::max(static_cast<double>(score->lifetime_value.fen) / 100, value) : value;
    a.eligibility = {open, Rule("churn_risk", risk >= 0.5, "churn risk " + (risk < 0 ? std::string("not scored") : Percent(risk)) + ", threshold 50%")};
    std::string why = score && !score->churn_reasons.empty() ? score->churn_reasons : "";
    a.reason = "流失风险 " + Percent(std::max(risk, 0.0)) + (why.empty() ? "" : "：" + why);
    a.reason_en = "churn risk " + Percent(std::max(risk, 0.0)) + (why.empty() ? "" : ": " + why);
    add(std::move(a));
  }
  {  // A return visit the rules require.
    NextBestAction a{"return_visit", "到期回访", "", ""};
    a.service = true;
    a.weight = 2.0;
    a.propensity = 0.9;
    a.value_yuan = value;
    const ReturnVisit* due = nullptr;
    for (const ReturnVisit& v : f.open_visits) {
      if (!v.closed && v.due_on.days <= f.today.days + 3 && (!due || v.due_on < due->due_on)) due = &v;
    }
    a.eligibility = {open, Rule("visit_due", due != nullptr,
                                due ? std::string(EnumCode(due->reason)) + " visit due " + FormatDate(due->due_on)
                                    : "no visit due within 3 days")};
    if (due) {
      bool overdue = due->due_on < f.today;
      a.reason = std::string(EnumLabelZh(due->reason)) + (overdue ? "已逾期（应于 " : "将于 ") + FormatDate(due->due_on) +
                 (overdue ? "）" : " 到期");
      a.reason_en = std::string(EnumCode(due->reason)) + " visit " + (overdue ? "overdue since " : "due ") + FormatDate(due->due_on);
    }
    add(std::move(a));
  }
  int32_t idle_days = f.last_trade_day == INT32_MIN ? 100000 : f.today.days - f.last_trade_day;
  int tier = score ? TierIndex(score->tier) : -1;
  {
    NextBestAction a{"reactivation", "休眠激活", "", ""};
    a.weight = 1.2;
    a.propensity = 0.3;
    a.value_yuan = std::max(value, static_cast<double>(f.latest_assets_fen) / 100 * 0.002);  // a year's commission on the assets
    bool high_value = tier >= 2 || f.latest_assets_fen >= kHighAssetsFen;
    a.eligibility = {open, Rule("dormant", idle_days >= 90, "last trade " + std::to_string(idle_days) + " days ago, threshold 90"),
                     Rule("high_value", high_value, "tier " + (tier >= 0 ? std::string(kTierCodes[tier]) : "none") +
                                                        ", assets " + Yuan(f.latest_assets_fen / 100.0)),
                     budget};
    a.reason = std::to_string(idle_days) + " 天未交易，资产 " + Yuan(f.latest_assets_fen / 100.0) +
               (tier >= 0 ? "，" + std::string(kTierNames[tier]) + "客户" : "");
    a.reason_en = "no trade for " + std::to_string(idle_days) + " days, assets " + Yuan(f.latest_assets_fen / 100.0);
    add(std::move(a));
  }
  {
    NextBestAction a{"margin_financing", "融资融券开通", "", ""};
    a.weight = 1.0;
    a.propensity = score && score->trades_per_month >= 4 ? 0.3 : 0.15;
    a.value_yuan = std::max(value, static_cast<double>(f.latest_assets_fen) / 100 * 0.3 * 0.06);  // interest on 30% drawn
    std::string grade = score ? score->credit_grade : "";
    bool tenure = f.customer.open_date.days <= f.today.days - 182;
    bool no_margin = !score || score->margin_interest.fen == 0;
    a.suitability = f.margin_suitability;
    bool suitable = f.margin_suitability && f.margin_suitability->allowed;
    a.eligibility = {open,
                     Rule("credit_grade", grade == "A" || grade == "B", "credit grade " + (grade.empty() ? "none" : grade) + ", A or B"),
                     Rule("no_margin_in_use", no_margin, no_margin ? "no margin interest in 12 months" : "already uses margin"),
                     Rule("assets", f.latest_assets_fen >= kHighAssetsFen, "assets " + Yuan(f.latest_assets_fen / 100.0) + ", at least ¥500,000"),
                     Rule("tenure", tenure, "account opened " + FormatDate(f.customer.open_date) + ", at least 6 months"),
                     Rule("suitability", suitable,
                          f.margin_suitability ? f.margin_suitability->rule + ": " + f.margin_suitability->message : "not checked"),
                     budget};
    a.reason = "信用等级 " + (grade.empty() ? "—" : grade) + "，资产 " + Yuan(f.latest_assets_fen / 100.0) + "，适当性匹配 R4";
    a.reason_en = "credit grade " + (grade.empty() ? "-" : grade) + ", assets " + Yuan(f.latest_assets_fen / 100.0) + ", suitable for R4";
    add(std::move(a));
  }
  {
    NextBestAction a{"matched_research", "研报解读", "", ""};
    a.weight = 0.8;
    a.propensity = 0.4;
    a.value_yuan = value;
    const ResearchReport* report = f.unread_research.empty() ? nullptr : &f.unread_research.front();
    a.eligibility = {open, Rule("unread_report", report != nullptr,
                                report ? "report " + std::to_string(report->report_id) + " delivered, unread" : "no unread report"),
                     budget};
    if (report) {
      a.reason = "已推送未阅读的研究报告《" + report->title + "》";
      a.reason_en = "unread research report " + std::to_string(report->report_id) + ": " + report->title;
    }
    add(std::move(a));
  }
  {
    NextBestAction a{"next_tier", "升级引导", "", ""};
    a.weight = 0.6;
    a.value_yuan = value;
    double s = score ? score->value_score : 0;
    double gap = tier >= 0 && tier < 4 ? kTierFloors[tier + 1] - s : 1;
    a.propensity = std::clamp(0.5 * (1 - gap / kNextTierGap), 0.0, 0.5);
    char detail[96];
    std::snprintf(detail, sizeof detail, "value score %.3f, next tier at %.2f", s, tier >= 0 && tier < 4 ? kTierFloors[tier + 1] : 1.0);
    a.eligibility = {open, Rule("near_next_tier", tier >= 0 && tier < 4 && gap <= kNextTierGap, detail), budget};
    if (tier >= 0 && tier < 4) {
      char zh[160], en[160];
      std::snprintf(zh, sizeof zh, "价值分 %.3f，距%s客户仅差 %.3f", s, kTierNames[tier + 1], gap);
      std::snprintf(en, sizeof en, "value score %.3f, %.3f short of %s", s, gap, kTierCodes[tier + 1]);
      a.reason = zh;
      a.reason_en = en;
    }
    add(std::move(a));
  }

  NbaResult result;
  result.contacts_30d = f.contacts_30d;
  result.contact_limit = options.contact_limit;
  for (NextBestAction& a : candidates) {
    a.eligible = std::all_of(a.eligibility.begin(), a.eligibility.end(), [](const NbaRule& r) { return r.passed; });
    auto seen = f.acceptance.find(a.action);
    if (seen != f.acceptance.end()) {
      // Laplace-smoothed acceptance against the neutral 1/2: twice as likely to be taken up → ×2.
      a.learned = (seen->second.accepted + 1.0) / (seen->second.accepted + seen->second.dismissed + 2.0) / 0.5;
    }
    a.priority = a.propensity * a.learned * a.value_yuan * a.weight;
    a.held_out = a.eligible && NbaHeldOut(f.customer.customer_id, a.action, f.today, options.hold_out_percent);
    (a.eligible ? (a.held_out ? result.held_out : result.actions) : result.ineligible).push_back(std::move(a));
  }
  auto by_priority = [](const NextBestAction& x, const NextBestAction& y) { return x.priority > y.priority; };
  std::stable_sort(result.actions.begin(), result.actions.end(), by_priority);
  if (static_cast<int>(result.actions.size()) > options.limit) result.actions.resize(options.limit);
  return result;
}

}  // namespace fincrm
