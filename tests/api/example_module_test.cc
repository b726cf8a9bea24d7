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
  Reply openapi = agent.Get("/api/v1/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  EXPECT_EQ(Str(openapi.json["paths"]["/api/v1/examples/ticket-tally"]["get"]["operationId"]), "getExampleTicketTally");
  EXPECT_FALSE(openapi.json["paths"]["/api/v1/tickets"]["post"].error()) << "the file's paths stay";

  Scheduler jobs(demo.db, example->Jobs({}), "test-runner");
  auto run = jobs.RunOnce("example-ticket-tally", CurrentTime());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->outcome, "ok");
  EXPECT_EQ(run->rows_touched, 3);
  EXPECT_NE(run->message.find("\"inquiry\":2"), std::string::npos) << run->message;
}

// A module whose paths are not JSON, or repeat one the document has, stops the server
// from starting instead of serving a broken document.
class BrokenPathsModule final : public ServiceModule {
 public:
  explicit BrokenPathsModule(std::string paths) : paths_(std::move(paths)) {}
  std::string_view name() const override { return "broken"; }
  std::vector<ModuleRoute> Routes() override { return {}; }
  Status Start(const ModuleEnvironment&) override { return Status::Ok(); }
  std::string OpenApiPaths() const override { return paths_; }

 private:
  std::string paths_;
};

TEST(ExampleModuleTest, BadOpenApiPathsAreRefusedNamingTheModule) {
  for (const char* paths : {R"("/x": {"get": )", R"("/api/v1/tickets": {})"}) {
    std::vector<std::unique_ptr<ServiceModule>> modules;
    modules.push_back(std::make_unique<BrokenPathsModule>(paths));
    auto merged = OpenApiWithModulePaths(R"({"openapi": "3.0.3", "paths": {"/api/v1/tickets": {}}})", modules);
    ASSERT_FALSE(merged.ok()) << paths;
    EXPECT_NE(merged.status().message().find("the broken module's OpenAPI paths"), std::string::npos)
        << merged.status().message();
  }
}

}  // namespace
}  // namespace fincrm::testing
