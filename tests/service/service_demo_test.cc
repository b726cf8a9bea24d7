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

  auto again = GenerateServiceDemo(db, **store, options);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_generated);
  EXPECT_EQ(static_cast<int64_t>((*tickets)->List(all)->size()), summary->tickets) << "nothing added";
}

}  // namespace
}  // namespace fincrm
