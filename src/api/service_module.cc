#include "api/service_module.h"

#include <simdjson.h>

#include <algorithm>

namespace fincrm {

std::vector<Job> SchedulerJobs(const ServiceJobOptions& options,
                               const std::vector<std::unique_ptr<ServiceModule>>& modules) {
  std::vector<Job> jobs;
  for (const auto& module : modules) {
    for (Job& job : module->Jobs(options)) jobs.push_back(std::move(job));
  }
  for (Job& job : ServiceJobs(options)) jobs.push_back(std::move(job));
  return jobs;
}

Result<std::string> OpenApiWithModulePaths(std::string_view document,
                                           const std::vector<std::unique_ptr<ServiceModule>>& modules) {
  std::string merged(document);
  constexpr std::string_view kPaths = "\"paths\": {";
  size_t at = merged.find(kPaths);
  if (at == std::string::npos) return InvalidArgument("the OpenAPI document has no paths object");
  at += kPaths.size();
  simdjson::dom::parser parser;
  simdjson::dom::element existing;
  if (parser.parse(document).get(existing) != simdjson::SUCCESS) return InvalidArgument("the OpenAPI document is not JSON");
  simdjson::dom::object known;
  if (existing["paths"].get(known) != simdjson::SUCCESS) return InvalidArgument("the OpenAPI document has no paths object");
  std::vector<std::string> known_paths;
  for (auto field : known) known_paths.emplace_back(field.key);
  for (const auto& module : modules) {
    std::string paths = module->OpenApiPaths();
    if (paths.empty()) continue;
    std::string object = "{" + paths + "}";
    simdjson::dom::parser fragment_parser;
    simdjson::dom::object added;
    std::string who = "the " + std::string(module->name()) + " module's OpenAPI paths";
    if (fragment_parser.parse(object).get(added) != simdjson::SUCCESS) return InvalidArgument(who + " are not JSON members");
    for (auto field : added) {
      std::string path(field.key);
      if (std::find(known_paths.begin(), known_paths.end(), path) != known_paths.end()) {
        return InvalidArgument(who + " repeat " + path);
      }
      known_paths.push_back(path);
    }
    merged.insert(at, "\n" + paths + ",");
  }
  return merged;
}

}  // namespace fincrm
