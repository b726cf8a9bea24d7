// Carries module events (service_module.h) from the module that publishes one to the
// handlers of its type, on one thread of their own (fincrm-events), so that a request
// publishing an event never waits for the reactions. Not durable: events queued when
// the server stops or beyond `max_queued` are dropped and counted; each reaction has a
// daily job that would make it anyway (a resolved complaint's return visit is also
// planned by return-visit-planning).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/service_module.h"

namespace fincrm {

class ModuleEventBus {
 public:
  explicit ModuleEventBus(std::vector<ModuleEventHandler> handlers, size_t max_queued = 100000);
  ~ModuleEventBus();

  // Starts handling (events published before are queued): once every module has started.
  void Start();
  void Publish(ModuleEvent event);
  // Handles what is queued, then stops; later events are dropped.
  void Stop();
  // Returns once every event published so far has been handled (tests).
  void Drain();

  int64_t handled() const { return handled_.load(); }
  int64_t failed() const { return failed_.load(); }
  int64_t dropped() const { return dropped_.load(); }

 private:
  void Loop();

  std::multimap<std::string, std::function<Status(const ModuleEvent&)>> handlers_;
  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<ModuleEvent> queue_;
  bool busy_ = false, stopping_ = false;
  std::atomic<int64_t> handled_{0}, failed_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace fincrm
