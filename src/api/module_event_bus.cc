#include "api/module_event_bus.h"

#include <cstdio>
#include <exception>

#include "core/thread_name.h"

namespace fincrm {

ModuleEventBus::ModuleEventBus(std::vector<ModuleEventHandler> handlers, size_t max_queued) : max_queued_(max_queued) {
  for (ModuleEventHandler& h : handlers) handlers_.emplace(std::move(h.type), std::move(h.handle));
}

void ModuleEventBus::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

ModuleEventBus::~ModuleEventBus() { Stop(); }

void ModuleEventBus::Publish(ModuleEvent event) {
  if (!handlers_.count(event.type)) return;  // nobody listens
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= max_queued_) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(event));
  if (queue_.size() == 1) wake_.notify_one();
}

void ModuleEventBus::Drain() {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) return;
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void ModuleEventBus::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ModuleEventBus::Loop() {
  NameThisThread("fincrm-events");
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    ModuleEvent event = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    auto [first, last] = handlers_.equal_range(event.type);
    for (auto it = first; it != last; ++it) {
      Status status;
      try {
        status = it->second(event);
      } catch (const std::exception& e) {
        status = Internal(e.what());
      }
      if (status.ok()) {
        ++handled_;
      } else {
        ++failed_;
        std::fprintf(stderr, "fincrm serve: event %s (%lld) not handled: %s\n", event.type.c_str(),
                     static_cast<long long>(event.subject_id), status.ToString().c_str());
      }
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace fincrm
