// The gateways a campaign's messages leave by, one interface: a batch in, one outcome
// per message out. E-mail goes over SMTP (libcurl: STARTTLS and authentication when
// configured); SMS through an HTTP gateway shaped like Aliyun's SendSms or Tencent
// Cloud's SendSms; portal messages onto the customer's timeline, which the investor
// portal reads. A gateway call is never repeated for a message it may have accepted:
// the outbox (outbox_dispatcher.h) claims before and settles after.
//
// Threading: one thread at a time per gateway (the dispatcher's thread for its channel).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/campaign.h"
#include "core/interaction.h"
#include "core/status.h"

namespace fincrm {

struct SendOutcome {
  enum Kind {
    kAccepted,  // the gateway took it (sent)
    kRetry,     // it did not, for a reason that may pass (no connection, 4xx, throttled)
    kRejected,  // it never will (a malformed address, a 5xx for this recipient)
  } kind = kRetry;
  bool delivered = false;    // known delivered at once (the portal)
  bool hard_bounce = false;  // the mailbox or number does not exist: do-not-contact
  std::string provider_id;
  std::string error;
};

class MessageGateway {
 public:
  virtual ~MessageGateway() = default;
  virtual CampaignChannel channel() const = 0;
  // At most this many messages in one Send (one claim).
  virtual int batch_limit() const = 0;
  virtual std::vector<SendOutcome> Send(const std::vector<CampaignMessage>& batch) = 0;
};

struct SmtpOptions {
  std::string url;       // smtp://host:port or smtps://host:port
  std::string from;      // the envelope and From address
  bool starttls = false;  // require STARTTLS on smtp://
  std::string user, password;
  int timeout_seconds = 30;
  std::string unsubscribe_base;  // "<public URL>/api/v1/unsubscribe/": the out id follows
};
std::unique_ptr<MessageGateway> MakeSmtpGateway(SmtpOptions options);

enum class SmsProvider { kAliyun, kTencent };
struct SmsGatewayOptions {
  SmsProvider provider = SmsProvider::kAliyun;
  std::string url;  // the gateway's endpoint (a company's SMS proxy, or the test's)
  std::string sign_name;   // default when a campaign names none
  std::string app_id;      // Tencent's SmsSdkAppId
  int timeout_seconds = 15;
};
std::unique_ptr<MessageGateway> MakeSmsGateway(SmsGatewayOptions options);

// Portal messages become outbound interactions (channel website) through `record`.
std::unique_ptr<MessageGateway> MakePortalGateway(std::function<Status(const std::vector<Interaction>&)> record);

// The gateway request bodies, exposed for tests: Aliyun's SendSms with one template
// parameter set (the messages share it) and Tencent's with positional parameters.
std::string AliyunSendSmsBody(const std::vector<const CampaignMessage*>& batch, const std::string& sign_name,
                              const std::string& template_code);
std::string TencentSendSmsBody(const std::vector<const CampaignMessage*>& batch, const std::string& sign_name,
                               const std::string& template_id, const std::string& app_id);

}  // namespace fincrm
