// The campaign module (营销活动): segments with live audience counts, campaigns on
// e-mail, SMS and the investor portal through the durable outbox, do-not-contact, the
// tracking of opens, clicks and unsubscribes, SMS receipts, and results with the
// hold-out group's uplift. docs/campaigns.md has the rules.
//   POST /api/v1/campaigns/audience                         {"segment", "channel"?, "risk_level"?}
//   POST /api/v1/campaigns                                  create a draft
//   GET  /api/v1/campaigns, /api/v1/campaigns/{campaign_id}
//   POST /api/v1/campaigns/{campaign_id}/launch|pause|resume|cancel
//   GET  /api/v1/campaigns/{campaign_id}/results, .../messages
//   POST /api/v1/sms/receipts, /api/v1/sms/replies          the gateway's status reports and upstream replies
//   GET  /api/v1/customers/{customer_id}/do-not-contact
//   PUT|DELETE /api/v1/customers/{customer_id}/do-not-contact/{channel}
//   GET  /api/v1/t/o/{out_id} (pixel), /api/v1/t/c/{out_id} (click), GET|POST /api/v1/unsubscribe/{out_id}
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeCampaignModule();

}  // namespace fincrm
