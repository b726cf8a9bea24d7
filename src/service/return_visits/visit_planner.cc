#include "service/return_visits/visit_planner.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace fincrm {
namespace {

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

struct Owner {
  std::string branch_id;
  std::string broker_id;
  Date open_date;
  CustomerStatus status = CustomerStatus::kActive;
  std::optional<Date> risk_assessed_on;
};

}  // namespace

ReturnVisit ComplaintVisit(const Ticket& complaint, const BusinessCalendar& calendar, Timestamp now,
                           const VisitPlanningOptions& options) {
  ReturnVisit visit;
  visit.customer_id = complaint.customer_id;
  visit.branch_id = complaint.branch_id;
  visit.broker_id = complaint.broker_id;
  visit.reason = VisitReason::kComplaint;
  visit.source = "ticket:" + std::to_string(complaint.ticket_id);
  visit.due_on = calendar.AddTradingDays(ShanghaiDate(complaint.sla.resolved_at), options.complaint_trading_days);
  visit.created_at = now;
  return visit;
}

Result<VisitPlanningResult> PlanReturnVisits(Store& store, TicketStore& tickets, ReturnVisitStore& visits,
                                             const BusinessCalendar& calendar, Timestamp now,
                                             const VisitPlanningOptions& options) {
  Date today = ShanghaiDate(now);
  Date since{today.days - options.look_back_days};
  int year;
  unsigned month, day;
  CivilFromDays(today.days, year, month, day);
  Date last_year_end{DaysFromCivil(year - 1, 12, 31)}, year_end{DaysFromCivil(year, 12, 31)};

  std::unordered_map<std::string, Owner> owners;
  FINCRM_RETURN_IF_ERROR(store.ForEach([&](const Customer& c) {
    owners[c.customer_id] = {c.branch_id, c.broker_id, c.open_date, c.status, c.risk_assessed_on};
    return true;
  }));
  std::vector<ReturnVisit> planned;
  auto plan = [&](const std::string& customer_id, VisitReason reason, std::string source, Date due) -> Status {
    auto owner = owners.find(customer_id);
    ReturnVisit visit;
    visit.customer_id = customer_id;
    if (owner != owners.end()) {
      visit.branch_id = owner->second.branch_id;
      visit.broker_id = owner->second.broker_id;
    }
    visit.reason = reason;
    visit.source = std::move(source);
    visit.due_on = due;
    visit.created_at = now;
    planned.push_back(std::move(visit));
    return Status::Ok();
  };

  // New accounts.
  std::vector<Account> opened;
  FINCRM_RETURN_IF_ERROR(store.ForEach([&](const Account& a) {
    if (a.open_date >= since && a.open_date <= today) opened.push_back(a);
    return true;
  }));
  for (const Account& a : opened) {
    FINCRM_RETURN_IF_ERROR(plan(a.customer_id, VisitReason::kNewAccount, a.account_id,
                                Date{a.open_date.days + options.new_account_days}));
  }

  // The yearly sample of last year-end's customers: at least the share, rounded up.
  std::vector<std::pair<uint64_t, const std::string*>> eligible;
  for (const auto& [id, owner] : owners) {
    if (owner.open_date <= last_year_end && owner.status != CustomerStatus::kClosed) {
      eligible.emplace_back(Fnv1a(id + ":" + std::to_string(year)), &id);
    }
  }
  size_t sample = static_cast<size_t>(std::ceil(eligible.size() * options.annual_sample_share));
  std::sort(eligible.begin(), eligible.end());
  for (size_t i = 0; i < sample && i < eligible.size(); ++i) {
    const std::string& id = *eligible[i].second;
    FINCRM_RETURN_IF_ERROR(plan(id, VisitReason::kAnnualSample, std::to_string(year) + ":" + id, year_end));
  }

  // Risk-level changes: an assessment after the opening one.
  for (const auto& [id, owner] : owners) {
    if (!owner.risk_assessed_on || *owner.risk_assessed_on < since || *owner.risk_assessed_on > today ||
        *owner.risk_assessed_on <= owner.open_date) {
      continue;
    }
    FINCRM_RETURN_IF_ERROR(plan(id, VisitReason::kRiskChange, id + ":" + FormatDate(*owner.risk_assessed_on),
                                calendar.AddTradingDays(*owner.risk_assessed_on, options.risk_change_trading_days)));
  }

  // Complaints resolved in the window.
  for (int64_t after = 0;;) {
    TicketQuery query;
    query.after = after;
    query.limit = 5000;
    auto page = tickets.List(query);
    if (!page.ok()) return page.status();
    for (const Ticket& t : *page) {
      if (t.type != TicketType::kComplaint || !t.sla.resolved_at.seconds) continue;
      Date resolved = ShanghaiDate(t.sla.resolved_at);
      if (resolved < since || resolved > today) continue;
      ReturnVisit visit = ComplaintVisit(t, calendar, now, options);
      FINCRM_RETURN_IF_ERROR(plan(visit.customer_id, visit.reason, std::move(visit.source), visit.due_on));
    }
    if (static_cast<int>(page->size()) < query.limit) break;
    after = page->back().ticket_id;
  }

  // High-risk product sales: a customer's option trades of one day are one visit.
  std::vector<std::pair<std::string, Date>> sales;
  FINCRM_RETURN_IF_ERROR(store.ScanTradeFacts([&](const TradeFactRow& t) {
    if (t.product_type != ProductType::kOption) return;
    Date traded = ShanghaiDate(t.trade_time);
    if (traded >= since && traded <= today) sales.emplace_back(std::string(t.customer_id), traded);
  }));
  std::sort(sales.begin(), sales.end());
  sales.erase(std::unique(sales.begin(), sales.end()), sales.end());
  for (const auto& [customer_id, traded] : sales) {
    FINCRM_RETURN_IF_ERROR(plan(customer_id, VisitReason::kHighRiskSale, customer_id + ":" + FormatDate(traded),
                                calendar.AddTradingDays(traded, options.high_risk_trading_days)));
  }
  auto fresh = visits.Plan(planned);
  if (!fresh.ok()) return fresh.status();
  VisitPlanningResult result;
  for (size_t i = 0; i < planned.size(); ++i) {
    if (!(*fresh)[i]) continue;
    ++result.planned;
    ++result.by_reason[static_cast<int>(planned[i].reason)];
  }
  return result;
}

}  // namespace fincrm
