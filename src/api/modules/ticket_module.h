// The tickets module (服务工单): create, read, list and change tickets, each change
// recorded and audited, with SLA clocks on the brokerage's business calendar.
//   POST  /api/v1/tickets              {customer_id, type, priority, subject, description,
//                                        channel?, owner?, team?, complaint_category?}
//   GET   /api/v1/tickets?state=&owner=&customer_id=&breached=&after=&limit=
//   GET   /api/v1/tickets/{ticket_id}  with its history and SLA status
//   PATCH /api/v1/tickets/{ticket_id}  {state?, priority?, owner?, team?, complaint_category?}
//   GET   /api/v1/sla-policies, GET /api/v1/calendar
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeTicketModule();

}  // namespace fincrm
