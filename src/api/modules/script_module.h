// The service scripts module (统一服务规范): versioned scripts per call type, ticket type
// and customer tier, with placeholders filled from the customer.
//   GET   /api/v1/scripts                       the current version of each script
//   POST  /api/v1/scripts                       {title, body, call_type?, ticket_type?, tier?, active?}
//   GET   /api/v1/scripts/suggest?customer_id=&call_type=&ticket_type=   the script to use, filled
//   GET   /api/v1/scripts/{script_id}?version=  one script (any kept version)
//   PATCH /api/v1/scripts/{script_id}           a new version
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeScriptModule();

}  // namespace fincrm
