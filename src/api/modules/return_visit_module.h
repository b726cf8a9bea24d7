// The return-visits module (回访): the visits the planning job (service/jobs) made, in
// the caller's scope, each attempt recorded and audited, and the quota per branch.
//   GET   /api/v1/return-visits?status=due|overdue|done&customer_id=&after=&limit=
//   PATCH /api/v1/return-visits/{visit_id}  {outcome, notes?, script_version?}: one attempt
//   GET   /api/v1/return-visits/quota?year=  per branch: required, done, overdue
// Read and written with the ticket permissions: both are the service center's work.
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeReturnVisitModule();

}  // namespace fincrm
