// The smallest complete service module, to copy when writing one (docs/modules.md):
// a route behind a permission, a reaction to another module's events, and a scheduled
// job. It tallies the tickets created and resolved, by type, since the server started:
//   GET /api/v1/examples/ticket-tally  {"since", "created": {type: n}, "resolved": {type: n}}
//   job example-ticket-tally (hourly): the tally as its run record's message.
// Its route's OpenAPI path comes with it (ServiceModule::OpenApiPaths).
// Not among DefaultServiceModules(): a server runs it only when given it. A module that
// keeps data adds a storage interface and migrations as the tickets module does.
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeExampleModule();

}  // namespace fincrm
