#include "service/campaigns/outbox_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/thread_name.h"

namespace fincrm {

int64_t RetryDelaySeconds(int attempts, int retry_seconds) {
  int64_t delay = retry_seconds;
  for (int i = 1; i < attempts && delay < 3600; ++i) delay *= 2;
  return std::min<int64_t>(delay, 3600);
}

bool InSmsSendWindow(Timestamp now, int quiet_from_hour, int quiet_to_hour) {
  if (quiet_from_hour == quiet_to_hour) return true;
  int hour = static_cast<int>(((now.seconds + kShanghaiOffsetSeconds) % 86400 + 86400) % 86400 / 3600);
  bool quiet = quiet_from_hour < quiet_to_hour ? hour >= quiet_from_hour && hour < quiet_to_hour
                                               : hour >= quiet_from_hour || hour < quiet_to_hour;
  return !quiet;
}

OutboxDispatcher::OutboxDispatcher(std::function<Result<std::unique_ptr<CampaignStore>>()> open_store,
                                   std::vector<std::unique_ptr<MessageGateway>> gateways, OutboxOptions options,
                                   std::function<Timestamp()> now,
                                   std::function<void(const std::vector<CampaignMessage>&)> on_sent)
    : open_store_(std::move(open_store)),
      gateways_(std::move(gateways)),
      options_(std::move(options)),
      now_(std::move(now)),
      on_sent_(std::move(on_sent)) {}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

Status OutboxDispatcher::Start() {
  auto store = open_store_();
  if (!store.ok()) return store.status();
  auto in_doubt = (*store)->RecoverInDoubt(now_());
  if (!in_doubt.ok()) return in_doubt.status();
  in_doubt_at_start_ = *in_doubt;
  if (*in_doubt > 0) {
    std::fprintf(stderr, "outbox: %lld message(s) were in flight when the server stopped: marked failed (in_doubt), "
                 "not sent again\n", static_cast<long long>(*in_doubt));
  }
  for (auto& gateway : gateways_) threads_.emplace_back([this, g = gateway.get()] { Run(*g); });
  return Status::Ok();
}

void OutboxDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void OutboxDispatcher::Wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

void OutboxDispatcher::Run(MessageGateway& gateway) {
  const CampaignChannel channel = gateway.channel();
  NameThisThread(std::string("fincrm-out-") + std::string(EnumCode(channel)));
  std::unique_ptr<CampaignStore> store;
  auto opened = open_store_();
  if (!opened.ok()) {
    std::fprintf(stderr, "outbox %s: %s\n", std::string(EnumCode(channel)).c_str(), opened.status().ToString().c_str());
    return;
  }
  store = std::move(*opened);
  double rate = std::max(0.1, options_.per_second.count(channel) ? options_.per_second.at(channel) : 100.0);
  int claim_size = std::clamp(static_cast<int>(std::ceil(rate / 5)), 1, gateway.batch_limit());
  auto next_claim = std::chrono::steady_clock::now();
  bool was_busy = true;  // finish campaigns settled before the start too
  uint64_t seen_wakes = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      wake_.wait_until(lock, next_claim, [&] { return stopping_; });
      if (stopping_) return;
      seen_wakes = wakes_;
    }
    Timestamp now = now_();
    std::vector<CampaignMessage> batch;
    bool in_window = channel != CampaignChannel::kSms ||
                     InSmsSendWindow(now, options_.sms_quiet_from_hour, options_.sms_quiet_to_hour);
    if (in_window) {
      auto claimed = store->ClaimDue(channel, now, claim_size);
      if (!claimed.ok()) {
        std::fprintf(stderr, "outbox %s: %s\n", std::string(EnumCode(channel)).c_str(),
                     claimed.status().ToString().c_str());
      } else {
        batch = std::move(*claimed);
      }
    }
    if (batch.empty()) {
      if (was_busy) {
        auto finished = store->FinishSettled(now);
        if (!finished.ok()) std::fprintf(stderr, "outbox: %s\n", finished.status().ToString().c_str());
      }
      was_busy = false;
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                     [&] { return stopping_ || wakes_ != seen_wakes; });
      next_claim = std::chrono::steady_clock::now();
      continue;
    }
    was_busy = true;
    for (CampaignMessage& m : batch) m.sent_at = now;
    std::vector<SendOutcome> outcomes = gateway.Send(batch);
    std::vector<CampaignStore::Settlement> settlements;
    std::vector<CampaignMessage> sent;
    Timestamp settled_at = now_();
    for (size_t i = 0; i < batch.size(); ++i) {
      const SendOutcome& o = i < outcomes.size() ? outcomes[i] : SendOutcome{};
      CampaignStore::Settlement& s = settlements.emplace_back();
      s.message_id = batch[i].message_id;
      s.provider_id = o.provider_id;
      s.error = o.error;
      s.at = settled_at;
      if (o.kind == SendOutcome::kAccepted) {
        s.kind = CampaignStore::Settlement::kSent;
        s.delivered = o.delivered;
        batch[i].provider_id = o.provider_id;
        sent.push_back(batch[i]);
      } else if (o.kind == SendOutcome::kRetry && batch[i].attempts < options_.max_attempts) {
        s.kind = CampaignStore::Settlement::kRetry;
        s.next_attempt = Timestamp{settled_at.seconds + RetryDelaySeconds(batch[i].attempts, options_.retry_seconds)};
      } else {
        s.kind = CampaignStore::Settlement::kFailed;
        s.hard_bounce = o.hard_bounce;
      }
    }
    // Settling must not be lost: retried until it commits (the messages stay `sending`
    // meanwhile, which only a restart would turn into in_doubt).
    for (int attempt = 0;; ++attempt) {
      Status settled = store->Settle(settlements);
      if (settled.ok()) break;
      std::fprintf(stderr, "outbox %s: settling: %s\n", std::string(EnumCode(channel)).c_str(),
                   settled.ToString().c_str());
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::milliseconds(std::min(2000, 50 << std::min(attempt, 5))),
                         [&] { return stopping_; })) {
        return;
      }
    }
    if (!sent.empty() && on_sent_) on_sent_(sent);
    next_claim += std::chrono::microseconds(static_cast<int64_t>(batch.size() * 1e6 / rate));
    auto now_steady = std::chrono::steady_clock::now();
    if (next_claim < now_steady - std::chrono::seconds(1)) next_claim = now_steady;  // no burst after a stall
  }
}

}  // namespace fincrm
