// The call center end to end on a served demo brokerage: the PBX's newCall pops the
// caller up on a connected agent's event stream, answer and hangup move the call, the
// agent is not ready until the wrap-up is filed, the call lands on the customer's
// timeline, a ticket opened from it pauses in pending_customer and, breached, escalates
// to the branch manager with a signed webhook. Then the bad inputs, the worklist,
// callbacks, scripts and the wrap-up code tree.
#include <gtest/gtest.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "api/api_test_support.h"
#include "api/sessions.h"
#include "core/phone_number.h"
#include "service/jobs/service_jobs.h"
#include "storage/open_store.h"

namespace fincrm::testing {
namespace {

std::atomic<int64_t> g_now{0};
void SetNow(const char* text) { g_now = ParseTimestamp(text)->seconds; }

// A customer of `where` and their mobile.
std::pair<std::string, std::string> CustomerWhere(const std::string& db, const std::string& where) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  sqlite3_stmt* statement = nullptr;
  std::string sql = "SELECT customer_id, mobile FROM customers WHERE mobile IS NOT NULL AND " + where +
                    " AND mobile IN (SELECT mobile FROM customers GROUP BY mobile HAVING count(*) = 1) "
                    "ORDER BY customer_id LIMIT 1";
  sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr);
  std::pair<std::string, std::string> found;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    found = {reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)),
             reinterpret_cast<const char*>(sqlite3_column_text(statement, 1))};
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return found;
}

// An agent's console connection to GET /api/v1/callcenter/stream.
class EventStreamReader {
 public:
  EventStreamReader(int port, const std::string& token) : fd_(ConnectFrom("127.0.0.1", port)) {
    std::string request = "GET /api/v1/callcenter/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                          "Authorization: Bearer " + token + "\r\n\r\n";
    (void)!::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  }
  ~EventStreamReader() { ::close(fd_); }
  // Everything received until `marker` appeared or `timeout` passed.
  std::string ReadUntil(const std::string& marker, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(marker) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[8192];
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received_.append(buffer, static_cast<size_t>(n));
    }
    return received_;
  }

 private:
  int fd_;
  std::string received_;
};

std::string TokenOf(int port, const std::string& login) {
  ApiClient client(port);
  Reply reply = client.Login(login, DemoServer::kPassword);
  return reply.status == 200 ? std::string(std::string_view(reply.json["token"])) : "";
}

class CallCenterRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SetNow("2026-03-02T09:00:00+08:00");
    demo_ = new DemoServer();
    demo_->adjust = [](ApiServerOptions& options) {
      options.business_clock = [] { return Timestamp{g_now}; };
      options.webhook_allowed_hosts = {"127.0.0.1"};
    };
    demo_->Start(800, [](Store& store) {
      pbx_key_ = "fk_pbx_" + RandomToken(16);
      ASSERT_TRUE(store.AddApiKey({"pbx", "pbx", Sha256Hex(pbx_key_), "cti", 0, CurrentTime()}).ok());
    });
  }
  static void TearDownTestSuite() {
    demo_->Stop();
    delete demo_;
  }
  static Reply Pbx(const std::string& body) {
    ApiClient pbx(demo_->port);
    return pbx.Post("/api/v1/cti", body, "application/json", {{"X-API-Key", pbx_key_}});
  }
  ApiClient As(const std::string& login) { return demo_->As(login); }

  static DemoServer* demo_;
  static std::string pbx_key_;
};
DemoServer* CallCenterRoutesTest::demo_ = nullptr;
std::string CallCenterRoutesTest::pbx_key_;

TEST_F(CallCenterRoutesTest, ACallFromScreenPopToEscalation) {
  httplib::Server receiver;
  std::mutex received_mutex;
  std::vector<std::pair<std::string, std::string>> received;  // signature, body
  receiver.Post("/hooks/sla", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(received_mutex);
    received.emplace_back(request.get_header_value("X-FinCRM-Signature"), request.body);
    response.status = 200;
  });
  int hook_port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  const std::string secret = "call-center-webhook-secret-42";
  ApiClient admin = As("admin"), agent = As("agent"), manager = As("manager");
  ASSERT_EQ(admin.Post("/api/v1/webhooks", R"({"url":"http://127.0.0.1:)" + std::to_string(hook_port) +
                                               R"(/hooks/sla","secret":")" + secret + R"(","event_types":"sla_breach"})")
                .status,
            201);
  Reply script = admin.Post("/api/v1/scripts", R"({"title":"来电问候","call_type":"in","body":"{{surname}}先生/女士您好，我是{{agent}}。"})");
  ASSERT_EQ(script.status, 201) << script.body;
  auto [customer, mobile] = CustomerWhere(demo_->db, "branch_id = '" + demo_->manager_branch + "'");
  ASSERT_FALSE(customer.empty());

  // The agent's console is connected; the PBX reports the call, written as callers' numbers arrive.
  EventStreamReader console(demo_->port, TokenOf(demo_->port, "agent"));
  ASSERT_NE(console.ReadUntil("event: ready", std::chrono::seconds(5)).find("\"ready\":true"), std::string::npos);
  std::string from = "+86 " + mobile.substr(0, 3) + "-" + mobile.substr(3, 4) + "-" + mobile.substr(7);
  auto sent = std::chrono::steady_clock::now();
  Reply ring = Pbx(R"({"event":"newCall","call_id":"c-1001","from":")" + from +
                   R"(","to":"95555","direction":"in","queue":"vip"})");
  ASSERT_EQ(ring.status, 201) << ring.body;
  EXPECT_EQ(Str(ring.json["call"]["customer_id"]), customer);
  std::string pop = console.ReadUntil("\"call_id\":\"c-1001\"", std::chrono::seconds(5));
  auto popped = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
  ASSERT_NE(pop.find("event: screen_pop"), std::string::npos) << pop;
  EXPECT_NE(pop.find("\"customer_id\":\"" + customer + "\""), std::string::npos) << pop;
  EXPECT_NE(pop.find("\"script\":{\"script_id\":"), std::string::npos) << "the suggested script, filled: " << pop;
  EXPECT_LT(popped.count(), 1000) << "the pop arrives with the webhook's answer (the issue asks < 100 ms; bench/service measures it)";
  EXPECT_EQ(Pbx(R"({"event":"newCall","call_id":"c-1001","from":"x","to":"95555","direction":"in"})").json["applied"].get_bool().value(),
            false)
      << "a repeated event changes nothing";

  // Answered, hung up: the agent is not ready before the wrap-up.
  ASSERT_EQ(Pbx(R"({"event":"answer","call_id":"c-1001","user":"agent"})").status, 200);
  Reply hangup = Pbx(R"({"event":"hangup","call_id":"c-1001","cause":"normalClearing"})");
  ASSERT_EQ(hangup.status, 200) << hangup.body;
  EXPECT_FALSE(hangup.json["agent_ready"].get_bool().value());
  EXPECT_NE(console.ReadUntil("\"state\":\"ended\"", std::chrono::seconds(5)).find("event: call"), std::string::npos);
  ApiClient pbx_client(demo_->port);
  Reply readiness = pbx_client.Get("/api/v1/cti/agents/agent", {{"X-API-Key", pbx_key_}});
  ASSERT_EQ(readiness.status, 200) << readiness.body;
  EXPECT_FALSE(readiness.json["ready"].get_bool().value());
  EXPECT_TRUE(readiness.json["console_connected"].get_bool().value());
  // A ticket opened from the call, with the script used.
  std::string script_id = std::to_string(int64_t(script.json["script_id"]));
  Reply ticket = agent.Post("/api/v1/tickets", R"({"customer_id":")" + customer +
                                                   R"(","type":"inquiry","priority":"urgent","subject":"转账未到账","owner":"agent","call_id":"c-1001","script_id":)" +
                                                   script_id + "}");
  ASSERT_EQ(ticket.status, 201) << ticket.body;
  EXPECT_EQ(Str(ticket.json["call_id"]), "c-1001");
  EXPECT_EQ(int64_t(ticket.json["script_version"]), 1);
  std::string ticket_id = std::to_string(int64_t(ticket.json["ticket_id"]));
  Reply wrap = agent.Post("/api/v1/calls/c-1001/wrap-up",
                          R"({"wrap_up_code":"inquiry.account","notes":"客户询问转账","script_id":)" + script_id +
                              R"(,"ticket_id":)" + ticket_id + R"(,"callback_due_at":"2026-03-02T15:00:00+08:00"})");
  ASSERT_EQ(wrap.status, 200) << wrap.body;
  EXPECT_TRUE(wrap.json["agent_ready"].get_bool().value());
  EXPECT_EQ(Str(wrap.json["call"]["state"]), "wrapped_up");
  EXPECT_EQ(agent.Post("/api/v1/calls/c-1001/wrap-up", R"({"wrap_up_code":"other"})").status, 409);
  // On the customer's timeline as a call-center interaction.
  bool on_timeline = false;
  for (int wait = 0; wait < 50 && !on_timeline; ++wait) {
    Reply timeline = agent.Get("/api/v1/customers/" + customer + "/timeline?limit=50");
    on_timeline = timeline.body.find("call-c-1001") != std::string::npos &&
                  timeline.body.find("开户与账户") != std::string::npos;
    if (!on_timeline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(on_timeline);
  // The callback is on the agent's worklist; the call in the manager's scope.
  Reply worklist = agent.Get("/api/v1/worklist");
  ASSERT_EQ(worklist.status, 200) << worklist.body;
  EXPECT_NE(worklist.body.find("\"kind\":\"callback\""), std::string::npos) << worklist.body;
  EXPECT_NE(worklist.body.find("\"kind\":\"ticket\",\"id\":\"" + ticket_id + "\""), std::string::npos);
  EXPECT_EQ(manager.Get("/api/v1/calls/c-1001").status, 200);
  EXPECT_EQ(As("broker2").Get("/api/v1/calls/c-1001").status, 404);

  // The ticket pauses, resumes and breaches; the escalation job tells the branch manager.
  SetNow("2026-03-02T10:00:00+08:00");
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + ticket_id, R"({"state":"pending_customer"})").status, 200);
  EXPECT_TRUE(agent.Get("/api/v1/tickets/" + ticket_id).json["sla"]["paused"].get_bool().value());
  SetNow("2026-03-04T09:00:00+08:00");
  ASSERT_EQ(agent.Patch("/api/v1/tickets/" + ticket_id, R"({"state":"open"})").status, 200);
  SetNow("2026-03-04T16:01:00+08:00");
  Scheduler jobs(demo_->db, SchedulerJobs({}, DefaultServiceModules()), "test-runner", [] { return Timestamp{g_now}; });
  auto run = jobs.RunOnce("sla-escalation", Timestamp{g_now});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(int64_t(agent.Get("/api/v1/tickets/" + ticket_id).json["sla"]["escalation_level"]), 1);
  EXPECT_NE(manager.Get("/api/v1/tasks?limit=1000").body.find("#" + ticket_id + " "), std::string::npos);
  bool delivered = false;
  for (int wait = 0; wait < 100 && !delivered; ++wait) {
    {
      std::lock_guard lock(received_mutex);
      for (const auto& [signature, body] : received) {
        delivered |= body.find("\"ticket_id\":" + ticket_id + ",") != std::string::npos &&
                     signature == "sha256=" + HmacSha256Hex(secret, body);
      }
    }
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(delivered) << "a signed webhook for the breach";
  receiver.stop();
  serving.join();
}

TEST_F(CallCenterRoutesTest, BadEventsAndNumbersAreRefusedAndChangeNothing) {
  EXPECT_EQ(Pbx(R"({"event":"answer","call_id":"never-rang","user":"agent"})").status, 404);
  EXPECT_EQ(Pbx(R"({"event":"hangup","call_id":"never-rang","cause":"busy"})").status, 404);
  Reply unknown_field = Pbx(R"({"event":"newCall","call_id":"c-2","from":"1","to":"2","direction":"in","x":1})");
  EXPECT_EQ(unknown_field.status, 422);
  EXPECT_EQ(Str(unknown_field.json["error"]["field"]), "x");
  EXPECT_EQ(Str(Pbx(R"({"event":"hangup","call_id":"c-2"})").json["error"]["field"]), "cause");
  EXPECT_EQ(Pbx(R"({"event":"ring","call_id":"c-2"})").status, 422);
  EXPECT_EQ(Pbx("not json").status, 422);
  // An unknown caller: the call is kept, the pop offers a new contact.
  ASSERT_EQ(Pbx(R"({"event":"newCall","call_id":"c-3","from":"(021) 6888-1234","to":"95555","direction":"in"})").status, 201);
  ASSERT_EQ(Pbx(R"({"event":"hangup","call_id":"c-3","cause":"noAnswer"})").status, 200);
  EXPECT_EQ(Pbx(R"({"event":"answer","call_id":"c-3","user":"agent"})").status, 409) << "answered after the hangup";
  ApiClient agent = As("agent");
  Reply lookup = agent.Get("/api/v1/callcenter/lookup?phone=%2B86%2021%206888%201234");
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(Str(lookup.json["phone"]), "02168881234");
  EXPECT_EQ(Str(lookup.json["kind"]), "landline");
  EXPECT_EQ(Str(lookup.json["new_contact"]["phone"]), "02168881234");
  Reply bad = agent.Get("/api/v1/callcenter/lookup?phone=12345");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Str(bad.json["error"]["field"]), "phone");
  EXPECT_EQ(agent.Get("/api/v1/callcenter/lookup?phone=138-0013-8000%20ext%2012").status, 422);
  // Only the PBX's key (or an administrator) reports calls; the events key does not.
  ApiClient client(demo_->port);
  EXPECT_EQ(client.Post("/api/v1/cti", R"({"event":"hangup","call_id":"c-3","cause":"busy"})", "application/json",
                        {{"X-API-Key", demo_->api_key}})
                .status,
            403);
  EXPECT_EQ(agent.Post("/api/v1/cti", R"({"event":"hangup","call_id":"c-3","cause":"busy"})").status, 403);
  EXPECT_EQ(client.Post("/api/v1/events", "[]", "application/json", {{"X-API-Key", pbx_key_}}).status, 403);
  // A missed call needs no wrap-up from anyone; a wrap-up with a code not in the tree is refused.
  EXPECT_EQ(agent.Post("/api/v1/calls/c-3/wrap-up", R"({"wrap_up_code":"no.such.code"})").status, 422);
  EXPECT_EQ(agent.Post("/api/v1/calls/c-3/wrap-up", R"({"wrap_up_code":"other.silent"})").status, 200);
}

TEST_F(CallCenterRoutesTest, LookupMatchesEveryWayANumberIsWritten) {
  auto [customer, mobile] = CustomerWhere(demo_->db, "1");
  ApiClient agent = As("agent"), broker2 = As("broker2");
  for (std::string written : {mobile, "+86" + mobile, "0086 " + mobile, "86" + mobile,
                              mobile.substr(0, 3) + "-" + mobile.substr(3, 4) + "-" + mobile.substr(7)}) {
    std::string query;
    for (char c : written) query += c == '+' ? "%2B" : c == ' ' ? "%20" : std::string(1, c);
    Reply reply = agent.Get("/api/v1/callcenter/lookup?phone=" + query);
    ASSERT_EQ(reply.status, 200) << written << ": " << reply.body;
    ASSERT_EQ(reply.json["matches"].get_array().size(), 1u) << written;
    EXPECT_EQ(Str(reply.json["matches"].at(0)["customer_id"]), customer);
    EXPECT_TRUE(reply.json["new_contact"].is_null());
  }
  // Another broker's customer is not shown to a broker.
  Reply scoped = broker2.Get("/api/v1/callcenter/lookup?phone=" + mobile);
  if (scoped.status == 200) {
    for (auto match : scoped.json["matches"].get_array()) {
      EXPECT_EQ(Str(match["broker_id"]), demo_->broker2_staff);
    }
  }
}

TEST_F(CallCenterRoutesTest, ScriptsAreVersionedAndFilledAndCodesConfigurable) {
  ApiClient admin = As("admin"), agent = As("agent");
  Reply bad = admin.Post("/api/v1/scripts", R"({"title":"x","body":"您好{{nickname}}"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(Str(bad.json["error"]["message"]).find("nickname"), std::string::npos);
  EXPECT_EQ(agent.Post("/api/v1/scripts", R"({"title":"x","body":"y"})").status, 403);
  Reply created = admin.Post("/api/v1/scripts", R"({"title":"投诉安抚","ticket_type":"complaint","body":"{{name}}，给您带来不便非常抱歉。"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(int64_t(created.json["script_id"]));
  Reply revised = admin.Patch("/api/v1/scripts/" + id, R"({"body":"{{name}}您好，非常抱歉给您带来不便。"})");
  ASSERT_EQ(revised.status, 200);
  EXPECT_EQ(int64_t(revised.json["version"]), 2);
  EXPECT_NE(Str(agent.Get("/api/v1/scripts/" + id + "?version=1").json["body"]).find("给您带来不便非常抱歉"),
            std::string::npos);
  auto [customer, mobile] = CustomerWhere(demo_->db, "1");
  Reply suggested = agent.Get("/api/v1/scripts/suggest?customer_id=" + customer + "&ticket_type=complaint");
  ASSERT_EQ(suggested.status, 200) << suggested.body;
  EXPECT_EQ(int64_t(suggested.json["script"]["version"]), 2);
  EXPECT_EQ(Str(suggested.json["script"]["text"]).find("{{"), std::string::npos);
  // The code tree: replaced whole, checked before anything is written.
  Reply bad_tree = admin.Put("/api/v1/callcenter/wrap-up-codes",
                             R"({"codes":[{"code":"a","label":"A"},{"code":"b.c","parent":"b","label":"C"}]})");
  EXPECT_EQ(bad_tree.status, 422);
  EXPECT_EQ(Str(bad_tree.json["error"]["field"]), "codes[1].parent");
  EXPECT_GT(agent.Get("/api/v1/callcenter/wrap-up-codes").json["items"].get_array().size(), 10u) << "unchanged";
  Reply tree = admin.Put("/api/v1/callcenter/wrap-up-codes",
                         R"({"codes":[{"code":"inquiry","label":"咨询"},{"code":"inquiry.fees","parent":"inquiry","label":"费用"},{"code":"other","label":"其他","active":false}]})");
  ASSERT_EQ(tree.status, 200) << tree.body;
  EXPECT_EQ(tree.json["items"].get_array().size(), 3u);
}

TEST(PhoneNumberTest, NormalisesWhatPeopleType) {
  auto digits = [](std::string_view text) {
    auto n = NormalisePhoneNumber(text);
    return n.ok() ? n->digits : "error: " + n.status().message();
  };
  EXPECT_EQ(digits("13800138000"), "13800138000");
  EXPECT_EQ(digits("+86 138-0013-8000"), "13800138000");
  EXPECT_EQ(digits("0086 13800138000"), "13800138000");
  EXPECT_EQ(digits("8613800138000"), "13800138000");
  EXPECT_EQ(digits("(021) 6888 1234"), "02168881234");
  EXPECT_EQ(digits("+86 21 6888 1234"), "02168881234");
  EXPECT_EQ(digits("0755-8888-1234"), "075588881234");
  EXPECT_EQ(digits("+852 9123 4567"), "+85291234567");
  for (std::string_view bad : {"", "12345", "138001380001", "1380013800a", "138 0013 8000 ext 1", "++8613800138000",
                               "21 6888 1234", "0086", "+0123456789"}) {
    EXPECT_FALSE(NormalisePhoneNumber(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace fincrm::testing
