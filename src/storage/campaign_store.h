// CampaignStore: campaigns, the audience each was launched to (with its arm and what
// became of every member), the durable outbox of their messages, and do-not-contact
// per customer and channel. Implemented for SQLite in sqlite/sqlite_campaign_store.cc.
//
// The outbox is what makes a send happen at most once: a message is claimed
// (queued → sending) in a committed transaction before its gateway is called, and
// settled (sent, or back to queued for a retry, or failed) after. A message still
// `sending` when the server starts was in flight when it stopped: RecoverInDoubt marks
// it failed (in_doubt) instead of sending it a second time.
//
// Threading: one thread at a time per CampaignStore; open one per thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/campaign.h"
#include "core/status.h"

namespace fincrm {

struct CampaignListQuery {
  std::string branch_id;  // only this branch's campaigns (a branch manager), "" all
  int limit = 50;
  int64_t before_id = 0;  // keyset paging, newest first
};

struct MessageListQuery {
  int64_t campaign_id = 0;
  std::optional<MessageState> state;
  int64_t after_id = 0;
  int limit = 100;
};

// One member of the audience with their message, for the results.
struct RecipientResult {
  std::string customer_id;
  std::string branch_id, broker_id;
  bool control = false;
  bool eligible = false;  // would be (control) or was (treated) messaged
  RecipientOutcome outcome = RecipientOutcome::kMessaged;
  std::optional<MessageState> state;  // of the message, when one was queued
  Timestamp sent_at, opened_at, clicked_at, replied_at;
};

// A gateway's status report for one message.
struct DeliveryReceipt {
  std::string out_id;        // ours as sent (Aliyun's OutId: the batch)
  std::string address;       // the number, when the out id names a batch
  std::string provider_id;   // the gateway's per-number id (Tencent's sid), when given
  bool delivered = false;
  bool hard_bounce = false;  // the number or mailbox does not exist
  std::string error;         // the gateway's code (DELIVERED, UNDELIV…)
  Timestamp at;
};

class CampaignStore {
 public:
  virtual ~CampaignStore() = default;

  virtual Result<int64_t> Create(const Campaign& campaign) = 0;
  virtual Result<std::optional<Campaign>> Get(int64_t campaign_id) = 0;
  virtual Result<std::vector<Campaign>> List(const CampaignListQuery& query) = 0;
  // Moves a campaign between states: FailedPrecondition (field "state") when it is not
  // in one of `from`.
  virtual Status SetState(int64_t campaign_id, const std::vector<CampaignState>& from, CampaignState to, Timestamp at) = 0;
  // In one transaction: the audience, the queued messages (out ids assigned here) and
  // the campaign running with its counts; FailedPrecondition unless it was a draft.
  virtual Status Launch(const Campaign& counts, const std::vector<CampaignRecipient>& audience,
                        std::vector<CampaignMessage>& messages) = 0;

  // Claims up to `limit` of the channel's queued messages due by `now` of running
  // campaigns (oldest first), committed as `sending` before they are returned.
  virtual Result<std::vector<CampaignMessage>> ClaimDue(CampaignChannel channel, Timestamp now, int limit) = 0;
  // Settles claimed messages, all in one transaction.
  struct Settlement {
    int64_t message_id = 0;
    enum Kind { kSent, kRetry, kFailed } kind = kSent;
    bool delivered = false;    // kSent: known delivered at once (the portal)
    bool hard_bounce = false;  // kFailed: bounced, and do-not-contact for the channel
    std::string provider_id;
    std::string error;
    Timestamp at;            // sent at
    Timestamp next_attempt;  // kRetry
  };
  virtual Status Settle(const std::vector<Settlement>& settlements) = 0;
  // Messages left `sending` by a stopped server become failed (in_doubt); answers how many.
  virtual Result<int64_t> RecoverInDoubt(Timestamp now) = 0;
  // Running campaigns whose messages are all settled become finished; answers them.
  virtual Result<std::vector<int64_t>> FinishSettled(Timestamp now) = 0;
  // The message a receipt is for, updated (delivered, failed or bounced); NotFound when
  // it names none. A hard bounce also records do-not-contact for its channel.
  virtual Result<CampaignMessage> ApplyReceipt(const DeliveryReceipt& receipt) = 0;
  virtual Result<std::optional<CampaignMessage>> FindMessage(const std::string& out_id) = 0;
  // Records the first open, click or reply; answers false when it was recorded already.
  enum class Response { kOpen, kClick, kReply };
  virtual Result<bool> RecordResponse(const std::string& out_id, Response response, Timestamp at) = 0;
  // The newest SMS sent to a number: what an upstream reply answers.
  virtual Result<std::optional<CampaignMessage>> LatestSmsTo(const std::string& number) = 0;
  virtual Result<std::vector<CampaignMessage>> Messages(const MessageListQuery& query) = 0;
  virtual Result<std::vector<RecipientResult>> Recipients(int64_t campaign_id) = 0;
  virtual Result<std::map<MessageState, int64_t>> MessageCounts(CampaignChannel channel) = 0;

  // The contact budget: per customer, promotional messages queued or sent on any
  // channel since `since`.
  virtual Result<std::unordered_map<std::string, int64_t>> PromotionalContacts(Timestamp since) = 0;

  virtual Status PutDoNotContact(const DoNotContact& entry) = 0;
  // NotFound when the customer had none for the channel.
  virtual Status RemoveDoNotContact(const std::string& customer_id, CampaignChannel channel) = 0;
  virtual Result<std::vector<DoNotContact>> DoNotContacts(const std::string& customer_id) = 0;
  virtual Result<std::unordered_set<std::string>> DoNotContactSet(CampaignChannel channel) = 0;
};

Result<std::unique_ptr<CampaignStore>> OpenCampaignStore(const std::string& location);

}  // namespace fincrm
