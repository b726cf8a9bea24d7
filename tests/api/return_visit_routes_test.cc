// Return visits on the demo brokerage: the planning job (as `fincrm jobs run-once`
// runs it) gives every account opened last month a visit and draws the yearly sample;
// the routes list them in the caller's scope, record attempts and report quotas.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>

#include "api/api_test_support.h"
#include "service/jobs/service_jobs.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};

TEST(ReturnVisitRoutesTest, PlanningListsAttemptsAndQuotas) {
  DemoServer demo;
  demo.adjust = [](ApiServerOptions& options) { options.business_clock = [] { return Timestamp{g_now}; }; };
  demo.Start(600);
  // The clock: 20 days into the month after the newest account's.
  std::vector<Account> accounts;
  std::map<std::string, Customer> customers;
  {
    auto store = OpenStore(demo.db, {.migrate = false, .create = false});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ForEach(std::function<bool(const Account&)>([&](const Account& a) {
      accounts.push_back(a);
      return true;
    })).ok());
    ASSERT_TRUE((*store)->ForEach(std::function<bool(const Customer&)>([&](const Customer& c) {
      customers[c.customer_id] = c;
      return true;
    })).ok());
  }
  Date newest{0};
  for (const Account& a : accounts) newest = std::max(newest, a.open_date);
  int year;
  unsigned month, day;
  CivilFromDays(newest.days, year, month, day);
  int next_year = month == 12 ? year + 1 : year;
  unsigned next_month = month == 12 ? 1 : month + 1;
  g_now = ShanghaiTime(Date{DaysFromCivil(next_year, next_month, 20)}, 10, 0, 0).seconds;
  Date last_month_start{DaysFromCivil(year, month, 1)}, this_month_start{DaysFromCivil(next_year, next_month, 1)};

  Scheduler jobs(demo.db, SchedulerJobs({}, DefaultServiceModules()), "test-runner", [] { return Timestamp{g_now}; });
  auto run = jobs.RunOnce("return-visit-planning", Timestamp{g_now});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->outcome, "ok") << run->message;
  EXPECT_GT(run->rows_touched, 0);
  auto again = jobs.RunOnce("return-visit-planning", Timestamp{g_now});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rows_touched, 0) << "planning twice plans nothing new: " << again->message;

  ApiClient admin = demo.As("admin"), manager = demo.As("manager"), broker = demo.As("broker");
  auto all_visits = [&](ApiClient& client, const std::string& filter) {
    std::vector<std::map<std::string, std::string>> visits;
    std::string after;
    for (int page = 0; page < 1000; ++page) {
      Reply reply = client.Get("/api/v1/return-visits?limit=1000" + filter + (after.empty() ? "" : "&after=" + after));
      EXPECT_EQ(reply.status, 200) << reply.body;
      if (reply.status != 200) break;
      for (auto v : reply.json["items"].get_array()) {
        visits.push_back({{"id", std::to_string(int64_t(v["visit_id"]))}, {"customer", Str(v["customer_id"])},
                          {"branch", Str(v["branch_id"])}, {"broker", Str(v["broker_id"])}, {"reason", Str(v["reason"])},
                          {"source", Str(v["source"])}, {"status", Str(v["status"])}, {"due_on", Str(v["due_on"])}});
      }
      if (reply.json["next_after"].is_null()) break;
      after = std::to_string(int64_t(reply.json["next_after"]));
    }
    return visits;
  };
  auto everything = all_visits(admin, "");
  std::set<std::string> new_account_sources;
  int64_t sampled = 0;
  for (const auto& v : everything) {
    if (v.at("reason") == "new_account") new_account_sources.insert(v.at("source"));
    sampled += v.at("reason") == "annual_sample";
  }
  int opened_last_month = 0;
  for (const Account& a : accounts) {
    if (a.open_date >= last_month_start && a.open_date < this_month_start) {
      ++opened_last_month;
      EXPECT_TRUE(new_account_sources.count(a.account_id)) << "account " << a.account_id << " opened last month";
    }
  }
  EXPECT_GT(opened_last_month, 0);
  // At least 10% of last year-end's customers (those open then and not closed).
  Date last_year_end{DaysFromCivil(next_year - 1, 12, 31)};
  int64_t eligible = 0;
  for (const auto& [id, c] : customers) eligible += c.open_date <= last_year_end && c.status != CustomerStatus::kClosed;
  EXPECT_GE(sampled * 10, eligible);
  EXPECT_LE(sampled * 10, eligible + 10);

  // Scopes.
  auto managers = all_visits(manager, "");
  ASSERT_FALSE(managers.empty());
  for (const auto& v : managers) EXPECT_EQ(v.at("branch"), demo.manager_branch);
  for (const auto& v : all_visits(manager, "&status=due")) EXPECT_EQ(v.at("status"), "due");
  // The attempts below are the head office's call center's, on open visits.
  std::vector<std::map<std::string, std::string>> open = all_visits(admin, "&status=due");
  ASSERT_GE(open.size(), 3u);
  for (const auto& v : all_visits(broker, "")) EXPECT_EQ(v.at("broker"), demo.broker_staff);
  EXPECT_EQ(demo.As("research").Get("/api/v1/return-visits").status, 403);

  // Attempts: not reached leaves it open; completed closes it with three years' retention.
  std::string id = open[0].at("id");
  Reply first = admin.Patch("/api/v1/return-visits/" + id, R"({"outcome":"not_reached","notes":"无人接听"})");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(int64_t(first.json["attempts"]), 1);
  EXPECT_EQ(Str(first.json["status"]), "due");
  Reply done = admin.Patch("/api/v1/return-visits/" + id,
                             R"({"outcome":"completed","script_version":"new-account-v3","notes":"客户确认已知晓风险"})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Str(done.json["status"]), "done");
  EXPECT_EQ(Str(done.json["closed_by"]), "admin");
  EXPECT_EQ(Str(done.json["script_version"]), "new-account-v3");
  EXPECT_EQ(Str(done.json["retain_until"]).substr(0, 4), std::to_string(next_year + 3));
  EXPECT_EQ(admin.Patch("/api/v1/return-visits/" + id, R"({"outcome":"completed"})").status, 409);
  bool listed_done = false;
  for (const auto& v : all_visits(admin, "&status=done")) listed_done |= v.at("id") == id;
  EXPECT_TRUE(listed_done);
  // Three unanswered attempts close a visit as it stands.
  std::string other = open[1].at("id");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(admin.Patch("/api/v1/return-visits/" + other, R"({"outcome":"not_reached"})").status, 200);
  }
  Reply closed = admin.Get("/api/v1/return-visits?status=done&limit=1000");
  EXPECT_NE(closed.body.find("\"not_reached\""), std::string::npos);
  // Bad input names what is wrong and changes nothing.
  EXPECT_EQ(manager.Get("/api/v1/return-visits?status=late").status, 400);
  Reply bad = admin.Patch("/api/v1/return-visits/" + open[2].at("id"), R"({"outcome":"maybe"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Str(bad.json["error"]["field"]), "outcome");
  EXPECT_EQ(admin.Patch("/api/v1/return-visits/" + open[2].at("id"), R"({"notes":"x"})").status, 422);
  EXPECT_EQ(admin.Patch("/api/v1/return-visits/999999999", R"({"outcome":"completed"})").status, 404);
  std::string foreign;
  for (const auto& v : everything) {
    if (v.at("branch") != demo.manager_branch) foreign = v.at("id");
  }
  ASSERT_FALSE(foreign.empty());
  EXPECT_EQ(manager.Patch("/api/v1/return-visits/" + foreign, R"({"outcome":"completed"})").status, 404);

  // Overdue once the clock passes a due date.
  g_now = g_now + 86400 * 400;
  auto overdue = all_visits(manager, "&status=overdue");
  EXPECT_FALSE(overdue.empty());
  for (const auto& v : overdue) EXPECT_EQ(v.at("branch"), demo.manager_branch);
  // The quota: the manager's branch only; brokers are refused; the head office sees all.
  g_now = g_now - 86400 * 400;
  Reply quota = manager.Get("/api/v1/return-visits/quota?year=" + std::to_string(next_year));
  ASSERT_EQ(quota.status, 200) << quota.body;
  ASSERT_EQ(quota.json["items"].get_array().size(), 1u) << quota.body;
  EXPECT_EQ(Str(quota.json["items"].at(0)["branch_id"]), demo.manager_branch);
  EXPECT_GE(int64_t(quota.json["items"].at(0)["required"]), int64_t(quota.json["items"].at(0)["done"]));
  EXPECT_EQ(broker.Get("/api/v1/return-visits/quota").status, 403);
  Reply all_quota = admin.Get("/api/v1/return-visits/quota?year=" + std::to_string(next_year));
  EXPECT_GT(all_quota.json["items"].get_array().size(), 1u);
  int64_t done_in_year = 0, required_in_year = 0;
  for (auto row : all_quota.json["items"].get_array()) {
    done_in_year += int64_t(row["done"]);
    required_in_year += int64_t(row["required"]);
  }
  EXPECT_GE(done_in_year, 2) << all_quota.body;  // the two closed above (their due dates are in the year)
  EXPECT_GE(required_in_year, sampled);
  // Every attempt is audited.
  Reply audit = demo.As("compliance").Get("/api/v1/audit?action=return_visit.attempt&limit=100");
  EXPECT_EQ(audit.json["items"].get_array().size(), 5u);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
