#include "api/modules/example_module.h"

#include <map>
#include <mutex>

#include "core/json_writer.h"

namespace fincrm {
namespace {

class ExampleModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "example"; }

  std::vector<ModuleRoute> Routes() override {
    // The gate checks kReadTickets before the handler runs; a handler never looks at roles.
    return {{"GET", "/api/v1/examples/ticket-tally", Permission::kReadTickets, [this](ModuleCall&) {
               HttpResponse response;
               response.body = TallyJson();
               return response;
             }}};
  }

  Status Start(const ModuleEnvironment& environment) override {
    std::lock_guard lock(mutex_);
    since_ = environment.now();
    return Status::Ok();
  }

  std::vector<ModuleEventHandler> EventHandlers() override {
    auto count = [this](std::map<std::string, int64_t>& tally) {
      return [this, &tally](const ModuleEvent& event) {
        std::lock_guard lock(mutex_);
        ++tally[event.kind];
        return Status::Ok();
      };
    };
    return {{"ticket.created", count(created_)}, {"ticket.resolved", count(resolved_)}};
  }

  // A module outside docs/openapi.json describes its routes itself.
  std::string OpenApiPaths() const override {
    return R"json("/api/v1/examples/ticket-tally": {"get": {"operationId": "getExampleTicketTally",
      "summary": "Tickets created and resolved by type since the server started (the example module)",
      "tags": ["Examples"], "security": [{"bearer": []}, {"cookie": []}],
      "responses": {"200": {"description": "the tally", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"since": {"type": "string", "format": "date-time"},
          "created": {"type": "object", "additionalProperties": {"type": "integer"}},
          "resolved": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}},
        "401": {"description": "not signed in"}, "403": {"description": "no permission to read tickets"}}}})json";
  }

  std::vector<Job> Jobs(const ServiceJobOptions&) override {
    Job job;
    job.name = "example-ticket-tally";
    job.description = "log the tickets created and resolved since the server started (the example module)";
    job.schedule.every_seconds = 3600;
    job.run = [this](const JobContext&) -> Result<JobOutcome> {
      std::lock_guard lock(mutex_);
      int64_t total = 0;
      for (const auto& [type, n] : created_) total += n;
      return JobOutcome{total, TallyJsonLocked()};
    };
    return {job};
  }

 private:
  std::string TallyJson() {
    std::lock_guard lock(mutex_);
    return TallyJsonLocked();
  }
  std::string TallyJsonLocked() const {
    JsonWriter json;
    json.BeginObject().Field("since", FormatTimestamp(since_));
    for (const auto* tally : {&created_, &resolved_}) {
      json.Key(tally == &created_ ? "created" : "resolved").BeginObject();
      for (const auto& [type, n] : *tally) json.Field(type, n);
      json.EndObject();
    }
    json.EndObject();
    return json.Take();
  }

  std::mutex mutex_;
  Timestamp since_;
  std::map<std::string, int64_t> created_, resolved_;
};

}  // namespace

std::unique_ptr<ServiceModule> MakeExampleModule() { return std::make_unique<ExampleModule>(); }

}  // namespace fincrm
