// `fincrm suitability check|report`: the same gate and report as the API's, for the
// counter's scripts and for compliance without the console.
#include <cstdio>

#include "cli/commands.h"
#include "service/suitability/suitability_gate.h"
#include "storage/open_store.h"
#include "storage/suitability_store.h"

namespace fincrm {

constexpr int kExitBlocked = 4;

int RunSuitabilityCheck(const SuitabilityArgs& args) {
  auto risk = ParseEnum<ProductRisk>(args.risk_level);
  if (!risk) return Fail(InvalidArgument("expected " + EnumChoices<ProductRisk>(), "risk"));
  auto purpose = ParseEnum<SuitabilityPurpose>(args.purpose);
  if (!purpose) return Fail(InvalidArgument("expected " + EnumChoices<SuitabilityPurpose>(), "purpose"));
  auto store = OpenStore(args.db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto records = OpenSuitabilityStore(args.db);
  if (!records.ok()) return Fail(records.status());
  SuitabilityOptions options;
  options.validity_months = args.validity_months;
  SuitabilityGate gate(**store, **records, options);
  SuitabilityRequest request{args.customer_id, "product", args.item_id, *risk, *purpose, SuitabilityChannel::kCounter, "cli"};
  auto checked = gate.Check(request, CurrentTime());
  if (!checked.ok()) return Fail(checked.status());
  const SuitabilityDecision& d = checked->decision;
  const InvestorStanding& s = checked->standing;
  std::printf("%s: %s (rule %s)\n%s\n", d.allowed ? "allowed" : "blocked", d.message.c_str(), d.rule.c_str(),
              d.message_zh.c_str());
  std::printf("customer %s: %s%s%s, valid until %s%s\n", args.customer_id.c_str(),
              s.category ? std::string(EnumCode(*s.category)).c_str() : "not assessed",
              s.lowest_category ? " (lowest category)" : "", s.professional ? ", professional investor" : "",
              s.category ? FormatDate(s.valid_until).c_str() : "-", s.expired ? " (expired)" : "");
  return d.allowed ? kExitOk : kExitBlocked;
}

int RunSuitabilityReport(const SuitabilityArgs& args) {
  Date today = ShanghaiDate(CurrentTime());
  int year;
  unsigned month, day;
  CivilFromDays(today.days, year, month, day);
  Date from{DaysFromCivil(year, month, 1)}, to = today;
  for (auto [text, date, field] : {std::tuple{&args.from, &from, "from"}, {&args.to, &to, "to"}}) {
    if (text->empty()) continue;
    auto parsed = ParseDate(*text);
    if (!parsed.ok()) return Fail(InvalidArgument(parsed.status().message(), field));
    *date = *parsed;
  }
  auto records = OpenSuitabilityStore(args.db);
  if (!records.ok()) return Fail(records.status());
  SuitabilityOptions options;
  options.validity_months = args.validity_months;
  SuitabilityReportQuery query;
  query.from = ShanghaiTime(from, 0, 0, 0);
  query.to = ShanghaiTime(Date{to.days + 1}, 0, 0, 0);
  query.today = today;
  query.expired_before = AddMonths(today, -options.validity_months);
  query.expiring_before = AddMonths(Date{today.days + 30}, -options.validity_months);
  auto report = (*records)->Report(query);
  if (!report.ok()) return Fail(report.status());
  std::printf("suitability %s to %s: %lld blocked, %lld overrides, %lld questionnaires (%lld lowest category)\n",
              FormatDate(from).c_str(), FormatDate(to).c_str(), static_cast<long long>(report->blocked),
              static_cast<long long>(report->overrides), static_cast<long long>(report->assessments),
              static_cast<long long>(report->lowest_category_assessments));
  for (const SuitabilityBlockCount& b : report->blocks) {
    std::printf("  blocked  %-18s %-22s %lld\n", std::string(EnumCode(b.channel)).c_str(), b.rule.c_str(),
                static_cast<long long>(b.count));
  }
  std::printf("grades today: %lld never assessed, %lld expired, %lld expiring within 30 days, %lld professional investors\n",
              static_cast<long long>(report->never_assessed), static_cast<long long>(report->expired),
              static_cast<long long>(report->expiring_within_month),
              static_cast<long long>(report->professional_investors));
  return kExitOk;
}

}  // namespace fincrm
