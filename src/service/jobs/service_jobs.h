// The jobs the server's scheduler runs (and `fincrm jobs run-once` runs by name); the
// first two are brought by the modules they belong to (ServiceModule::Jobs):
//
// - sla-escalation: tickets past their resolution due time are escalated — level 1 to
//   the owner's branch manager, level 2 to the head-office service center once a
//   further `second_level_after_seconds` of business time has passed. Each escalation
//   is recorded on the ticket (its history), and is a follow-up task, an alert and a
//   signed webhook delivery to every subscriber of "sla_breach".
// - return-visit-planning: daily, the return visits the rules of
//   service/return_visits/visit_planner.h require, each planned once.
// - nightly-analysis: what `fincrm analyze` runs (value, tiers, segments, churn
//   model, KPIs), daily at a time after the day's trading import, and at once on a
//   database that has never been analysed, so that a server with fresh data never
//   shows an empty dashboard.
// - rescoring: the server's live churn rescoring (server only: it scores the live
//   facts of the events this server received).
#pragma once

#include <functional>
#include <vector>

#include "core/status.h"
#include "service/campaigns/campaign_options.h"
#include "service/jobs/scheduler.h"
#include "service/return_visits/visit_planner.h"
#include "service/suitability/suitability_gate.h"

namespace fincrm {

struct ServiceJobOptions {
  int64_t sla_escalation_every_seconds = 60;
  int64_t second_level_after_seconds = 4 * 3600;  // business time after the breach
  // 18:30 Shanghai: trading closes at 15:00 and the head office's day files arrive by ~17:30.
  int nightly_analysis_minute = 18 * 60 + 30;
  // 07:00 Shanghai: the day's visits are in the worklist before the call center opens.
  int return_visit_planning_minute = 7 * 60;
  VisitPlanningOptions visits;
  SuitabilityOptions suitability;  // read by the suitability, research, NBA and portal modules
  int nba_hold_out_percent = 10;   // read by the next-best-action module
  CampaignOptions campaigns;       // read by the campaign module
  // The server's rescoring, or empty (the command line has no live facts).
  std::function<Result<int>()> rescore;
  int64_t rescore_every_seconds = 30;
};

// The server's own jobs: nightly-analysis, and rescoring when `options.rescore` is set.
std::vector<Job> ServiceJobs(const ServiceJobOptions& options);
// The tickets module's and the return-visit module's (api/modules) jobs.
Job SlaEscalationJob(const ServiceJobOptions& options);
Job ReturnVisitPlanningJob(const ServiceJobOptions& options);

// "18:30" → minutes after midnight; InvalidArgument otherwise.
Result<int> ParseTimeOfDay(std::string_view text);

}  // namespace fincrm
