#include <cstdio>

#include "cli/commands.h"
#include "api/audit_trail.h"
#include "cli/commands.h"
#include "core/field_value.h"
#include "storage/open_store.h"

namespace fincrm {
namespace {

void Line(const char* label, const std::string& value) {
  if (!value.empty()) std::printf("  %-18s %s\n", label, value.c_str());
}

template <class T>
std::string Optional(const std::optional<T>& value) {
  return value ? std::string(FormatFieldValue(*value)) : std::string();
}

std::string Yuan(Money money) { return FormatYuanGrouped(money) + " 元"; }

}  // namespace

int RunCustomer(const std::string& db, const std::string& customer_id, const std::string& audit_key_file) {
  auto key = LoadAuditKey(audit_key_file);
  if (!key.ok()) return Fail(key.status());
  auto store_or = OpenStore(db, {.migrate = true, .create = false});
  if (!store_or.ok()) {
    std::fprintf(stderr, "error: %s\n", store_or.status().ToString().c_str());
    return kExitFailure;
  }
  Store& store = **store_or;
  auto customer_or = store.GetCustomer(customer_id);
  if (!customer_or.ok()) {
    std::fprintf(stderr, "error: %s\n", customer_or.status().ToString().c_str());
    return kExitFailure;
  }
  const Customer& c = *customer_or;
  // Showing personal data is a read that the audit trail records.
  auto audited = RecordAudit(store, CliActor(), "customer.read", c.customer_id, "full profile", "cli",
                             *key ? &**key : nullptr);
  if (!audited.ok()) {
    std::fprintf(stderr, "error: %s\n", audited.status().ToString().c_str());
    return kExitFailure;
  }
  auto household = store.HouseholdOf(customer_id);
  auto accounts = store.AccountsOf(customer_id);
  auto assets = store.LatestAssets(customer_id);
  auto trades = store.RecentTrades(customer_id, 10);
  auto interactions = store.RecentInteractions(customer_id, 10);
  auto score = store.GetCustomerScore(customer_id);
  for (const Status* status : {&household.status(), &accounts.status(), &assets.status(),
                               &trades.status(), &interactions.status(), &score.status()}) {
    if (!status->ok()) {
      std::fprintf(stderr, "error: %s\n", status->ToString().c_str());
      return kExitFailure;
    }
  }

  std::printf("客户 %s  %s\n", c.customer_id.c_str(), c.name.c_str());
  Line("gender", std::string(EnumLabelZh(c.gender)));
  Line("birth date", Optional(c.birth_date));
  Line("ID", std::string(EnumLabelZh(c.id_type)) + " " + c.id_number);
  Line("mobile", c.mobile);
  Line("e-mail", c.email);
  Line("location", c.province + " " + c.city);
  Line("address", c.address);
  Line("occupation", c.occupation);
  Line("income band", c.income_band ? std::string(EnumLabelZh(*c.income_band)) : "");
  Line("opened", FormatDate(c.open_date));
  Line("status", std::string(EnumCode(c.status)) + " (" + std::string(EnumLabelZh(c.status)) + ")");
  Line("risk level", c.risk_level ? std::string(EnumCode(*c.risk_level)) + " " +
                                        std::string(EnumLabelZh(*c.risk_level)) + ", assessed " +
                                        Optional(c.risk_assessed_on)
                                  : "not assessed");
  Line("branch", c.branch_id);
  Line("broker", c.broker_id.empty() ? "(none)" : c.broker_id);

  std::printf("\nScores (客户智能分析)\n");
  if (!score->has_value()) {
    std::printf("  not analysed yet: run fincrm analyze --db %s\n", db.c_str());
  } else {
    const CustomerScore& s = **score;
    char line[256];
    Line("as of", FormatDate(s.as_of) + " (analysis run " + std::to_string(s.run_id) + ")");
    Line("value tier", s.tier.empty() ? "(not a customer on that date)" : s.tier);
    if (s.cluster >= 0) {
      std::string label;
      (void)store.ForEach(std::function<bool(const ClusterRecord&)>([&](const ClusterRecord& cluster) {
        if (cluster.run_id == s.run_id && cluster.cluster == s.cluster) label = cluster.label;
        return label.empty();
      }));
      Line("segment", std::to_string(s.cluster) + (label.empty() ? "" : " — " + label));
    }
    std::snprintf(line, sizeof line, "%.3f", s.value_score);
    Line("value score", line);
    std::snprintf(line, sizeof line, "%s  (last trade %lld days ago, %lld trades and %s yuan commission in 12 months)",
                  s.rfm.c_str(), static_cast<long long>(s.recency_days), static_cast<long long>(s.frequency),
                  FormatYuanGrouped(s.monetary).c_str());
    Line("RFM", line);
    Line("profit, 12 months", Yuan(s.profit) + "  (commission " + Yuan(s.commission) + ", margin interest " +
                                  Yuan(s.margin_interest) + ", product fees " + Yuan(s.product_fee) + ")");
    Line("lifetime value", Yuan(s.lifetime_value));
    std::snprintf(line, sizeof line, "%s, %.1f trades/month, turnover %.1f×/year, holding ~%.0f days%s%s",
                  s.trading_style.c_str(), s.trades_per_month, s.turnover_rate, s.holding_period_days,
                  s.preferred_channel.empty() ? "" : ", prefers ", s.preferred_channel.c_str());
    Line("behaviour", line);
    std::snprintf(line, sizeof line, "%.1f / 100", s.loyalty_index);
    Line("loyalty", line);
    Line("credit grade", s.credit_grade + " — " + s.credit_reasons);
    if (s.churn_risk < 0) {
      Line("churn risk", "no churn model has scored this customer yet");
    } else {
      std::snprintf(line, sizeof line, "%.0f%% within 90 days%s%s", s.churn_risk * 100,
                    s.churn_reasons.empty() ? "" : " — ", s.churn_reasons.c_str());
      Line("churn risk", line);
    }
  }

  std::printf("\nHousehold (家庭成员)\n");
  if (household->empty()) std::printf("  none recorded\n");
  for (const HouseholdMember& m : *household) {
    std::printf("  %-8s %s%s\n", std::string(EnumLabelZh(m.relation)).c_str(),
                m.member_customer_id.empty() ? m.member_name.c_str()
                                             : ("customer " + m.member_customer_id).c_str(),
                m.member_mobile.empty() ? "" : ("  " + m.member_mobile).c_str());
  }

  std::printf("\nAccounts (资金账号)\n");
  for (const Account& a : *accounts) {
    std::printf("  %-14s %-7s opened %s%s\n", a.account_id.c_str(),
                std::string(EnumCode(a.type)).c_str(), FormatDate(a.open_date).c_str(),
                a.close_date ? (", closed " + FormatDate(*a.close_date)).c_str() : "");
  }

  std::printf("\nLatest assets\n");
  if (!assets->has_value()) {
    std::printf("  no snapshot\n");
  } else {
    const AssetSnapshot& s = **assets;
    std::printf("  %s  total %s  (cash %s, stocks %s, funds %s, bonds %s, margin debt %s)\n",
                FormatDate(s.snapshot_date).c_str(), Yuan(s.total_assets).c_str(),
                Yuan(s.cash).c_str(), Yuan(s.stocks).c_str(), Yuan(s.funds).c_str(),
                Yuan(s.bonds).c_str(), Yuan(s.margin_debt).c_str());
  }

  std::printf("\nLast trades\n");
  if (trades->empty()) std::printf("  none\n");
  for (const Trade& t : *trades) {
    std::printf("  %s  %s %-8s %-6s %-4s %10lld @ %s  amount %s  commission %s  via %s\n",
                FormatTimestamp(t.trade_time).c_str(), std::string(EnumCode(t.market)).c_str(),
                t.symbol.c_str(), std::string(EnumCode(t.product_type)).c_str(),
                std::string(EnumCode(t.side)).c_str(), static_cast<long long>(t.quantity),
                FormatFieldValue(t.price).c_str(), Yuan(t.amount).c_str(),
                Yuan(t.commission).c_str(), std::string(EnumCode(t.channel)).c_str());
  }

  std::printf("\nLast interactions\n");
  if (interactions->empty()) std::printf("  none\n");
  for (const Interaction& i : *interactions) {
    std::printf("  %s  %-15s %-8s %-12s %s%s\n", FormatTimestamp(i.occurred_at).c_str(),
                std::string(EnumCode(i.channel)).c_str(), std::string(EnumCode(i.direction)).c_str(),
                std::string(EnumCode(i.type)).c_str(), i.subject.c_str(),
                i.outcome.empty() ? "" : (" → " + i.outcome).c_str());
  }
  return kExitOk;
}

}  // namespace fincrm
