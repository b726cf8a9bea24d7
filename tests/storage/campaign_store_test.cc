// The campaign outbox's storage half: a launch is all or nothing, a claim is committed
// before it is returned and never handed out twice, a restart turns what was in flight
// into in_doubt (never queued again), receipts settle by out id, batch and number, or
// the gateway's id, hard bounces feed do-not-contact, and finished campaigns are found.
#include "storage/campaign_store.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

constexpr Timestamp kNow{1'764'000'000};

class CampaignStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenStore(db_).ok());  // creates the database file
    store_ = Open();
  }
  std::unique_ptr<CampaignStore> Open() {
    auto store = OpenCampaignStore(db_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // A running campaign of `n` queued SMS messages to 1380000000k.
  int64_t Launched(int n, bool promotional = true, Timestamp scheduled_at = {}) {
    Campaign c;
    c.name = "test";
    c.channel = CampaignChannel::kSms;
    c.segment = "{}";
    c.created_at = kNow;
    c.scheduled_at = scheduled_at;
    auto id = store_->Create(c);
    EXPECT_TRUE(id.ok());
    c.campaign_id = *id;
    c.launched_at = kNow;
    std::vector<CampaignRecipient> audience;
    std::vector<CampaignMessage> messages;
    for (int k = 0; k < n; ++k) {
      std::string customer = "C" + std::to_string(*id) + "-" + std::to_string(k);
      audience.push_back({*id, customer, "B1", "S1", false, true, RecipientOutcome::kMessaged, ""});
      CampaignMessage& m = messages.emplace_back();
      m.customer_id = customer;
      m.channel = CampaignChannel::kSms;
      m.out_id = "out-" + customer;
      m.address = "1380000000" + std::to_string(k);
      m.queued_at = m.next_attempt_at = kNow;
      m.promotional = promotional;
    }
    EXPECT_TRUE(store_->Launch(c, audience, messages).ok());
    return *id;
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("campaigns.db");
  std::unique_ptr<CampaignStore> store_;
};

TEST_F(CampaignStoreTest, AClaimIsNeverHandedOutTwice) {
  Launched(5);
  auto other = Open();
  auto first = store_->ClaimDue(CampaignChannel::kSms, kNow, 3);
  auto second = other->ClaimDue(CampaignChannel::kSms, kNow, 3);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->size(), 3u);
  EXPECT_EQ(second->size(), 2u);
  for (const CampaignMessage& a : *first) {
    EXPECT_EQ(a.state, MessageState::kSending);
    EXPECT_EQ(a.batch_id, first->front().out_id);
    for (const CampaignMessage& b : *second) EXPECT_NE(a.message_id, b.message_id);
  }
  EXPECT_TRUE(store_->ClaimDue(CampaignChannel::kSms, kNow, 3)->empty());
  EXPECT_TRUE(store_->ClaimDue(CampaignChannel::kEmail, kNow, 3)->empty());
}

TEST_F(CampaignStoreTest, WhatWasInFlightAtARestartIsInDoubtAndNeverQueuedAgain) {
  int64_t id = Launched(4);
  auto claimed = store_->ClaimDue(CampaignChannel::kSms, kNow, 2);
  ASSERT_EQ(claimed->size(), 2u);
  // The server stops here, between the claim and the settlement.
  auto restarted = Open();
  auto in_doubt = restarted->RecoverInDoubt(kNow);
  ASSERT_TRUE(in_doubt.ok());
  EXPECT_EQ(*in_doubt, 2);
  auto rest = restarted->ClaimDue(CampaignChannel::kSms, kNow, 10);
  ASSERT_EQ(rest->size(), 2u);
  for (const CampaignMessage& m : *rest) {
    for (const CampaignMessage& c : *claimed) EXPECT_NE(m.message_id, c.message_id);
  }
  auto failed = restarted->Messages({id, MessageState::kFailed, 0, 10});
  ASSERT_EQ(failed->size(), 2u);
  EXPECT_EQ(failed->front().error.rfind("in_doubt", 0), 0u);
  // A late receipt still settles one.
  DeliveryReceipt late{claimed->front().out_id, "", "", true, false, "DELIVERED", kNow};
  ASSERT_TRUE(restarted->ApplyReceipt(late).ok());
  EXPECT_EQ((*restarted->FindMessage(claimed->front().out_id))->state, MessageState::kDelivered);
}

TEST_F(CampaignStoreTest, SettlementsRetriesAndFinishing) {
  int64_t id = Launched(3);
  auto claimed = *store_->ClaimDue(CampaignChannel::kSms, kNow, 3);
  using S = CampaignStore::Settlement;
  ASSERT_TRUE(store_->Settle({{claimed[0].message_id, S::kSent, false, false, "biz-1", "", kNow, {}},
                              {claimed[1].message_id, S::kRetry, false, false, "", "timeout", kNow, Timestamp{kNow.seconds + 60}},
                              {claimed[2].message_id, S::kFailed, false, true, "", "550", kNow, {}}})
                  .ok());
  EXPECT_EQ((*store_->FindMessage(claimed[0].out_id))->state, MessageState::kSent);
  EXPECT_EQ((*store_->FindMessage(claimed[2].out_id))->state, MessageState::kBounced);
  auto dnc = store_->DoNotContacts(claimed[2].customer_id);
  ASSERT_EQ(dnc->size(), 1u);
  EXPECT_EQ(dnc->front().reason, DoNotContactReason::kBounced);
  // The retry is not due before its time, and the campaign is not finished while it waits.
  EXPECT_TRUE(store_->ClaimDue(CampaignChannel::kSms, kNow, 3)->empty());
  EXPECT_TRUE(store_->FinishSettled(kNow)->empty());
  auto retry = *store_->ClaimDue(CampaignChannel::kSms, Timestamp{kNow.seconds + 60}, 3);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].attempts, 2);
  ASSERT_TRUE(store_->Settle({{retry[0].message_id, S::kSent, false, false, "", "", kNow, {}}}).ok());
  EXPECT_EQ(*store_->FinishSettled(kNow), std::vector<int64_t>{id});
  EXPECT_EQ((*store_->Get(id))->state, CampaignState::kFinished);
}

TEST_F(CampaignStoreTest, ReceiptsFindTheirMessageByBatchAndNumberOrByTheGatewaysId) {
  Launched(2);
  auto claimed = *store_->ClaimDue(CampaignChannel::kSms, kNow, 2);
  using S = CampaignStore::Settlement;
  ASSERT_TRUE(store_->Settle({{claimed[0].message_id, S::kSent, false, false, "", "", kNow, {}},
                              {claimed[1].message_id, S::kSent, false, false, "sid-2", "", kNow, {}}})
                  .ok());
  // Aliyun: the request's out id (the batch) and the number.
  auto by_batch = store_->ApplyReceipt({claimed[0].batch_id, claimed[0].address, "", true, false, "DELIVERED", kNow});
  ASSERT_TRUE(by_batch.ok()) << by_batch.status().ToString();
  EXPECT_EQ(by_batch->message_id, claimed[0].message_id);
  // Tencent: its serial number.
  auto by_sid = store_->ApplyReceipt({"", claimed[1].address, "sid-2", false, false, "UNDELIV", kNow});
  ASSERT_TRUE(by_sid.ok());
  EXPECT_EQ(by_sid->message_id, claimed[1].message_id);
  EXPECT_EQ((*store_->FindMessage(claimed[1].out_id))->state, MessageState::kFailed);
  EXPECT_EQ(store_->ApplyReceipt({"nope", "13800000000", "", true, false, "", kNow}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(CampaignStoreTest, AScheduledCampaignWaitsForItsTimeAndAPausedOneSendsNothing) {
  int64_t scheduled = Launched(2, true, Timestamp{kNow.seconds + 3600});
  EXPECT_TRUE(store_->ClaimDue(CampaignChannel::kSms, kNow, 10)->empty());
  EXPECT_EQ(store_->ClaimDue(CampaignChannel::kSms, Timestamp{kNow.seconds + 3600}, 1)->size(), 1u);
  ASSERT_TRUE(store_->SetState(scheduled, {CampaignState::kRunning}, CampaignState::kPaused, kNow).ok());
  EXPECT_TRUE(store_->ClaimDue(CampaignChannel::kSms, Timestamp{kNow.seconds + 7200}, 10)->empty());
  ASSERT_TRUE(store_->SetState(scheduled, {CampaignState::kPaused}, CampaignState::kRunning, kNow).ok());
  EXPECT_EQ(store_->ClaimDue(CampaignChannel::kSms, Timestamp{kNow.seconds + 7200}, 10)->size(), 1u);
}

TEST_F(CampaignStoreTest, ALaunchIsOnceAndTheBudgetCountsPromotionalMessages) {
  int64_t id = Launched(2, true);
  Launched(1, false);
  Campaign again;
  again.campaign_id = id;
  std::vector<CampaignMessage> none;
  EXPECT_EQ(store_->Launch(again, {}, none).code(), StatusCode::kFailedPrecondition);
  auto contacts = store_->PromotionalContacts(Timestamp{kNow.seconds - 86400});
  ASSERT_TRUE(contacts.ok());
  EXPECT_EQ(contacts->size(), 2u);
  EXPECT_EQ(store_->SetState(id, {CampaignState::kPaused}, CampaignState::kRunning, kNow).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->SetState(id, {CampaignState::kRunning}, CampaignState::kCancelled, kNow).ok());
  // Cancelled: its queued messages never go.
  EXPECT_EQ(store_->ClaimDue(CampaignChannel::kSms, kNow, 10)->size(), 1u);
  EXPECT_EQ(store_->Messages({id, MessageState::kFailed, 0, 10})->size(), 2u);
}

}  // namespace
}  // namespace fincrm
