#include "service/event_ingestor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/field_patch.h"
#include "core/thread_name.h"
#include "core/validation.h"
#include "service/event_journal.h"
#include "service/seen_event_filter.h"

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
// journal is applied later with the database's own foreign-key checks off, so this is
// the check. Journaled kinds (trades, asset snapshots, interactions) are only checked
// here; the others are written. Returns the event's result, or a Status that ends the
// transaction.
Result<EventResult> Apply(Store& store, StoreWriter& writer, ReferenceCache& references,
                          const CustomerEvent& event) {
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
      return EventResult{};
    }
    case EventType::kAssetSnapshot: return EventResult{};  // the customer exists (above)
    case EventType::kInteraction: {
      const Interaction& interaction = std::get<Interaction>(event.body);
      auto known = staff_known(interaction.staff_id);
      if (!known.ok()) return known.status();
      if (!*known) return Rejected("staff_id", "unknown staff '" + interaction.staff_id + "'");
      return EventResult{};
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
                             IngestListener* listener, EventIngestorOptions options)
    : open_store_(std::move(open_store)),
      listener_(listener),
      options_(options),
      references_(std::make_unique<ReferenceCache>()),
      seen_(std::make_unique<SeenEventFilter>()) {
  writer_ = std::thread([this] { WriterLoop(); });
  // Readers must see a previous run's unapplied events before the first request.
  std::unique_lock lock(mutex_);
  wake_submitters_.wait(lock, [&] { return started_; });
}

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
  Pending pending{&events, {}, Status::Ok(), false, {}};
  // Journal rows are encoded here, on the caller's thread: the writer thread is the
  // one that cannot be parallel.
  pending.journal_rows.resize(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (IsJournaled(events[i].type)) pending.journal_rows[i] = EncodeJournalRow(events[i]);
  }
  {
    std::unique_lock lock(mutex_);
    if (stopping_) return Unavailable("the server is shutting down");
    queue_.push_back(&pending);
    wake_writer_.notify_one();
    wake_submitters_.wait(lock, [&] { return pending.done; });
  }
  if (!pending.status.ok()) return pending.status;
  // Committed: readers see the journaled rows and the listener gets the events before
  // the caller answers, so the next read after the answer shows them.
  std::vector<std::pair<const CustomerEvent*, std::string>> journaled;
  std::vector<const CustomerEvent*> accepted;
  for (size_t i = 0; i < events.size(); ++i) {
    if (pending.results[i].outcome != EventOutcome::kAccepted) continue;
    accepted.push_back(&events[i]);
    if (IsJournaled(events[i].type)) journaled.push_back({&events[i], std::move(pending.journal_rows[i])});
  }
  RememberUnapplied(pending.commit_number, journaled);
  if (listener_ && !accepted.empty()) listener_->OnCommitted(accepted);
  return std::move(pending.results);
}

Status EventIngestor::ApplyJournalNow() {
  Pending request{nullptr, {}, Status::Ok(), false, {}};
  std::unique_lock lock(mutex_);
  if (stopping_) return Unavailable("the server is shutting down");
  queue_.push_back(&request);
  wake_writer_.notify_one();
  wake_submitters_.wait(lock, [&] { return request.done; });
  return request.status;
}

void EventIngestor::WriterLoop() {
  NameThisThread("fincrm-ingest");
  auto store = open_store_();
  if (store.ok() && !references_->Preload(**store).ok()) references_->Clear();
  if (store.ok()) {
    Status loaded = LoadJournal(**store);
    if (!loaded.ok()) std::fprintf(stderr, "fincrm serve: reading the event journal: %s\n", loaded.ToString().c_str());
  }
  {
    std::lock_guard lock(mutex_);
    started_ = true;
  }
  wake_submitters_.notify_all();
  std::vector<Pending*> group;
  auto apply = [&]() -> Status {
    if (!store.ok()) return store.status();
    Status status = ApplyJournal(**store);
    if (!status.ok()) std::fprintf(stderr, "fincrm serve: applying the event journal: %s\n", status.ToString().c_str());
    return status;
  };
  if (journal_events_.load() > 0) (void)apply();  // a previous run's leftovers
  if (store.ok()) {
    // Until it is loaded every id is a "maybe" (asked of the store), so ingest is correct
    // meanwhile, only slower.
    Status loaded = seen_->Load(**store);
    if (!loaded.ok()) std::fprintf(stderr, "fincrm serve: loading the seen-event filter: %s\n", loaded.ToString().c_str());
  }
  while (true) {
    {
      std::unique_lock lock(mutex_);
      // Idle: the journal is applied once nothing has arrived for a moment.
      bool arrived = wake_writer_.wait_for(lock, options_.apply_when_idle, [&] { return stopping_ || !queue_.empty(); });
      if (!arrived) {
        lock.unlock();
        if (journal_events_.load() > 0) (void)apply();
        continue;
      }
      if (queue_.empty()) return;  // stopping, nothing left (the journal stays for the next start)
      // Linger briefly for more batches: one commit for many of them.
      auto pending_events = [&] {
        size_t n = 0;
        for (const Pending* p : queue_) n += p->events ? p->events->size() : 0;
        return n;
      };
      auto deadline = std::chrono::steady_clock::now() + kLinger;
      while (!stopping_ && pending_events() < kGroupEvents &&
             wake_writer_.wait_until(lock, deadline) != std::cv_status::timeout) {
      }
      group.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    // Requests to apply the journal now (tests, operations) ride with the group.
    std::vector<Pending*> apply_requests;
    std::erase_if(group, [&](Pending* p) {
      if (p->events) return false;
      apply_requests.push_back(p);
      return true;
    });
    Status status = Status::Ok();
    if (!group.empty()) {
      status = store.ok() ? WriteAll(**store, group)
                          : Unavailable("cannot open the store: " + store.status().message());
      if (!status.ok()) references_->Clear();
    }
    {
      std::lock_guard lock(mutex_);
      for (Pending* pending : group) {
        pending->status = status;
        pending->done = true;
      }
    }
    wake_submitters_.notify_all();
    // By the journal's size or its oldest event's age (not the time since the last
    // application: the first commit after a quiet spell would apply at once, in the
    // middle of the burst that follows).
    bool due = journal_events_.load() >= options_.apply_at_events ||
               (journal_events_.load() > 0 && std::chrono::steady_clock::now() - journal_since_ >= options_.apply_at_age);
    if (due || !apply_requests.empty()) {
      Status applied = apply();
      std::lock_guard lock(mutex_);
      for (Pending* request : apply_requests) {
        request->status = applied;
        request->done = true;
      }
    }
    if (!apply_requests.empty()) wake_submitters_.notify_all();
  }
}

Status EventIngestor::WriteAll(Store& store, std::vector<Pending*>& group) {
  auto writer = store.BeginWrite(/*references_verified=*/true);
  if (!writer.ok()) return writer.status();
  ReferenceCache& references = *references_;
  Timestamp now = CurrentTime();
  // Ids this transaction adds to journaled_ids_, taken out again if it fails.
  struct Claims {
    std::unordered_set<std::string>& ids;
    std::vector<const std::string*> added;
    bool committed = false;
    ~Claims() {
      if (!committed) for (const std::string* id : added) ids.erase(*id);
    }
  } claims{journaled_ids_, {}};
  JournalEntry journal_entry;
  for (Pending* pending : group) {
    pending->results.assign(pending->events->size(), EventResult{});
    for (size_t i = 0; i < pending->events->size(); ++i) {
      const CustomerEvent& event = (*pending->events)[i];
      EventResult& result = pending->results[i];
      if (IsJournaled(event.type)) {
        // One lookup both checks the journal (and this transaction) and claims the id.
        auto [claim, fresh] = journaled_ids_.insert(event.event_id);
        if (!fresh) {
          result.outcome = EventOutcome::kDuplicate;
          continue;
        }
        auto release = [&] { journaled_ids_.erase(event.event_id); };
        if (seen_->MaybeSeen(event.event_id)) {
          auto seen = store.EventSeen(event.event_id);
          if (!seen.ok() || *seen) release();
          if (!seen.ok()) return seen.status();
          if (*seen) {
            result.outcome = EventOutcome::kDuplicate;
            continue;
          }
        }
        auto applied = Apply(store, **writer, references, event);
        if (!applied.ok() || applied->outcome != EventOutcome::kAccepted) release();
        if (!applied.ok()) return applied.status();
        result = std::move(*applied);
        if (result.outcome != EventOutcome::kAccepted) continue;
        claims.added.push_back(&event.event_id);
        journal_entry.event_id = event.event_id;
        journal_entry.type = EnumCode(event.type);
        journal_entry.customer_id = event.customer_id();
        journal_entry.received_at = now;
        journal_entry.row = std::move(pending->journal_rows[i]);
        Status appended = (*writer)->AppendJournal(journal_entry);
        pending->journal_rows[i] = std::move(journal_entry.row);  // Submit hands it to readers
        FINCRM_RETURN_IF_ERROR(appended);
        continue;
      }
      if (journaled_ids_.count(event.event_id)) {
        result.outcome = EventOutcome::kDuplicate;
        continue;
      }
      IngestedEvent record{event.event_id, std::string(EnumCode(event.type)), event.customer_id(), now};
      auto claimed = (*writer)->ClaimEvent(record);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) {
        result.outcome = EventOutcome::kDuplicate;
        continue;
      }
      auto applied = Apply(store, **writer, references, event);
      if (!applied.ok()) return applied.status();
      result = std::move(*applied);
      if (result.outcome != EventOutcome::kAccepted) {
        FINCRM_RETURN_IF_ERROR((*writer)->ReleaseEvent(event.event_id));
      }
    }
  }
  FINCRM_RETURN_IF_ERROR((*writer)->Commit());
  claims.committed = true;
  ++commit_number_;
  int64_t accepted = 0;
  for (Pending* pending : group) {
    pending->commit_number = commit_number_;
    for (const EventResult& result : pending->results) accepted += result.outcome == EventOutcome::kAccepted;
  }
  if (!claims.added.empty() && journal_events_.load() == 0) journal_since_ = std::chrono::steady_clock::now();
  journal_events_ += static_cast<int64_t>(claims.added.size());
  committed_events_ += accepted;
  ++commits_;
  return Status::Ok();
}

// Kept as their journal rows (a string each, cheaper to keep than the entities) and
// decoded only when a reader asks for the customer.
void EventIngestor::RememberUnapplied(int64_t commit_number,
                                      std::vector<std::pair<const CustomerEvent*, std::string>>& events) {
  if (events.empty()) return;
  std::unique_lock lock(unapplied_mutex_);
  if (commit_number <= rows_applied_through_) return;  // applied meanwhile: in the tables
  for (auto& [event, row] : events) unapplied_rows_[event->customer_id()].push_back({event->type, std::move(row)});
}

EventIngestor::UnappliedRows EventIngestor::Unapplied(const std::string& customer_id) const {
  UnappliedRows rows;
  if (journal_events_.load() == 0) return rows;
  std::vector<std::pair<EventType, std::string>> encoded;
  {
    std::shared_lock lock(unapplied_mutex_);
    auto found = unapplied_rows_.find(customer_id);
    if (found == unapplied_rows_.end()) return rows;
    encoded = found->second;
  }
  for (const auto& [type, row] : encoded) {
    auto event = FromJournalRow(type, row);
    if (!event.ok()) continue;  // it was encoded by this process; cannot fail short of a defect
    if (auto* t = std::get_if<Trade>(&event->body)) rows.trades.push_back(std::move(*t));
    else if (auto* a = std::get_if<AssetSnapshot>(&event->body)) rows.assets.push_back(std::move(*a));
    else if (auto* x = std::get_if<Interaction>(&event->body)) rows.interactions.push_back(std::move(*x));
  }
  return rows;
}

// Moves the journal into the customer tables: rows sorted by customer (the tables'
// clustering), so each touched page is written once per batch; event ids recorded
// sorted too; the journal trimmed in the same transaction. A row the database refuses
// (it passed the same checks when it was accepted, so this means a defect) is logged
// with its event id and counted, and stays in the journal's history of the log line.
Status EventIngestor::ApplyJournal(Store& store) {
  // Large transactions: each one changes pages all over the customer-clustered
  // tables, so fewer of them write fewer pages (300,000 events: 27 s in transactions
  // of 100,000, 10 s in one).
  const int kChunk = static_cast<int>(std::max<int64_t>(options_.apply_at_events, 1));
  bool applied_any = false;
  auto started = std::chrono::steady_clock::now();
  auto remember_recorded = [&](const std::vector<IngestedEvent>& claims) {
    for (const IngestedEvent& claim : claims) seen_->Add(claim.event_id);
  };
  while (true) {
    auto entries = store.ReadJournal(0, kChunk);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    std::vector<Trade> trades;
    std::vector<AssetSnapshot> assets;
    std::vector<Interaction> interactions;
    std::vector<IngestedEvent> claims;
    claims.reserve(entries->size());
    for (const JournalEntry& entry : *entries) {
      auto event = FromJournalEntry(entry);
      if (!event.ok()) {
        std::fprintf(stderr, "fincrm serve: journal entry %lld (event %s) unreadable: %s\n",
                     static_cast<long long>(entry.sequence), entry.event_id.c_str(), event.status().ToString().c_str());
        ++apply_failures_;
        continue;
      }
      claims.push_back({entry.event_id, entry.type, entry.customer_id, entry.received_at});
      if (auto* t = std::get_if<Trade>(&event->body)) trades.push_back(std::move(*t));
      else if (auto* a = std::get_if<AssetSnapshot>(&event->body)) assets.push_back(std::move(*a));
      else if (auto* x = std::get_if<Interaction>(&event->body)) interactions.push_back(std::move(*x));
    }
    std::sort(trades.begin(), trades.end(), [](const Trade& x, const Trade& y) {
      return std::tie(x.customer_id, x.trade_time.seconds, x.trade_id) < std::tie(y.customer_id, y.trade_time.seconds, y.trade_id);
    });
    std::sort(interactions.begin(), interactions.end(), [](const Interaction& x, const Interaction& y) {
      return std::tie(x.customer_id, x.occurred_at.seconds, x.interaction_id) <
             std::tie(y.customer_id, y.occurred_at.seconds, y.interaction_id);
    });
    std::sort(assets.begin(), assets.end(), [](const AssetSnapshot& x, const AssetSnapshot& y) {
      return std::tie(x.customer_id, x.snapshot_date.days) < std::tie(y.customer_id, y.snapshot_date.days);
    });
    std::sort(claims.begin(), claims.end(), [](const IngestedEvent& x, const IngestedEvent& y) { return x.event_id < y.event_id; });
    auto writer = store.BeginWrite(/*references_verified=*/true);
    if (!writer.ok()) return writer.status();
    for (const IngestedEvent& claim : claims) {
      auto claimed = (*writer)->ClaimEvent(claim);
      if (!claimed.ok()) return claimed.status();
    }
    auto put_all = [&](auto& rows, const char* kind) -> Status {
      using Row = typename std::decay_t<decltype(rows)>::value_type;
      std::vector<StoreWriter::PutResult> results(rows.size());
      FINCRM_RETURN_IF_ERROR((*writer)->PutBatch(std::span<const Row>(rows), std::span(results)));
      for (size_t i = 0; i < rows.size(); ++i) {
        if (results[i].error.ok()) continue;
        std::fprintf(stderr, "fincrm serve: journal %s for customer %s refused by the database: %s\n", kind,
                     rows[i].customer_id.c_str(), results[i].error.ToString().c_str());
        ++apply_failures_;
      }
      return Status::Ok();
    };
    FINCRM_RETURN_IF_ERROR(put_all(trades, "trade"));
    FINCRM_RETURN_IF_ERROR(put_all(assets, "asset snapshot"));
    FINCRM_RETURN_IF_ERROR(put_all(interactions, "interaction"));
    FINCRM_RETURN_IF_ERROR((*writer)->TrimJournal(entries->back().sequence));
    FINCRM_RETURN_IF_ERROR((*writer)->Commit());
    remember_recorded(claims);
    applied_events_ += static_cast<int64_t>(entries->size());
    applied_any = true;
    if (entries->size() < static_cast<size_t>(kChunk)) break;
  }
  if (applied_any || journal_events_.load() > 0) {
    // Everything journaled so far is in the tables now (this thread is the only
    // writer of the journal), so the in-memory copies go.
    journaled_ids_.clear();
    std::unique_lock lock(unapplied_mutex_);
    unapplied_rows_.clear();
    rows_applied_through_ = commit_number_;
    journal_events_ = 0;
  }
  if (seen_->full()) {
    Status reloaded = seen_->Load(store);  // sized anew for the ids recorded by now
    if (!reloaded.ok()) std::fprintf(stderr, "fincrm serve: reloading the seen-event filter: %s\n", reloaded.ToString().c_str());
  }
  apply_milliseconds_ += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return Status::Ok();
}

// Entries left by a previous run (stopped before applying them) are visible to
// readers at once and applied first.
Status EventIngestor::LoadJournal(Store& store) {
  int64_t after = 0;
  while (true) {
    auto entries = store.ReadJournal(after, 100000);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    std::vector<CustomerEvent> events;
    std::vector<std::pair<const CustomerEvent*, std::string>> rows;
    events.reserve(entries->size());
    for (JournalEntry& entry : *entries) {
      auto event = FromJournalEntry(entry);
      if (!event.ok()) continue;  // reported when the apply reaches it
      events.push_back(std::move(*event));
      rows.push_back({&events.back(), std::move(entry.row)});
      journaled_ids_.insert(entry.event_id);
    }
    if (!rows.empty() && journal_events_.load() == 0) journal_since_ = std::chrono::steady_clock::now();
    journal_events_ += static_cast<int64_t>(rows.size());
    RememberUnapplied(commit_number_, rows);
    after = entries->back().sequence;
  }
  return Status::Ok();
}

}  // namespace fincrm
