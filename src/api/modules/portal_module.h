// The investor portal's own module (网上营业厅): activation of a customer's login with a
// one-time code from the counter, and the customer's own overview and messages. The
// portal's other pages are served by the modules whose data they show: the feed and
// reports (research), the questionnaire (suitability), service requests (tickets).
// Sign-in is the server's (POST /api/v1/portal/login), behind the same gate as staff's.
//   POST /api/v1/customers/{customer_id}/portal-activation   staff: a one-time code, 24 hours
//   POST /api/v1/portal/activate    {customer_id, code, password}: the customer sets their password
//   GET  /api/v1/portal/me          profile (masked), service class, suitability standing, holdings
//   GET  /api/v1/portal/messages    what the brokerage sent the customer, newest first
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakePortalModule();

}  // namespace fincrm
