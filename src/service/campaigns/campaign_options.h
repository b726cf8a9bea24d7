// How the campaign module is configured (fincrm serve's --smtp-*, --sms-*, --campaign-*
// options): the gateways, the outbox's pacing and retries, the links in messages and
// the contact budget.
#pragma once

#include <string>

#include "service/campaigns/message_gateway.h"
#include "service/campaigns/outbox_dispatcher.h"

namespace fincrm {

struct CampaignOptions {
  SmtpOptions smtp;       // url empty: no e-mail campaigns launch
  SmsGatewayOptions sms;  // url empty: no SMS campaigns launch
  OutboxOptions outbox;
  // The server as customers reach it: tracking pixels, click links, unsubscribe.
  std::string public_url = "http://127.0.0.1:8080";
  int contact_limit = 3;  // promotional contacts in 30 days, all channels together
};

}  // namespace fincrm
