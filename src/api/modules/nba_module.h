// The next-best-action module (下一最佳行动): a customer's ranked actions with their
// reasons, eligibility traces, suitability decisions, contact budget and priority
// breakdown; staff accept or dismiss them, and the outcomes feed back.
//   GET  /api/v1/customers/{customer_id}/next-best-actions?limit=3
//   GET  /api/v1/next-best-actions?limit=20   the worklist: actions across the caller's customers
//   POST /api/v1/customers/{customer_id}/next-best-actions/{action}/accept   {note?}
//   POST /api/v1/customers/{customer_id}/next-best-actions/{action}/dismiss  {note?}
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeNbaModule();

}  // namespace fincrm
