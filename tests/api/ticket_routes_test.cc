// Tickets over HTTP on a real server, with the business clock under the test's control
// and the 2026 Spring Festival calendar (a make-up Saturday, the lunch break): the SLA
// clock starts, pauses in pending_customer, resumes, breaches; the state machine
// refuses what it forbids; scopes hold; every change is in the history and the audit.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "api/api_test_support.h"
#include "api/sessions.h"
#include "service/jobs/service_jobs.h"
#include "ingest/calendar_csv.h"
#include "storage/calendar_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};
void SetNow(const char* text) { g_now = ParseTimestamp(text)->seconds; }

std::string FirstCustomerOf(const std::string& db, const std::string& where) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  sqlite3_stmt* statement = nullptr;
  std::string sql = "SELECT customer_id FROM customers WHERE " + where + " ORDER BY customer_id LIMIT 1";
  sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr);
  std::string id;
  if (sqlite3_step(statement) == SQLITE_ROW) id = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return id;
}

class TicketRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SetNow("2026-02-13T16:00:00+08:00");
    demo_ = new DemoServer();
    demo_->adjust = [](ApiServerOptions& options) {
      options.business_clock = [] { return Timestamp{g_now}; };
      options.webhook_allowed_hosts = {"127.0.0.1"};  // the escalation test's receiver
    };
    demo_->Start(1200, [](Store&) {});
    auto calendar = ReadCalendarCsv(MemorySource("kind,value,name\nhours,09:00-11:30,上午\nhours,13:00-17:00,下午\n"
                                                 "holiday,2026-02-16,春节\nholiday,2026-02-17,春节\nholiday,2026-02-18,春节\n"
                                                 "holiday,2026-02-19,春节\nholiday,2026-02-20,春节\nholiday,2026-02-23,春节\n"
                                                 "workday,2026-02-14,春节调休\n"),
                                    "test.csv");
    ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
    auto calendars = OpenCalendarStore(demo_->db);
    ASSERT_TRUE(calendars.ok());
    ASSERT_TRUE((*calendars)->Save(*calendar, {0, Timestamp{1}, "test", "test.csv", "-", 0, ""}).ok());
  }
  static void TearDownTestSuite() {
    demo_->Stop();
    delete demo_;
  }
  static ApiClient As(const std::string& login) { return demo_->As(login); }
  static std::string Create(ApiClient& client, const std::string& customer, const std::string& type,
                            const std::string& priority, int expected = 201) {
    Reply created = client.Post("/api/v1/tickets", R"({"customer_id":")" + customer + R"(","type":")" + type +
                                                       R"(","priority":")" + priority +
                                                       R"(","subject":"账户问题","description":"客户来电"})");
    EXPECT_EQ(created.status, expected) << created.body;
    return created.status == 201 ? std::to_string(int64_t(created.json["ticket_id"])) : "";
  }
  static DemoServer* demo_;
};
DemoServer* TicketRoutesTest::demo_ = nullptr;

TEST_F(TicketRoutesTest, TheSlaClockPausesResumesAndBreachesOnTheBusinessCalendar) {
  SetNow("2026-02-13T16:00:00+08:00");  // Friday before the Spring Festival
  ApiClient agent = As("agent");
  std::string customer = FirstCustomerOf(demo_->db, "1 = 1");
  Reply created = agent.Post("/api/v1/tickets", R"({"customer_id":")" + customer +
                                                    R"(","type":"inquiry","priority":"urgent","subject":"无法登录"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(int64_t(created.json["ticket_id"]));
  EXPECT_EQ(Str(created.json["state"]), "new");
  EXPECT_EQ(Str(created.json["sla"]["policy"]), "urgent");
  // 30 business minutes to answer; 6.5 business hours to resolve: one hour on Friday,
  // then the make-up Saturday from 09:00 with its lunch break.
  EXPECT_EQ(Str(created.json["sla"]["first_response_due"]), "2026-02-13T16:30:00+08:00");
  EXPECT_EQ(Str(created.json["sla"]["resolution_due"]), "2026-02-14T16:00:00+08:00");

  SetNow("2026-02-13T16:20:00+08:00");
  Reply opened = agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(Str(opened.json["sla"]["first_responded_at"]), "2026-02-13T16:20:00+08:00");
  SetNow("2026-02-13T16:30:00+08:00");
  Reply pending = agent.Patch("/api/v1/tickets/" + id, R"({"state":"pending_customer"})");
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(Str(pending.json["sla"]["status"]), "paused");
  EXPECT_TRUE(pending.json["sla"]["resolution_due"].is_null());
  EXPECT_EQ(int64_t(pending.json["sla"]["business_seconds_elapsed"]), 1800);

  // Through the whole holiday nothing counts while the customer is awaited.
  SetNow("2026-02-24T10:00:00+08:00");
  Reply waited = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(Str(waited.json["sla"]["status"]), "paused");
  EXPECT_FALSE(bool(waited.json["sla"]["breached"]));
  Reply resumed = agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  // 6 h left: Tuesday 10:00-11:30 and 13:00-17:00, then Wednesday 09:00-09:30.
  EXPECT_EQ(Str(resumed.json["sla"]["resolution_due"]), "2026-02-25T09:30:00+08:00");
  // The customer's answer is awaited by the agent's within the next-response target (60 min).
  EXPECT_EQ(Str(resumed.json["sla"]["next_response_due"]), "2026-02-24T11:00:00+08:00");
  SetNow("2026-02-24T10:40:00+08:00");
  Reply replied = agent.Patch("/api/v1/tickets/" + id, R"({"responded":true})");
  ASSERT_EQ(replied.status, 200) << replied.body;
  EXPECT_TRUE(replied.json["sla"]["next_response_due"].is_null());
  EXPECT_FALSE(bool(replied.json["sla"]["breached"]));
  EXPECT_EQ(Str(replied.json["state"]), "open");

  SetNow("2026-02-25T09:00:00+08:00");
  EXPECT_EQ(Str(agent.Get("/api/v1/tickets/" + id).json["sla"]["status"]), "warning");
  auto listed = [&](const std::string& query) {
    std::set<std::string> ids;
    Reply list = agent.Get("/api/v1/tickets?" + query);
    EXPECT_EQ(list.status, 200) << list.body;
    for (auto item : list.json["items"].get_array()) ids.insert(std::to_string(int64_t(item["ticket_id"])));
    return ids;
  };
  EXPECT_FALSE(listed("breached=true&limit=1000").count(id));
  SetNow("2026-02-25T10:00:00+08:00");
  Reply late = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(Str(late.json["sla"]["status"]), "breached");
  EXPECT_TRUE(listed("breached=true&limit=1000").count(id));
  EXPECT_FALSE(listed("breached=false&limit=1000").count(id));
  EXPECT_TRUE(listed("state=open&limit=1000").count(id));

  Reply resolved = agent.Patch("/api/v1/tickets/" + id, R"({"state":"resolved"})");
  ASSERT_EQ(resolved.status, 200);
  EXPECT_TRUE(bool(resolved.json["sla"]["breached"]));  // the miss stays on record
  EXPECT_EQ(Str(resolved.json["sla"]["resolved_at"]), "2026-02-25T10:00:00+08:00");
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"closed"})").status, 200);
  Reply reopen = agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})");
  EXPECT_EQ(reopen.status, 409);
  EXPECT_EQ(Str(reopen.json["error"]["message"]), "a ticket cannot go from closed to open");

  Reply history = agent.Get("/api/v1/tickets/" + id);
  std::vector<std::string> steps;
  for (auto change : history.json["history"].get_array()) {
    steps.push_back(Str(change["field"]) + ":" + Str(change["from"]) + ">" + Str(change["to"]) + "@" + Str(change["actor"]));
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"created:>new@agent", "state:new>open@agent", "state:open>pending_customer@agent",
                                             "state:pending_customer>open@agent",
                                             "responded:awaited>2026-02-24T10:40:00+08:00@agent", "state:open>resolved@agent",
                                             "state:resolved>closed@agent"}));
  ApiClient compliance = As("compliance");
  Reply audit = compliance.Get("/api/v1/audit?action=ticket.update&limit=1000");
  ASSERT_EQ(audit.status, 200);
  int updates = 0;
  for (auto entry : audit.json["items"].get_array()) {
    if (Str(entry["detail"]).rfind("ticket " + id + " ", 0) == 0) ++updates;
  }
  EXPECT_EQ(updates, 6);
}

// The next-response target: a customer's answer (pending_customer → open) left without
// the agent's reply past the target breaches the ticket, and the miss stays on record.
TEST_F(TicketRoutesTest, ACustomersAnswerLeftUnansweredBreachesTheNextResponseTarget) {
  SetNow("2026-03-03T09:00:00+08:00");  // Tuesday
  ApiClient agent = As("agent");
  std::string id = Create(agent, FirstCustomerOf(demo_->db, "1 = 1"), "service_request", "normal");
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})").status, 200);
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"pending_customer"})").status, 200);
  SetNow("2026-03-03T16:00:00+08:00");
  Reply answered = agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})");
  ASSERT_EQ(answered.status, 200) << answered.body;
  // The "normal" policy: 480 business minutes: Tuesday 16:00-17:00 and Wednesday's
  // 6.5 h make 7.5 h; the last half hour is Thursday's first.
  EXPECT_EQ(Str(answered.json["sla"]["next_response_due"]), "2026-03-05T09:30:00+08:00");
  EXPECT_EQ(int64_t(answered.json["sla"]["next_response_target_seconds"]), 480 * 60);
  SetNow("2026-03-04T16:00:00+08:00");
  EXPECT_EQ(Str(agent.Get("/api/v1/tickets/" + id).json["sla"]["status"]), "ok");
  SetNow("2026-03-05T10:00:00+08:00");
  Reply late = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(Str(late.json["sla"]["status"]), "breached");
  Reply replied = agent.Patch("/api/v1/tickets/" + id, R"({"state":"pending_customer"})");
  ASSERT_EQ(replied.status, 200) << replied.body;
  EXPECT_TRUE(bool(replied.json["sla"]["breached"])) << "the late reply stays a miss";
  EXPECT_TRUE(replied.json["sla"]["next_response_due"].is_null());
  Reply bad = agent.Patch("/api/v1/tickets/" + id, R"({"responded":"yes"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Str(bad.json["error"]["field"]), "responded");
}

// A breach found by the sla-escalation job (run as `fincrm jobs run-once` runs it, with
// the job's clock given): a task for the customer's branch manager and a signed webhook;
// after a further four business hours a second level, for the head-office service
// center. A paused ticket is never escalated; an escalated one is not escalated twice.
TEST_F(TicketRoutesTest, ABreachEscalatesToTheBranchManagerThenHeadOfficeWithSignedWebhooks) {
  httplib::Server receiver;
  std::mutex received_mutex;
  std::vector<std::pair<std::string, std::string>> received;  // signature, body
  receiver.Post("/hooks/sla", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(received_mutex);
    received.emplace_back(request.get_header_value("X-FinCRM-Signature") + " " +
                              request.get_header_value("X-FinCRM-Event"),
                          request.body);
    response.status = 200;
  });
  int hook_port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  const std::string secret = "sla-webhook-secret-0123456789";
  ApiClient admin = As("admin");
  Reply hook = admin.Post("/api/v1/webhooks", R"({"url":"http://127.0.0.1:)" + std::to_string(hook_port) +
                                                  R"(/hooks/sla","secret":")" + secret +
                                                  R"(","event_types":"sla_breach"})");
  ASSERT_EQ(hook.status, 201) << hook.body;

  Scheduler jobs(demo_->db, SchedulerJobs({}, DefaultServiceModules()), "test-runner", [] { return Timestamp{g_now}; });
  auto escalate = [&] {
    auto run = jobs.RunOnce("sla-escalation", Timestamp{g_now});
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run.ok() ? run->outcome : "", "ok") << (run.ok() ? run->message : "");
    return run.ok() ? run->rows_touched : -1;
  };
  SetNow("2026-03-02T09:00:00+08:00");  // a Monday, no holiday near
  ApiClient agent = As("agent"), manager = As("manager");
  std::string customer = FirstCustomerOf(demo_->db, "branch_id = '" + demo_->manager_branch + "'");
  Reply created = agent.Post("/api/v1/tickets", R"({"customer_id":")" + customer +
                                                    R"(","type":"inquiry","priority":"urgent","subject":"转账未到账"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(int64_t(created.json["ticket_id"]));
  EXPECT_EQ(Str(created.json["sla"]["resolution_due"]), "2026-03-02T17:00:00+08:00");
  SetNow("2026-03-02T10:00:00+08:00");
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"pending_customer"})").status, 200);
  SetNow("2026-03-03T18:00:00+08:00");
  int64_t before = escalate();
  Reply paused = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(int64_t(paused.json["sla"]["escalation_level"]), 0) << "a paused clock is not escalated";
  // Resumed Wednesday 09:00 with 5.5 h left (09:00-11:30, 13:00-16:00): due 16:00.
  SetNow("2026-03-04T09:00:00+08:00");
  Reply resumed = agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})");
  ASSERT_EQ(resumed.status, 200);
  EXPECT_EQ(Str(resumed.json["sla"]["resolution_due"]), "2026-03-04T16:00:00+08:00");
  SetNow("2026-03-04T16:01:00+08:00");
  EXPECT_GE(escalate(), 1);
  Reply first = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(int64_t(first.json["sla"]["escalation_level"]), 1);
  EXPECT_EQ(Str(first.json["sla"]["status"]), "breached");
  auto manager_task = [&](const std::string& marker) {
    Reply tasks = manager.Get("/api/v1/tasks?limit=1000");
    EXPECT_EQ(tasks.status, 200);
    for (auto task : tasks.json["items"].get_array()) {
      std::string title = Str(task["title"]);
      if (title.find("#" + id + " ") != std::string::npos && title.find(marker) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(manager_task("营业部经理")) << "the branch manager has the escalation task";
  SetNow("2026-03-04T16:30:00+08:00");
  EXPECT_EQ(int64_t(agent.Get("/api/v1/tickets/" + id).json["sla"]["escalation_level"]), 1);
  escalate();
  EXPECT_EQ(int64_t(agent.Get("/api/v1/tickets/" + id).json["sla"]["escalation_level"]), 1)
      << "not yet four business hours after the breach";
  // 16:00 + 4 business hours: an hour on Wednesday, Thursday 09:00-11:30 and 13:00-13:30.
  SetNow("2026-03-05T13:31:00+08:00");
  escalate();
  Reply second = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(int64_t(second.json["sla"]["escalation_level"]), 2);
  EXPECT_TRUE(manager_task("总部服务中心"));
  std::vector<std::string> escalations;
  for (auto change : second.json["history"].get_array()) {
    if (Str(change["field"]) == "escalation_level") {
      escalations.push_back(Str(change["from"]) + ">" + Str(change["to"]) + "@" + Str(change["actor"]));
    }
  }
  EXPECT_EQ(escalations, (std::vector<std::string>{"0>1@job:sla-escalation", "1>2@job:sla-escalation"}));
  // Two deliveries, signed with the subscription's secret.
  for (int wait = 0; wait < 100; ++wait) {
    {
      std::lock_guard lock(received_mutex);
      if (received.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  receiver.stop();
  serving.join();
  std::lock_guard lock(received_mutex);
  int levels = 0;
  for (const auto& [signature, body] : received) {
    if (body.find("\"ticket_id\":" + id + ",") == std::string::npos) continue;
    EXPECT_EQ(signature, "sha256=" + HmacSha256Hex(secret, body) + " sla_breach");
    levels += body.find("\"level\":1,") != std::string::npos ? 1 : body.find("\"level\":2,") != std::string::npos ? 10 : 0;
  }
  EXPECT_EQ(levels, 11) << "one delivery per level";
  (void)before;
}

TEST_F(TicketRoutesTest, ScopesHoldForEveryRole) {
  SetNow("2026-03-02T10:00:00+08:00");
  std::string own = FirstCustomerOf(demo_->db, "broker_id = '" + demo_->broker_staff + "'");
  std::string other = FirstCustomerOf(demo_->db, "broker_id = '" + demo_->broker2_staff + "' AND branch_id <> '" +
                                                     demo_->manager_branch + "'");
  ASSERT_FALSE(own.empty());
  ASSERT_FALSE(other.empty());
  ApiClient broker = As("broker"), agent = As("agent");
  std::string mine = Create(broker, own, "service_request", "normal");
  Create(broker, other, "inquiry", "low", 404);  // another broker's customer looks unknown
  std::string theirs = Create(agent, other, "complaint", "high");
  EXPECT_EQ(Str(broker.Get("/api/v1/tickets/" + mine).json["owner"]), "broker");
  EXPECT_EQ(broker.Get("/api/v1/tickets/" + theirs).status, 404);
  EXPECT_EQ(broker.Patch("/api/v1/tickets/" + theirs, R"({"state":"open"})").status, 404);
  Reply broker_list = broker.Get("/api/v1/tickets?limit=1000");
  ASSERT_EQ(broker_list.status, 200) << broker_list.body;
  for (auto item : broker_list.json["items"].get_array()) {
    EXPECT_EQ(Str(item["broker_id"]), demo_->broker_staff);
  }
  ApiClient manager = As("manager");
  Reply manager_list = manager.Get("/api/v1/tickets?limit=1000");
  ASSERT_EQ(manager_list.status, 200) << manager_list.body;
  for (auto item : manager_list.json["items"].get_array()) {
    EXPECT_EQ(Str(item["branch_id"]), demo_->manager_branch);
  }
  EXPECT_EQ(manager.Get("/api/v1/tickets/" + theirs).status, 404);
  ApiClient compliance = As("compliance");
  EXPECT_EQ(compliance.Get("/api/v1/tickets/" + theirs).status, 200);
  EXPECT_EQ(compliance.Get("/api/v1/tickets/" + mine).status, 200);
  EXPECT_EQ(compliance.Patch("/api/v1/tickets/" + mine, R"({"state":"open"})").status, 403);
  EXPECT_EQ(As("research").Get("/api/v1/tickets").status, 403);
  EXPECT_EQ(As("hq").Post("/api/v1/tickets", R"({"customer_id":")" + own + R"(","type":"inquiry","subject":"x"})").status, 403);
  ApiClient anonymous(demo_->port);
  EXPECT_EQ(anonymous.Get("/api/v1/tickets").status, 401);
}

TEST_F(TicketRoutesTest, EachNewTicketIsAuditedAndTheChainStaysIntact) {
  SetNow("2026-03-03T10:00:00+08:00");
  std::string customer = FirstCustomerOf(demo_->db, "broker_id = '" + demo_->broker_staff + "'");
  ApiClient agent = As("agent"), compliance = As("compliance");
  // Concurrent creators share commits; each ticket's entry commits with it (the audit
  // outbox) and is chained by the audit writer, which reading the trail waits for.
  std::vector<std::thread> creators;
  std::mutex ids_mutex;
  std::set<std::string> ids;
  for (int t = 0; t < 4; ++t) {
    creators.emplace_back([&] {
      ApiClient client = As("agent");
      for (int i = 0; i < 5; ++i) {
        std::string id = Create(client, customer, "inquiry", "normal");
        std::lock_guard lock(ids_mutex);
        ids.insert(id);
      }
    });
  }
  for (auto& thread : creators) thread.join();
  ASSERT_EQ(ids.size(), 20u);
  Reply audit = compliance.Get("/api/v1/audit?action=ticket.create&actor=agent&customer_id=" + customer + "&limit=1000");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::set<std::string> audited;
  for (auto entry : audit.json["items"].get_array()) {
    std::string detail(Str(entry["detail"]));
    ASSERT_EQ(detail.rfind("ticket ", 0), 0u) << detail;
    audited.insert(detail.substr(7, detail.find(' ', 7) - 7));
    EXPECT_EQ(Str(entry["source"]), "127.0.0.1");
  }
  for (const std::string& id : ids) EXPECT_TRUE(audited.count(id)) << "ticket " << id << " not audited";
  Reply verified = compliance.Get("/api/v1/audit/verify");
  EXPECT_TRUE(bool(verified.json["intact"])) << verified.body;
}

TEST_F(TicketRoutesTest, BadInputIsRefusedNamingTheFieldAndWritesNothing) {
  SetNow("2026-03-03T10:00:00+08:00");
  ApiClient agent = As("agent");
  std::string customer = FirstCustomerOf(demo_->db, "1 = 1");
  int64_t before = agent.Get("/api/v1/tickets?limit=1000").json["items"].get_array().size();
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"customer_id":")" + customer + R"(","type":"praise","subject":"x"})", 422, "type"},
           {R"({"customer_id":")" + customer + R"(","type":"inquiry","priority":"asap","subject":"x"})", 422, "priority"},
           {R"({"customer_id":")" + customer + R"(","type":"inquiry"})", 422, "subject"},
           {R"({"type":"inquiry","subject":"x"})", 422, "customer_id"},
           {R"({"customer_id":"NOBODY","type":"inquiry","subject":"x"})", 404, "customer_id"},
           {R"({"customer_id":")" + customer + R"(","type":"inquiry","subject":"x","state":"closed"})", 422, "state"},
           {R"({"customer_id":")" + customer + R"(","type":"inquiry","subject":"x","complaint_category":"fees"})", 422, "complaint_category"},
           {R"({"customer_id":")" + customer + R"(","type":"inquiry","subject":")" + std::string(300, 'x') + "\"}", 422, "subject"},
           {R"({"customer_id":)", 400, ""},
       }) {
    Reply reply = agent.Post("/api/v1/tickets", c.body);
    EXPECT_EQ(reply.status, c.status) << c.body << " -> " << reply.body;
    if (!c.field.empty()) {
      EXPECT_EQ(Str(reply.json["error"]["field"]), c.field) << c.body;
    }
  }
  EXPECT_EQ(agent.Get("/api/v1/tickets?limit=1000").json["items"].get_array().size(), static_cast<size_t>(before));
  std::string id = Create(agent, customer, "complaint", "normal");
  EXPECT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"done"})").status, 422);
  EXPECT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"subject":"new"})").status, 422);
  EXPECT_EQ(agent.Patch("/api/v1/tickets/" + id, "{}").status, 422);
  EXPECT_EQ(agent.Patch("/api/v1/tickets/abc", R"({"state":"open"})").status, 404);
  EXPECT_EQ(agent.Get("/api/v1/tickets/999999").status, 404);
  EXPECT_EQ(agent.Get("/api/v1/tickets?state=stuck").status, 400);
  EXPECT_EQ(agent.Get("/api/v1/tickets?breached=maybe").status, 400);
  // A refused change leaves the ticket as it was, history included.
  Reply unchanged = agent.Get("/api/v1/tickets/" + id);
  EXPECT_EQ(Str(unchanged.json["state"]), "new");
  EXPECT_EQ(unchanged.json["history"].get_array().size(), 1u);
  // A change of priority retargets the clock; a complaint takes its category.
  Reply urgent = agent.Patch("/api/v1/tickets/" + id, R"({"priority":"urgent","complaint_category":"fees"})");
  ASSERT_EQ(urgent.status, 200) << urgent.body;
  EXPECT_EQ(Str(urgent.json["sla"]["policy"]), "complaint-urgent");
  EXPECT_EQ(Str(urgent.json["complaint_category"]), "fees");
  Reply policies = agent.Get("/api/v1/sla-policies");
  ASSERT_EQ(policies.status, 200);
  EXPECT_EQ(Str(policies.json["items"].at(0)["name"]), "complaint-urgent");
  Reply calendar = agent.Get("/api/v1/calendar?year=2026");
  ASSERT_EQ(calendar.status, 200) << calendar.body;
  EXPECT_EQ(int64_t(calendar.json["version"]), 1);
  EXPECT_EQ(calendar.json["days"].get_array().size(), 7u);
}

// Modules react to one another's events: a complaint resolved through the tickets
// module has its return visit planned by the return-visit module at once, not at the
// next morning's planning job; a resolved inquiry gets none.
TEST_F(TicketRoutesTest, AResolvedComplaintHasItsReturnVisitPlannedAtOnce) {
  SetNow("2026-03-02T10:00:00+08:00");
  ApiClient agent = As("agent");
  std::string customer = FirstCustomerOf(demo_->db, "1 = 1");
  std::string complaint = Create(agent, customer, "complaint", "normal");
  std::string inquiry = Create(agent, customer, "inquiry", "normal");
  for (const std::string& id : {complaint, inquiry}) {
    ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"open"})").status, 200);
    ASSERT_EQ(agent.Patch("/api/v1/tickets/" + id, R"({"state":"resolved"})").status, 200);
  }
  demo_->server->module_events().Drain();
  EXPECT_EQ(demo_->server->module_events().failed(), 0);
  Reply visits = agent.Get("/api/v1/return-visits?customer_id=" + customer + "&limit=1000");
  ASSERT_EQ(visits.status, 200) << visits.body;
  int complaint_visits = 0, inquiry_visits = 0;
  std::string due_on;
  for (auto v : visits.json["items"].get_array()) {
    if (Str(v["source"]) == "ticket:" + complaint) ++complaint_visits, due_on = Str(v["due_on"]);
    inquiry_visits += Str(v["source"]) == "ticket:" + inquiry;
  }
  EXPECT_EQ(complaint_visits, 1) << visits.body;
  EXPECT_EQ(inquiry_visits, 0);
  EXPECT_EQ(due_on, "2026-03-09") << "five trading days after Monday 2 March";
}

}  // namespace
}  // namespace fincrm::testing
