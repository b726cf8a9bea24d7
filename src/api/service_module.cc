#include "api/service_module.h"

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

}  // namespace fincrm
