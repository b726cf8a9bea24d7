#include "service/event_ingestor.h"

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "core/field_patch.h"
#include "core/validation.h"

namespace fincrm {
namespace {
constexpr auto kLinger = std::chrono::milliseconds(5);
constexpr size_t kGroupEvents = 20000;
}  // namespace

// What the ingestor knows about customers: whether each exists and its accounts.
// Kept across transactions (customers are never deleted, accounts only closed) and
// filled from the store on first use, so a customer or account added by an import
// while the server runs is found too.
class ReferenceCache {
 public:
  // The customer's accounts, or nullptr when there is no such customer.
  Result<std::vector<Account>*> AccountsOf(Store& store, const std::string& customer_id) {
    auto found = known_.find(customer_id);
    if (found != known_.end() && found->second.exists) return &found->second.accounts;
    Entry entry;
    auto accounts = store.AccountsOf(customer_id);
    if (!accounts.ok()) return accounts.status();
    entry.exists = !accounts->empty();
    if (!entry.exists) {
      auto customer = store.GetCustomer(customer_id);
      if (customer.ok()) entry.exists = true;
      else if (customer.status().code() != StatusCode::kNotFound) return customer.status();
    }
    entry.accounts = std::move(*accounts);
    if (!entry.exists) return nullptr;  // not remembered: the customer may be added later
    auto [it, inserted] = known_.insert_or_assign(customer_id, std::move(entry));
    return &it->second.accounts;
  }
  // The account is unknown for this customer: re-read them (an import may have added it).
  Result<std::vector<Account>*> Refresh(Store& store, const std::string& customer_id) {
    known_.erase(customer_id);
    return AccountsOf(store, customer_id);
  }
  // Whether a staff id / branch id exists (re-read from the store on a miss).
  Result<bool> StaffExists(Store& store, const std::string& staff_id) {
    return KeyExists(store, EntityKind::kStaff, staff_, staff_id);
  }
  Result<bool> BranchExists(Store& store, const std::string& branch_id) {
    return KeyExists(store, EntityKind::kBranch, branches_, branch_id);
  }
  // Every customer with accounts, read in one scan (faster than one query each later).
  Status Preload(Store& store) {
    return store.ForEach([&](const Account& account) {
      Entry& entry = known_[account.customer_id];
      entry.exists = true;
      entry.accounts.push_back(account);
      return true;
    });
  }
  // A failed transaction may have changed what was cached: start over.
  void Clear() {
    known_.clear();
    staff_.clear();
    branches_.clear();
  }

 private:
  struct Entry {
    bool exists = false;
    std::vector<Account> accounts;
  };
  Result<bool> KeyExists(Store& store, EntityKind kind, std::unordered_set<std::string>& keys,
                         const std::string& key) {
    if (keys.count(key)) return true;
    keys.clear();  // small tables (staff, branches): reload them whole
    Status status = store.ForEachKey(kind, [&](std::string_view k) { keys.emplace(k); });
    if (!status.ok()) return status;
    return keys.count(key) > 0;
  }

  std::unordered_map<std::string, Entry> known_;
  std::unordered_set<std::string> staff_, branches_;
};

namespace {

EventResult Rejected(const Status& status) {
  return {EventOutcome::kRejected, status.field(), status.message()};
}

EventResult Rejected(std::string field, std::string message) {
  return {EventOutcome::kRejected, std::move(field), std::move(message)};
}

// Checks every reference of one event against the store (through the cache): the
// transaction runs with the database's own foreign-key checks off, so this is the
// check. A trade comes back as a row to write in the batch; other kinds are written
// here. Returns the event's result, or a Status that ends the transaction.
Result<EventResult> Apply(Store& store, StoreWriter& writer, ReferenceCache& references,
                          const CustomerEvent& event, std::vector<Trade>& trades) {
  auto accounts = references.AccountsOf(store, event.customer_id());
  if (!accounts.ok()) return accounts.status();
  if (*accounts == nullptr) return Rejected("customer_id", "unknown customer '" + event.customer_id() + "'");
  auto find_account = [&](const std::string& account_id) -> Account* {
    for (int attempt = 0; attempt < 2; ++attempt) {
      for (Account& account : **accounts) {
        if (account.account_id == account_id) return &account;
      }
      if (attempt == 0) {
        auto refreshed = references.Refresh(store, event.customer_id());
        if (!refreshed.ok() || *refreshed == nullptr) return nullptr;
        accounts = refreshed;
      }
    }
    return nullptr;
  };
  auto put = [&](const auto& row) -> Result<EventResult> {
    auto written = writer.Put(row);
    if (written.ok()) return EventResult{};
    if (written.status().code() == StatusCode::kInvalidArgument) return Rejected(written.status());
    return written.status();
  };
  auto staff_known = [&](const std::string& staff_id) -> Result<bool> {
    if (staff_id.empty()) return true;
    return references.StaffExists(store, staff_id);
  };
  switch (event.type) {
    case EventType::kTrade: {
      const Trade& trade = std::get<Trade>(event.body);
      if (!find_account(trade.account_id)) {
        return Rejected("account_id", "account '" + trade.account_id + "' does not belong to customer '" +
                                          trade.customer_id + "'");
      }
      trades.push_back(trade);
      return EventResult{};
    }
    case EventType::kAssetSnapshot: return put(std::get<AssetSnapshot>(event.body));
    case EventType::kInteraction: {
      const Interaction& interaction = std::get<Interaction>(event.body);
      auto known = staff_known(interaction.staff_id);
      if (!known.ok()) return known.status();
      if (!*known) return Rejected("staff_id", "unknown staff '" + interaction.staff_id + "'");
      return put(interaction);
    }
    case EventType::kAccountOpened: {
      const Account& account = std::get<Account>(event.body);
      auto result = put(account);
      if (result.ok() && result->outcome == EventOutcome::kAccepted && !find_account(account.account_id)) {
        (*accounts)->push_back(account);
      }
      return result;
    }
    case EventType::kAccountClosed: {
      const AccountClosure& closure = std::get<AccountClosure>(event.body);
      Account* account = find_account(closure.account_id);
      if (!account) {
        return Rejected("account_id", "account '" + closure.account_id + "' does not belong to customer '" +
                                          closure.customer_id + "'");
      }
      Account closed = *account;
      closed.close_date = closure.close_date;
      Status valid = Validate(closed);
      if (!valid.ok()) return Rejected(valid);
      auto result = put(closed);
      if (result.ok() && result->outcome == EventOutcome::kAccepted) *account = closed;
      return result;
    }
    case EventType::kCustomerProfile: {
      const ProfileChange& change = std::get<ProfileChange>(event.body);
      auto customer = store.GetCustomer(change.customer_id);
      if (!customer.ok()) return customer.status();
      for (const auto& [name, text] : change.fields) {
        Status applied = ApplyFieldText(*customer, name, text);
        if (!applied.ok()) return Rejected(applied);
      }
      Status valid = Validate(*customer);
      if (!valid.ok()) return Rejected(valid);
      auto broker = staff_known(customer->broker_id);
      if (!broker.ok()) return broker.status();
      if (!*broker) return Rejected("broker_id", "unknown staff '" + customer->broker_id + "'");
      auto branch = references.BranchExists(store, customer->branch_id);
      if (!branch.ok()) return branch.status();
      if (!*branch) return Rejected("branch_id", "unknown branch '" + customer->branch_id + "'");
      return put(*customer);
    }
  }
  return Rejected("type", "unsupported event type");
}

}  // namespace

EventIngestor::EventIngestor(std::function<Result<std::unique_ptr<Store>>()> open_store,
                             IngestListener* listener)
    : open_store_(std::move(open_store)),
      listener_(listener),
      references_(std::make_unique<ReferenceCache>()),
      writer_([this] { WriterLoop(); }) {}

EventIngestor::~EventIngestor() { Stop(); }

void EventIngestor::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Result<std::vector<EventResult>> EventIngestor::Submit(const std::vector<CustomerEvent>& events) {
  Pending pending{&events, {}, Status::Ok(), false};
  std::unique_lock lock(mutex_);
  if (stopping_) return Unavailable("the server is shutting down");
  queue_.push_back(&pending);
  wake_writer_.notify_one();
  wake_submitters_.wait(lock, [&] { return pending.done; });
  if (!pending.status.ok()) return pending.status;
  return std::move(pending.results);
}

void EventIngestor::WriterLoop() {
  auto store = open_store_();
  if (store.ok() && !references_->Preload(**store).ok()) references_->Clear();
  std::vector<Pending*> group;
  std::vector<const CustomerEvent*> accepted;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      // Linger briefly for more batches: one commit for many of them writes each
      // touched page once (random index inserts dirty a page per event otherwise).
      auto pending_events = [&] {
        size_t n = 0;
        for (const Pending* p : queue_) n += p->events->size();
        return n;
      };
      auto deadline = std::chrono::steady_clock::now() + kLinger;
      while (!stopping_ && pending_events() < kGroupEvents &&
             wake_writer_.wait_until(lock, deadline) != std::cv_status::timeout) {
      }
      group.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    accepted.clear();
    Status status = store.ok() ? WriteAll(**store, group, accepted)
                               : Unavailable("cannot open the store: " + store.status().message());
    if (!status.ok()) references_->Clear();
    if (status.ok() && listener_ && !accepted.empty()) listener_->OnCommitted(accepted);
    {
      std::lock_guard lock(mutex_);
      for (Pending* pending : group) {
        pending->status = status;
        pending->done = true;
      }
    }
    wake_submitters_.notify_all();
  }
}

Status EventIngestor::WriteAll(Store& store, std::vector<Pending*>& group,
                               std::vector<const CustomerEvent*>& accepted) {
  // References are verified here (Apply), so the database skips its own checks.
  auto writer = store.BeginWrite(/*references_verified=*/true);
  if (!writer.ok()) return writer.status();
  ReferenceCache& references = *references_;
  Timestamp now = CurrentTime();
  // Trades, the bulk of the traffic, are written together in multi-row inserts.
  std::vector<Trade> trades;
  std::vector<std::pair<const CustomerEvent*, EventResult*>> trade_events;
  for (Pending* pending : group) {
    pending->results.assign(pending->events->size(), EventResult{});
    for (size_t i = 0; i < pending->events->size(); ++i) {
      const CustomerEvent& event = (*pending->events)[i];
      EventResult& result = pending->results[i];
      IngestedEvent record{event.event_id, std::string(EnumCode(event.type)), event.customer_id(), now};
      auto claimed = (*writer)->ClaimEvent(record);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) {
        result.outcome = EventOutcome::kDuplicate;
        continue;
      }
      size_t trades_before = trades.size();
      auto applied = Apply(store, **writer, references, event, trades);
      if (!applied.ok()) return applied.status();
      result = std::move(*applied);
      if (result.outcome != EventOutcome::kAccepted) {
        FINCRM_RETURN_IF_ERROR((*writer)->ReleaseEvent(event.event_id));
      } else if (trades.size() > trades_before) {
        trade_events.emplace_back(&event, &result);
      } else {
        accepted.push_back(&event);
      }
    }
  }
  std::vector<StoreWriter::PutResult> written(trades.size());
  FINCRM_RETURN_IF_ERROR((*writer)->PutBatch(std::span<const Trade>(trades), std::span(written)));
  for (size_t t = 0; t < trades.size(); ++t) {
    auto [event, result] = trade_events[t];
    if (written[t].error.ok()) {
      accepted.push_back(event);
    } else {
      *result = Rejected(written[t].error);
      FINCRM_RETURN_IF_ERROR((*writer)->ReleaseEvent(event->event_id));
    }
  }
  FINCRM_RETURN_IF_ERROR((*writer)->Commit());
  committed_events_ += static_cast<int64_t>(accepted.size());
  ++commits_;
  return Status::Ok();
}

}  // namespace fincrm
