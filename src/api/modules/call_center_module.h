// The call center module (呼叫中心), docs/cti.md and docs/service-center.md:
//   POST  /api/v1/cti                          the PBX's newCall / answer / hangup (API key, scope cti)
//   GET   /api/v1/cti/agents/{login}           whether an agent is ready for the next call
//   GET   /api/v1/callcenter/lookup?phone=     the screen pop: who is calling, and what they need
//   GET   /api/v1/callcenter/stream            Server-Sent Events: screen pops and the agent's calls
//   GET   /api/v1/callcenter/me                the signed-in agent's readiness
//   GET|PUT /api/v1/callcenter/wrap-up-codes   the wrap-up code tree
//   GET   /api/v1/calls, /api/v1/calls/{call_id}; POST /api/v1/calls/{call_id}/wrap-up
//   POST|GET /api/v1/callbacks; PATCH /api/v1/callbacks/{callback_id}
//   GET   /api/v1/worklist                     due callbacks, return visits and tickets, by due time
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeCallCenterModule();

}  // namespace fincrm
