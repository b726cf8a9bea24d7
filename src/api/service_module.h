// Service modules (随时增加服务模块): a part of the service center — tickets, the call
// center, return visits, scripts — that plugs into the server without touching its
// core. At construction a module declares its routes, each with the permission the
// server's single gate checks before the handler runs (a handler never checks roles);
// at start it opens its own stores (applying its own migrations) and starts whatever
// runs in the background; it declares the scheduled jobs it brings and the events of
// other modules it reacts to; at stop it finishes. docs/modules.md shows how to write one.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/access_policy.h"
#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "api/http_types.h"
#include "core/date_time.h"
#include "core/interaction.h"
#include "core/status.h"
#include "service/customer_event.h"
#include "service/jobs/service_jobs.h"

namespace fincrm {

class AuditRecorder;

// One request as a module's handler sees it: what was asked, by whom (with the scope
// the gate derived), the caller's connection to the main store, and the audit trail.
struct ModuleCall {
  HttpRequest& request;
  const Principal& principal;
  Store& store;
  AuditRecorder& audit;
};
using ModuleHandler = std::function<HttpResponse(ModuleCall&)>;

struct ModuleRoute {
  std::string method;
  std::string pattern;  // "/api/v1/tickets/{ticket_id}": "{name}" segments capture
  Permission permission;
  ModuleHandler handler;
  // A few index lookups that never wait (no commit, no scan): runs on the I/O thread,
  // saving two thread hand-offs (the screen pop).
  bool quick = false;
};

// Something that happened in a module that others may react to: "ticket.created" and
// "ticket.resolved" (subject_id the ticket, kind its type) so far.
struct ModuleEvent {
  std::string type;
  std::string customer_id;
  int64_t subject_id = 0;
  std::string kind;
  Timestamp at;
};
// Runs on the server's event thread (fincrm-events), after the publishing request has
// been answered: a failure is logged, and the daily jobs are what guarantee the
// outcome (a handler gives immediacy, not durability).
struct ModuleEventHandler {
  std::string type;
  std::function<Status(const ModuleEvent&)> handle;
};

// What the server gives a module when it starts.
struct ModuleEnvironment {
  std::string db_path;
  AuditRecorder* audit = nullptr;
  // The clock of business rules (SLA due times); tests set it.
  std::function<Timestamp()> now = CurrentTime;
  // Puts a contact on the customer's timeline through the server's event ingest (so the
  // live aggregates count it like any other); idempotent by interaction_id.
  std::function<Status(const Interaction&)> record_interaction;
  // Many at once (a report's deliveries), in batches.
  std::function<Status(const std::vector<Interaction>&)> record_interactions;
  // Changes a customer's profile fields through the same ingest (a new risk grade);
  // idempotent by `change_id`.
  std::function<Status(const std::string& change_id, const ProfileChange&)> change_profile;
  // A customer's newest contacts, those the ingest has committed but not yet applied to
  // the store included (what the 360 view shows).
  std::function<std::vector<Interaction>(Store& store, const std::string& customer_id, int limit)> recent_interactions;
  // Signs out every session of a login (an investor who set a new password).
  std::function<int(const std::string& login)> end_sessions = [](const std::string&) { return 0; };
  // Reads the server's live facts (FactTables with the latest tiers and clusters) under
  // their shared lock; Unavailable while they load.
  std::function<Status(const std::function<void(const FactTables&, const CubeContext&)>&)> read_live_facts;
  // Hands an event to the modules that handle its type; never waits for them.
  std::function<void(ModuleEvent)> publish = [](ModuleEvent) {};
};

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  virtual std::string_view name() const = 0;
  // Declared once, before the server starts; the server routes them through its gate.
  virtual std::vector<ModuleRoute> Routes() = 0;
  // Opens the module's stores (migrating them) and starts its background work.
  virtual Status Start(const ModuleEnvironment& environment) = 0;
  virtual void Stop() {}
  // The jobs the module brings to the server's scheduler (and `fincrm jobs`): called
  // before Start, so a job opens what it needs from its JobContext.
  virtual std::vector<Job> Jobs(const ServiceJobOptions&) { return {}; }
  // The events it reacts to; read once, before Start (a handler runs only once every
  // module has started).
  virtual std::vector<ModuleEventHandler> EventHandlers() { return {}; }
  // Members of the OpenAPI document's `paths` object for routes docs/openapi.json does
  // not hold (`"/api/v1/x": {"get": {"operationId": ...}}`, without braces): the server
  // serves them in its /api/v1/openapi.json. The default modules' paths are in the file.
  virtual std::string OpenApiPaths() const { return {}; }
};

// `document` (the OpenAPI file) with each module's paths added; InvalidArgument naming
// the module whose paths are not JSON members or repeat a path the document has.
Result<std::string> OpenApiWithModulePaths(std::string_view document,
                                           const std::vector<std::unique_ptr<ServiceModule>>& modules);

// The scheduler's jobs: the server's own (service_jobs.h: the nightly analysis and
// rescoring) and each module's.
std::vector<Job> SchedulerJobs(const ServiceJobOptions& options,
                               const std::vector<std::unique_ptr<ServiceModule>>& modules);

// The modules a server runs unless told otherwise: the service center's.
std::vector<std::unique_ptr<ServiceModule>> DefaultServiceModules();

}  // namespace fincrm
