// Next-best actions through the API on the demo brokerage, for customers picked by what
// the demo planted in their data (a high churn risk, a C2 grade, a due return visit):
// the ranking, the reasons and the priority breakdown, the suitability gate on margin
// financing, the contact budget, accept/dismiss feeding back, and the scope.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "api/api_test_support.h"
#include "service/jobs/service_jobs.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};

// The action in any of the answer's three lists, and which list.
std::pair<simdjson::dom::element, std::string> FindAction(const Reply& reply, const std::string& action) {
  for (const char* list : {"actions", "held_out", "ineligible"}) {
    for (auto a : reply.json[list].get_array()) {
      if (Str(a["action"]) == action) return {a, list};
    }
  }
  return {{}, ""};
}

TEST(NbaRoutesTest, RankedReasonedGatedAndLearned) {
  const Date today{DaysFromCivil(2026, 10, 31)};
  g_now = ShanghaiTime(today, 10, 0, 0).seconds;
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.business_clock = [] { return Timestamp{g_now}; }; };
  demo.Start(600);
  ApiClient broker = demo.As("broker"), manager = demo.As("manager"), head_office = demo.As("admin");
  // The whole brokerage's customers (a branch's book on a 600-customer demo has too few churners).
  std::string mine = "SELECT c.customer_id FROM customers c JOIN customer_scores s USING (customer_id) WHERE c.status != 'closed'";

  // The customer most at risk: a retention call, first among the service actions.
  std::string at_risk = QueryFirst(demo.db, mine + " AND s.churn_risk >= 0.5 ORDER BY s.churn_risk DESC LIMIT 1");
  ASSERT_FALSE(at_risk.empty()) << "the demo plants churners";
  Reply risky = head_office.Get("/api/v1/customers/" + at_risk + "/next-best-actions");
  ASSERT_EQ(risky.status, 200) << risky.body;
  auto [retention, list] = FindAction(risky, "retention_call");
  ASSERT_NE(list, "");
  EXPECT_NE(list, "ineligible") << risky.body;
  EXPECT_NE(Str(retention["reason"]).find("流失风险"), std::string::npos);
  for (auto rule : retention["eligibility"].get_array()) EXPECT_TRUE(bool(rule["passed"])) << Str(rule["rule"]);
  auto b = retention["breakdown"];
  double expected = double(b["propensity"]) * double(b["learned"]) * double(b["value_yuan"]) * double(b["weight"]);
  EXPECT_NEAR(double(retention["priority"]), expected, 1e-6 * std::max(1.0, expected));
  EXPECT_LE(risky.json["actions"].get_array().size(), 3u);
  double previous = 1e300;
  for (auto a : risky.json["actions"].get_array()) {
    EXPECT_LE(double(a["priority"]), previous) << "ranked by priority";
    previous = double(a["priority"]);
  }

  // A C2 customer never gets margin financing (R4): the gate's decision is in the trace.
  std::string c2 = QueryFirst(demo.db, mine + " AND c.risk_level = 'C2' AND c.risk_assessed_on > '2024-11-30' LIMIT 1");
  ASSERT_FALSE(c2.empty());
  Reply careful = head_office.Get("/api/v1/customers/" + c2 + "/next-best-actions?limit=25");
  auto [margin, margin_list] = FindAction(careful, "margin_financing");
  EXPECT_EQ(margin_list, "ineligible");
  EXPECT_FALSE(bool(margin["suitability"]["allowed"]));
  EXPECT_EQ(Str(margin["suitability"]["rule"]), "above_tolerance");
  for (auto a : careful.json["actions"].get_array()) EXPECT_NE(Str(a["action"]), "margin_financing");
  Reply blocks = demo.As("compliance").Get("/api/v1/suitability/report?from=2026-10-01&to=2026-10-31");
  bool logged = false;
  for (auto row : blocks.json["blocks"].get_array()) logged |= Str(row["channel"]) == "next_best_action";
  EXPECT_TRUE(logged) << blocks.body;

  // The contact budget: three promotional contacts in 30 days stop the promotional actions.
  for (int i = 0; i < 3; ++i) {
    std::string contact = R"({"channel": "sms", "direction": "outbound", "type": "marketing", "subject": "活动", "occurred_at": ")" +
                          FormatTimestamp(Timestamp{g_now - 86400 * (i + 1)}) + "\"}";
    ASSERT_EQ(head_office.Post("/api/v1/customers/" + c2 + "/interactions", contact).status, 201);
  }
  Reply budgeted = head_office.Get("/api/v1/customers/" + c2 + "/next-best-actions?limit=25");
  EXPECT_EQ(int64_t(budgeted.json["contact_budget"]["contacts_30d"]), 3);
  auto [research, research_list] = FindAction(budgeted, "reactivation");
  ASSERT_EQ(research_list, "ineligible");
  bool budget_failed = false;
  for (auto rule : research["eligibility"].get_array()) {
    if (Str(rule["rule"]) == "contact_budget") budget_failed = !bool(rule["passed"]);
  }
  EXPECT_TRUE(budget_failed);

  // A due return visit (the planning job plants them): the return-visit action.
  Scheduler jobs(demo.db, SchedulerJobs({}, DefaultServiceModules()), "test-runner", [] { return Timestamp{g_now}; });
  ASSERT_TRUE(jobs.RunOnce("return-visit-planning", Timestamp{g_now}).ok());
  std::string visited = QueryFirst(demo.db, "SELECT v.customer_id FROM return_visits v JOIN customers c USING (customer_id) "
                                       "WHERE v.closed = 0 AND v.due_on <= '" + FormatDate(Date{today.days + 3}) +
                                       "' AND c.branch_id = '" + demo.manager_branch + "' LIMIT 1");
  ASSERT_FALSE(visited.empty()) << "the planning job plants visits due now";
  {
    Reply due = manager.Get("/api/v1/customers/" + visited + "/next-best-actions?limit=25");
    auto [visit, visit_list] = FindAction(due, "return_visit");
    EXPECT_NE(visit_list, "ineligible") << due.body;
    EXPECT_TRUE(bool(visit["service"]));
  }

  // Accepting feeds back: (1 + 1) / (1 + 0 + 2) / 0.5 for the next customer too.
  Reply accepted = head_office.Post("/api/v1/customers/" + at_risk + "/next-best-actions/retention_call/accept", R"({"note": "已约回访"})");
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  Reply after = head_office.Get("/api/v1/customers/" + at_risk + "/next-best-actions");
  EXPECT_NEAR(double(FindAction(after, "retention_call").first["breakdown"]["learned"]), 2.0 / 3.0 / 0.5, 1e-9);
  EXPECT_EQ(head_office.Post("/api/v1/customers/" + at_risk + "/next-best-actions/free_lunch/accept", "").status, 404);
  EXPECT_EQ(head_office.Post("/api/v1/customers/" + at_risk + "/next-best-actions/reactivation/dismiss", R"({"why": 1})").status, 422);

  // The worklist: actions across the caller's customers, by priority, in scope only.
  Reply worklist = head_office.Get("/api/v1/next-best-actions?limit=10");
  ASSERT_EQ(worklist.status, 200) << worklist.body;
  ASSERT_GT(worklist.json["items"].get_array().size(), 0u);
  double last = 1e300;
  for (auto item : worklist.json["items"].get_array()) {
    EXPECT_LE(double(item["action"]["priority"]), last);
    last = double(item["action"]["priority"]);
  }
  Reply own = broker.Get("/api/v1/next-best-actions?limit=100");
  ASSERT_EQ(own.status, 200) << own.body;
  for (auto item : own.json["items"].get_array()) {
    EXPECT_EQ(QueryFirst(demo.db, "SELECT broker_id FROM customers WHERE customer_id = '" + Str(item["customer_id"]) + "'"),
              demo.broker_staff);
  }

  // Scope: another branch's customer is not there, nor another broker's for a broker.
  std::string theirs = QueryFirst(demo.db, "SELECT customer_id FROM customers WHERE branch_id != '" + demo.manager_branch + "' LIMIT 1");
  EXPECT_EQ(manager.Get("/api/v1/customers/" + theirs + "/next-best-actions").status, 404);
  std::string not_brokers = QueryFirst(demo.db, "SELECT customer_id FROM customers WHERE broker_id != '" + demo.broker_staff + "' LIMIT 1");
  EXPECT_EQ(broker.Get("/api/v1/customers/" + not_brokers + "/next-best-actions").status, 404);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
