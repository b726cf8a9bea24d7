// The example module (api/modules/example_module.h) run beside the service center's:
// its route is behind the gate's permission check, it sees the tickets module's
// events, and its job runs through the scheduler with a durable run record.
#include "api/modules/example_module.h"

#include <gtest/gtest.h>

#include "api/api_test_support.h"
#include "service/jobs/scheduler.h"

namespace fincrm::testing {
namespace {

TEST(ExampleModuleTest, ARouteAnEventHandlerAndAJob) {
  ServiceModule* example = nullptr;
  DemoServer demo;
  demo.modules = [&] {
    std::vector<std::unique_ptr<ServiceModule>> modules = DefaultServiceModules();
    modules.push_back(MakeExampleModule());
    example = modules.back().get();
    return modules;
  };
  demo.Start(200);
  ApiClient agent = demo.As("agent");
  std::string customer = demo.AllListed(agent).front();
  for (const char* type : {"complaint", "inquiry", "inquiry"}) {
    Reply created = agent.Post("/api/v1/tickets", R"({"customer_id":")" + customer + R"(","type":")" + type +
                                                      R"(","subject":"示例"})");
    ASSERT_EQ(created.status, 201) << created.body;
  }
  demo.server->module_events().Drain();
  Reply tally = agent.Get("/api/v1/examples/ticket-tally");
  ASSERT_EQ(tally.status, 200) << tally.body;
  EXPECT_EQ(int64_t(tally.json["created"]["inquiry"]), 2);
  EXPECT_EQ(int64_t(tally.json["created"]["complaint"]), 1);
  EXPECT_EQ(demo.As("research").Get("/api/v1/examples/ticket-tally").status, 403) << "the gate, not the handler";

  Scheduler jobs(demo.db, example->Jobs({}), "test-runner");
  auto run = jobs.RunOnce("example-ticket-tally", CurrentTime());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->outcome, "ok");
  EXPECT_EQ(run->rows_touched, 3);
  EXPECT_NE(run->message.find("\"inquiry\":2"), std::string::npos) << run->message;
}

}  // namespace
}  // namespace fincrm::testing
