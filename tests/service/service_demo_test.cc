// The demo's service center: calls with their wrap-ups on the customers' timelines,
// missed calls that hold nobody back, tickets whose SLA clocks give a mix of outcomes,
// and a second run that adds nothing.
#include "service/demo/service_demo.h"

#include <gtest/gtest.h>

#include <map>

#include "ingest/demo_data_generator.h"
#include "ingest/row_sink.h"
#include "service/tickets/sla_clock.h"
#include "storage/call_store.h"
#include "storage/open_store.h"
#include "storage/return_visit_store.h"
#include "storage/ticket_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

TEST(ServiceDemoTest, AMonthOfCallsAndTicketsWithPlausibleOutcomes) {
  testing::TempDir dir;
  std::string db = dir.File("demo.db");
  auto store = OpenStore(db);
  ASSERT_TRUE(store.ok());
  {
    auto sink = StoreSink(**store);
    DemoDataOptions options;
    options.customers = 2000;
    ASSERT_TRUE(GenerateDemoData(options, *sink).ok());
  }
  ServiceDemoOptions options;
  options.now = *ParseTimestamp("2026-11-30T18:00:00+08:00");
  auto summary = GenerateServiceDemo(db, **store, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  int64_t reachable = 0;  // customers with a mobile: the callers
  ASSERT_TRUE((*store)->ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
    reachable += !c.mobile.empty();
    return true;
  })).ok());
  EXPECT_EQ(summary->calls, static_cast<int64_t>(reachable * options.calls_per_customer));
  EXPECT_GT(summary->missed_calls, 0);
  EXPECT_LT(summary->missed_calls, 30);
  EXPECT_EQ(summary->tickets, static_cast<int64_t>(reachable * options.tickets_per_customer));
  EXPECT_GT(summary->resolved, summary->tickets / 2);
  EXPECT_GT(summary->breached, 0) << "some late";
  EXPECT_LT(summary->breached, summary->tickets / 2) << "most in time";

  auto calls = OpenCallStore(db);
  ASSERT_TRUE(calls.ok());
  CallQuery query;
  query.limit = 1000;
  auto listed = (*calls)->List(query);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(static_cast<int64_t>(listed->size()), summary->calls);
  std::map<std::string, int> wrapped_by_agent;
  for (const CallRecord& c : *listed) {
    EXPECT_GE(c.started_at, Timestamp{options.now.seconds - 31 * 86400});
    EXPECT_LT(c.ended_at, options.now);
    if (c.state == CallState::kWrappedUp) {
      ++wrapped_by_agent[c.agent];
      EXPECT_FALSE(c.wrap_up_code.empty());
      auto timeline = (*store)->RecentInteractions(c.customer_id, 100);
      ASSERT_TRUE(timeline.ok());
      bool found = false;
      for (const Interaction& i : *timeline) found |= i.interaction_id == "call-" + c.call_id;
      EXPECT_TRUE(found) << c.call_id << " on " << c.customer_id << "'s timeline";
    } else {
      EXPECT_EQ(c.state, CallState::kEnded);
      EXPECT_TRUE(c.agent.empty()) << "a missed call holds nobody back";
    }
  }
  for (const auto& [agent, count] : wrapped_by_agent) {
    auto waiting = (*calls)->AwaitingWrapUp(agent);
    ASSERT_TRUE(waiting.ok());
    EXPECT_TRUE(waiting->empty()) << agent;
  }
  auto tickets = OpenTicketStore(db);
  ASSERT_TRUE(tickets.ok());
  TicketQuery all;
  all.limit = 1000;
  auto stored = (*tickets)->List(all);
  ASSERT_TRUE(stored.ok());
  std::map<TicketState, int> states;
  for (const Ticket& t : *stored) ++states[t.state];
  EXPECT_GT(states[TicketState::kResolved], 0);
  EXPECT_GT(states[TicketState::kOpen] + states[TicketState::kPendingCustomer], 0);

  // Return visits: planned a month ago and worked since, and today's, still due.
  auto visits = OpenReturnVisitStore(db);
  ASSERT_TRUE(visits.ok());
  ReturnVisitQuery every;
  every.limit = 100000;
  auto planned = (*visits)->List(every);
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(static_cast<int64_t>(planned->size()), summary->return_visits);
  std::map<std::string, int> outcomes;
  int open_overdue = 0, open_untried = 0, open_retrying = 0, closed = 0;
  Date today = ShanghaiDate(options.now);
  for (const ReturnVisit& v : *planned) {
    EXPECT_LE(v.attempts, kMaxVisitAttempts);
    if (v.attempts) {
      ++outcomes[v.outcome];
      EXPECT_LT(v.last_attempt_at, options.now);
      EXPECT_GE(v.last_attempt_at, v.created_at);
    }
    if (v.closed) {
      ++closed;
      EXPECT_GE(v.retain_until.days, today.days + 3 * 365 - 31) << "kept three years";
      EXPECT_FALSE(v.closed_by.empty());
    } else {
      open_untried += v.attempts == 0;
      open_retrying += v.attempts > 0;
      open_overdue += v.due_on < today;
    }
  }
  EXPECT_EQ(closed, summary->visits_done);
  EXPECT_GT(outcomes["completed"], outcomes["not_reached"]) << "most reached";
  EXPECT_GT(outcomes["refused"], 0);
  EXPECT_GT(outcomes["not_reached"], 0);
  EXPECT_GT(open_untried, 0);
  EXPECT_GT(open_retrying, 0) << "unanswered, to be tried again";
  EXPECT_GT(open_overdue, 0) << "some late";
  EXPECT_LT(closed, static_cast<int>(planned->size()));

  auto again = GenerateServiceDemo(db, **store, options);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_generated);
  EXPECT_EQ(static_cast<int64_t>((*tickets)->List(all)->size()), summary->tickets) << "nothing added";
}

}  // namespace
}  // namespace fincrm
