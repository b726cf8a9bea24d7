// Campaigns (营销活动) and their outbound messages: a segment of customers, one channel
// (e-mail, SMS, the investor portal), a template filled per customer, a product and its
// risk level when the campaign promotes one, and a hold-out control group fixed when
// the audience is built. Each message goes through a durable outbox (queued → sending →
// sent → delivered | failed | bounced) with an out id that no two sends share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

enum class CampaignChannel { kEmail, kSms, kPortal };
template <> struct EnumInfo<CampaignChannel> {
  static constexpr std::string_view kTypeName = "campaign channel";
  static constexpr EnumName kNames[] = {{0, "email", "电子邮件"}, {1, "sms", "短信"}, {2, "portal", "网上营业厅"}};
};

enum class CampaignState { kDraft, kRunning, kPaused, kCancelled, kFinished };
template <> struct EnumInfo<CampaignState> {
  static constexpr std::string_view kTypeName = "campaign state";
  static constexpr EnumName kNames[] = {
      {0, "draft", "草稿"}, {1, "running", "发送中"}, {2, "paused", "已暂停"}, {3, "cancelled", "已取消"}, {4, "finished", "已完成"}};
};

// Promotion: it offers a product (the suitability gate and the contact budget apply);
// retention: it is meant to keep customers (its results compare churn); service: a
// notice (neither the gate nor the budget).
enum class CampaignPurpose { kPromotion, kRetention, kService };
template <> struct EnumInfo<CampaignPurpose> {
  static constexpr std::string_view kTypeName = "campaign purpose";
  static constexpr EnumName kNames[] = {{0, "promotion", "产品推介"}, {1, "retention", "客户挽留"}, {2, "service", "服务通知"}};
};

// `sending` is claimed before the gateway is called: a message found there after a
// restart is in doubt and is never sent again (at most once); a receipt still settles it.
enum class MessageState { kQueued, kSending, kSent, kDelivered, kFailed, kBounced };
template <> struct EnumInfo<MessageState> {
  static constexpr std::string_view kTypeName = "message state";
  static constexpr EnumName kNames[] = {{0, "queued", "待发送"}, {1, "sending", "发送中"}, {2, "sent", "已发送"},
                                        {3, "delivered", "已送达"}, {4, "failed", "失败"},  {5, "bounced", "退信"}};
};

// What became of one member of the audience when it was built.
enum class RecipientOutcome { kMessaged, kControl, kSuitabilityBlocked, kDoNotContact, kContactBudget, kNoAddress };
template <> struct EnumInfo<RecipientOutcome> {
  static constexpr std::string_view kTypeName = "recipient outcome";
  static constexpr EnumName kNames[] = {{0, "messaged", "已发送"},       {1, "control", "对照组"},
                                        {2, "suitability_blocked", "适当性拦截"}, {3, "do_not_contact", "免打扰"},
                                        {4, "contact_budget", "超出接触上限"},    {5, "no_address", "无联系方式"}};
};

enum class DoNotContactReason { kUnsubscribed, kBounced, kComplaint, kManual };
template <> struct EnumInfo<DoNotContactReason> {
  static constexpr std::string_view kTypeName = "do-not-contact reason";
  static constexpr EnumName kNames[] = {
      {0, "unsubscribed", "退订"}, {1, "bounced", "退信"}, {2, "complaint", "投诉"}, {3, "manual", "人工设置"}};
};

struct Campaign {
  int64_t campaign_id = 0;
  std::string name;
  CampaignChannel channel = CampaignChannel::kEmail;
  CampaignPurpose purpose = CampaignPurpose::kPromotion;
  std::string segment;  // the definition as JSON (service/campaigns/segment.h)
  // Templates with {{field}} placeholders: e-mail and portal use the subject and both
  // bodies (the portal the text one); SMS fills the gateway's template code with the
  // text body's placeholders as its parameters.
  std::string subject;
  std::string body_text;
  std::string body_html;
  std::string sms_template_code;
  std::string sms_sign_name;
  std::string link_url;  // where a click goes (the redirect link), optional
  // The product promoted (a trade of this symbol or product id is a conversion) and
  // its risk level; a promotion cannot launch without the level.
  std::string product_id;
  std::optional<ProductRisk> product_risk;
  int control_percent = 10;
  int conversion_days = 30;
  Timestamp scheduled_at;  // 0: at launch
  CampaignState state = CampaignState::kDraft;
  std::string branch_id;  // a branch manager's campaign stays in their branch; "" head office
  std::string created_by;
  Timestamp created_at, launched_at, finished_at;
  // The audience as built at launch.
  int64_t audience = 0, control = 0, messaged = 0, suitability_blocked = 0, do_not_contact = 0, contact_budget = 0,
          no_address = 0;
};

struct CampaignRecipient {
  int64_t campaign_id = 0;
  std::string customer_id;
  std::string branch_id, broker_id;  // the customer's at launch: results in the caller's scope
  bool control = false;
  bool eligible = false;  // no exclusion applies (a control member: would have been messaged)
  RecipientOutcome outcome = RecipientOutcome::kMessaged;
  std::string rule;  // the suitability rule of a block
};

struct CampaignMessage {
  int64_t message_id = 0;
  int64_t campaign_id = 0;
  std::string customer_id;
  CampaignChannel channel = CampaignChannel::kEmail;
  std::string out_id;   // unique: the Message-ID, the tracking and unsubscribe token
  std::string batch_id; // the SMS request it went in (Aliyun's OutId, Tencent's SessionContext)
  std::string address;  // e-mail address or mobile number
  std::string subject;
  std::string body_text;
  std::string body_html;
  std::string template_params;  // SMS: the template parameters as a JSON object
  MessageState state = MessageState::kQueued;
  int attempts = 0;
  Timestamp next_attempt_at;
  Timestamp sent_at, delivered_at, opened_at, clicked_at, replied_at;
  std::string provider_id;  // the gateway's id (Aliyun BizId, Tencent SerialNo)
  std::string error;
  bool promotional = false;  // counts against the contact budget
  Timestamp queued_at;
  // The campaign's, read with a claim (not kept per message).
  std::string template_code, sign_name;
};

struct DoNotContact {
  std::string customer_id;
  CampaignChannel channel = CampaignChannel::kEmail;
  DoNotContactReason reason = DoNotContactReason::kManual;
  std::string note;
  std::string recorded_by;
  Timestamp recorded_at;
};

}  // namespace fincrm
