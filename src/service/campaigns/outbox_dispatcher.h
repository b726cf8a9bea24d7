// The durable outbox's sender: one thread per channel claims its due messages
// (CampaignStore::ClaimDue commits them as `sending`), hands them to the channel's
// gateway, and settles each: sent (or delivered), queued again with a back-off, or
// failed. At most once: a message is claimed before the call and never claimed again;
// one still `sending` at start was in flight when the server stopped and is marked
// failed (in_doubt), not resent. A rate limit per channel paces the claims; SMS waits
// outside its send window (not between 21:00 and 08:00 Shanghai time by default).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "service/campaigns/message_gateway.h"
#include "storage/campaign_store.h"

namespace fincrm {

struct OutboxOptions {
  std::map<CampaignChannel, double> per_second = {
      {CampaignChannel::kEmail, 20}, {CampaignChannel::kSms, 2000}, {CampaignChannel::kPortal, 2000}};
  int retry_seconds = 60;  // the first retry's delay; doubled each time, at most an hour
  int max_attempts = 6;
  int sms_quiet_from_hour = 21, sms_quiet_to_hour = 8;  // Shanghai wall clock; equal hours: no quiet time
  int idle_poll_ms = 200;
};

// The delay before attempt `attempts` + 1.
int64_t RetryDelaySeconds(int attempts, int retry_seconds);
// Whether SMS may go at `now` (Shanghai hour outside the quiet hours).
bool InSmsSendWindow(Timestamp now, int quiet_from_hour, int quiet_to_hour);

class OutboxDispatcher {
 public:
  // `on_sent` gets each settled batch's sent messages (their timelines); it runs on the
  // channel's thread.
  OutboxDispatcher(std::function<Result<std::unique_ptr<CampaignStore>>()> open_store,
                   std::vector<std::unique_ptr<MessageGateway>> gateways, OutboxOptions options,
                   std::function<Timestamp()> now, std::function<void(const std::vector<CampaignMessage>&)> on_sent);
  ~OutboxDispatcher();
  // Settles what a stopped server left in flight, then starts the threads.
  Status Start();
  void Stop();
  // New messages are due: stop waiting.
  void Wake();
  int64_t in_doubt_at_start() const { return in_doubt_at_start_; }

 private:
  void Run(MessageGateway& gateway);

  std::function<Result<std::unique_ptr<CampaignStore>>()> open_store_;
  std::vector<std::unique_ptr<MessageGateway>> gateways_;
  OutboxOptions options_;
  std::function<Timestamp()> now_;
  std::function<void(const std::vector<CampaignMessage>&)> on_sent_;
  std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t wakes_ = 0;
  bool stopping_ = false;
  int64_t in_doubt_at_start_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace fincrm
