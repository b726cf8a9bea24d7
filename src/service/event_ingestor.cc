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
Result<EventResult> Apply(Store& store, StoreWriter* writer, ReferenceCache& references,
                          const CustomerEvent& event, bool holdings_stored) {
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
    if (!writer) return Internal("a direct event reached the writer without a transaction");
    auto written = writer->Put(row);
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
    // Written before the transaction (WriteHoldings); the customer exists (above).
    case EventType::kHoldingSnapshot:
      if (!holdings_stored) return Rejected("type", "this server does not take holdings snapshots");
      return EventResult{};
  }
  return Rejected("type", "unsupported event type");
}

bool IsDirect(const std::vector<CustomerEvent>& events) {
  return std::any_of(events.begin(), events.end(), [](const CustomerEvent& e) { return !IsJournaled(e.type); });
}

}  // namespace

EventIngestor::EventIngestor(std::function<Result<std::unique_ptr<Store>>()> open_store,
                             IngestListener* listener, EventIngestorOptions options,
                             std::function<std::string(const AuditEntry&)> audit_seal)
    : open_store_(std::move(open_store)),
      listener_(listener),
      options_(options),
      audit_seal_(std::move(audit_seal)),
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
  wake_applier_.notify_all();
  wake_submitters_.notify_all();
  // An application in progress is rolled back rather than waited for (up to tens of
  // seconds on a large database); its entries stay in the journal for the next start.
  // An interrupt only reaches a statement that is running, so it is repeated until the
  // pass has given up.
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (!applying_ || !applier_store_) break;
      applier_store_->Interrupt();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (writer_.joinable()) writer_.join();
  if (applier_.joinable()) applier_.join();  // started by the writer thread
}

Result<std::vector<EventResult>> EventIngestor::Submit(const std::vector<CustomerEvent>& events,
                                                      const IngestAuditNote* audit) {
  Pending pending{&events, {}, Status::Ok(), false, IsDirect(events), {}, {}, audit};
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
    last_arrival_ = std::chrono::steady_clock::now();
    wake_writer_.notify_one();
    wake_submitters_.wait(lock, [&] { return pending.done; });
  }
  if (!pending.status.ok()) return pending.status;
  // Committed: readers see the journaled rows and the listener gets the events before
  // the caller answers, so the next read after the answer shows them.
  RememberUnapplied(events, pending);
  std::vector<const CustomerEvent*> accepted;
  for (size_t i = 0; i < events.size(); ++i) {
    if (pending.results[i].outcome == EventOutcome::kAccepted) accepted.push_back(&events[i]);
  }
  if (listener_ && !accepted.empty()) listener_->OnCommitted(accepted);
  return std::move(pending.results);
}

Status EventIngestor::ApplyJournalNow() {
  std::unique_lock lock(mutex_);
  if (stopping_) return Unavailable("the server is shutting down");
  if (!start_status_.ok()) return start_status_;
  int64_t target = journaled_through_.load();
  int64_t passes = apply_passes_;
  apply_requested_through_ = std::max(apply_requested_through_, target);
  wake_applier_.notify_all();
  // Done when trimmed that far, or when a pass after this call failed.
  wake_submitters_.wait(lock, [&] {
    return stopping_ || trimmed_through_ >= target || (apply_passes_ > passes && !last_apply_status_.ok());
  });
  if (trimmed_through_ >= target) return Status::Ok();
  if (!last_apply_status_.ok()) return last_apply_status_;
  return Unavailable("the server is shutting down");
}

void EventIngestor::WriterLoop() {
  NameThisThread("fincrm-ingest");
  auto store = open_store_();
  Result<std::unique_ptr<EventJournal>> journal = store.ok() ? (*store)->OpenJournal() : store.status();
  Status started = !store.ok() ? Unavailable("cannot open the store: " + store.status().message())
                   : !journal.ok() ? Unavailable("cannot open the event journal: " + journal.status().message())
                                   : Status::Ok();
  if (started.ok() && !references_->Preload(**store).ok()) references_->Clear();
  if (started.ok()) started = LoadJournal(**store, **journal);
  if (!started.ok()) std::fprintf(stderr, "fincrm serve: ingest unavailable: %s\n", started.ToString().c_str());
  {
    std::lock_guard lock(mutex_);
    started_ = true;
    start_status_ = started;
  }
  wake_submitters_.notify_all();
  if (started.ok()) {
    applier_ = std::thread([this] { ApplierLoop(); });
    // Until it is loaded every id is a "maybe" (asked of the store), so ingest is correct
    // meanwhile, only slower.
    Status loaded = seen_->Load(**store);
    if (!loaded.ok()) std::fprintf(stderr, "fincrm serve: loading the seen-event filter: %s\n", loaded.ToString().c_str());
  }
  while (true) {
    std::vector<Pending*> group, direct;
    std::vector<std::string> recorded;
    int64_t recorded_through = 0;
    bool last_turn = false;
    {
      std::unique_lock lock(mutex_);
      // At `max_unapplied_events` new batches wait in the queue for the applier.
      auto room = [&] { return stopping_ || journal_events() < options_.max_unapplied_events; };
      wake_writer_.wait(lock, [&] {
        bool work = applied_through_.load() > trimmed_through_ || (!queue_.empty() && room()) ||
                    (!deferred_.empty() && !applying_);
        return work || (stopping_ && queue_.empty() && deferred_.empty());
      });
      recorded.swap(recorded_ids_);
      recorded_through = applied_through_.load();
      if (!queue_.empty() && room()) {
        // Linger briefly for more batches: one commit for many of them.
        auto pending_events = [&] {
          size_t n = 0;
          for (const Pending* p : queue_) n += p->events->size();
          return n;
        };
        auto deadline = std::chrono::steady_clock::now() + kLinger;
        while (!stopping_ && pending_events() < kGroupEvents &&
               wake_writer_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
        // Batches with account or profile events need the tables' write lock, which an
        // application may hold for seconds: they wait apart, the others go on.
        for (Pending* p : queue_) (p->direct ? deferred_ : group).push_back(p);
        queue_.clear();
      }
      if (!deferred_.empty()) {
        writer_needs_tables_ = true;  // no new application until they are written
        if (!applying_) direct.swap(deferred_);
      }
      last_turn = stopping_ && queue_.empty() && deferred_.empty();
    }
    if (recorded_through > trimmed_through_ && started.ok()) ForgetApplied(**store, **journal, recorded, recorded_through);
    if (!group.empty()) Finish(group, started.ok() ? WriteAll(**store, **journal, group, false) : started);
    if (!direct.empty()) {
      Finish(direct, started.ok() ? WriteAll(**store, **journal, direct, true) : started);
      std::lock_guard lock(mutex_);
      writer_needs_tables_ = !deferred_.empty();
    }
    wake_applier_.notify_all();
    if (last_turn) return;  // what is journaled but not applied stays for the next start
  }
}

void EventIngestor::Finish(std::vector<Pending*>& group, const Status& status) {
  if (!status.ok()) references_->Clear();  // the failed transaction may have changed what was cached
  {
    std::lock_guard lock(mutex_);
    for (Pending* pending : group) {
      pending->status = status;
      pending->done = true;
    }
  }
  wake_submitters_.notify_all();
}

// `direct`: the group has events written to the tables, in one transaction committed
// before the journal's. A failure between the two leaves those stored and the
// journaled ones not; the resend finds the first as duplicates and journals the rest.
// Holdings lines go to their module's store before the transaction that records their
// events' ids (that store cannot write while this connection holds the write lock).
// Lines of events already recorded, and of unknown customers, are left out: the
// transaction then answers them duplicate or rejected.
Status EventIngestor::WriteHoldings(Store& store, std::vector<Pending*>& group) {
  std::vector<Holding> lines;
  for (Pending* pending : group) {
    for (const CustomerEvent& event : *pending->events) {
      if (event.type != EventType::kHoldingSnapshot || journaled_ids_.count(event.event_id)) continue;
      auto seen = store.EventSeen(event.event_id);
      if (!seen.ok()) return seen.status();
      if (*seen) continue;
      auto accounts = references_->AccountsOf(store, event.customer_id());
      if (!accounts.ok()) return accounts.status();
      if (*accounts == nullptr) continue;
      lines.push_back(std::get<Holding>(event.body));
    }
  }
  if (lines.empty()) return Status::Ok();
  if (!options_.store_holdings) return Status::Ok();  // refused in the transaction
  return options_.store_holdings(lines);
}

Status EventIngestor::WriteAll(Store& store, EventJournal& journal, std::vector<Pending*>& group, bool direct) {
  std::unique_ptr<StoreWriter> writer;
  if (direct) FINCRM_RETURN_IF_ERROR(WriteHoldings(store, group));
  if (direct) {
    auto begun = store.BeginWrite(/*references_verified=*/true);
    if (!begun.ok()) return begun.status();
    writer = std::move(*begun);
  }
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
  std::vector<JournalEntry> entries;
  std::vector<std::string*> rows_of_entries;  // each entry's row is moved back here after the append
  const int64_t first_sequence = journaled_through_.load() + 1;
  for (Pending* pending : group) {
    pending->results.assign(pending->events->size(), EventResult{});
    pending->sequences.assign(pending->events->size(), 0);
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
        auto applied = Apply(store, writer.get(), references, event, static_cast<bool>(options_.store_holdings));
        if (!applied.ok() || applied->outcome != EventOutcome::kAccepted) release();
        if (!applied.ok()) return applied.status();
        result = std::move(*applied);
        if (result.outcome != EventOutcome::kAccepted) continue;
        claims.added.push_back(&event.event_id);
        JournalEntry& entry = entries.emplace_back();
        entry.sequence = first_sequence + static_cast<int64_t>(entries.size()) - 1;
        entry.event_id = event.event_id;
        entry.type = EnumCode(event.type);
        entry.customer_id = event.customer_id();
        entry.received_at = now;
        entry.row = std::move(pending->journal_rows[i]);
        rows_of_entries.push_back(&pending->journal_rows[i]);
        pending->sequences[i] = entry.sequence;
        continue;
      }
      if (journaled_ids_.count(event.event_id)) {
        result.outcome = EventOutcome::kDuplicate;
        continue;
      }
      IngestedEvent record{event.event_id, std::string(EnumCode(event.type)), event.customer_id(), now};
      auto claimed = writer->ClaimEvent(record);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) {
        result.outcome = EventOutcome::kDuplicate;
        continue;
      }
      auto applied = Apply(store, writer.get(), references, event, static_cast<bool>(options_.store_holdings));
      if (!applied.ok()) return applied.status();
      result = std::move(*applied);
      if (result.outcome != EventOutcome::kAccepted) FINCRM_RETURN_IF_ERROR(writer->ReleaseEvent(event.event_id));
    }
    if (pending->audit) {
      const IngestAuditNote& note = *pending->audit;
      int64_t accepted = 0, duplicates = 0;
      for (const EventResult& result : pending->results) {
        accepted += result.outcome == EventOutcome::kAccepted;
        duplicates += result.outcome == EventOutcome::kDuplicate;
      }
      AuditEntry audit;
      audit.at = now;
      audit.actor = note.actor;
      audit.action = note.action;
      audit.detail = "accepted=" + std::to_string(accepted) + " duplicates=" + std::to_string(duplicates) +
                     " rejected=" + std::to_string(note.batch_events - accepted - duplicates);
      audit.source = note.source;
      auto journal_audit = [&](const AuditEntry& record) {
        JournalEntry& entry = entries.emplace_back();
        entry.sequence = first_sequence + static_cast<int64_t>(entries.size()) - 1;
        entry.type = kAuditJournalType;
        entry.received_at = now;
        entry.row = EncodeAuditRow(record);
        rows_of_entries.push_back(nullptr);
      };
      journal_audit(audit);
      // Changes to a customer's personal data and accounts are audited one by one, with
      // the customer and what changed, like the same change made in the console (the
      // batch's counts alone did not say whose profile an integration key changed).
      for (size_t i = 0; i < pending->events->size(); ++i) {
        const CustomerEvent& event = (*pending->events)[i];
        if (pending->results[i].outcome != EventOutcome::kAccepted || IsJournaled(event.type)) continue;
        AuditEntry change = audit;
        change.customer_id = event.customer_id();
        if (const auto* profile = std::get_if<ProfileChange>(&event.body)) {
          change.action = "customer.update";
          change.detail = "fields=";
          for (size_t f = 0; f < profile->fields.size(); ++f) {
            change.detail += (f ? "," : "") + profile->fields[f].first;
          }
        } else if (const auto* account = std::get_if<Account>(&event.body)) {
          change.action = "account.open";
          change.detail = "account=" + account->account_id;
        } else if (const auto* closure = std::get_if<AccountClosure>(&event.body)) {
          change.action = "account.close";
          change.detail = "account=" + closure->account_id;
        } else {
          continue;
        }
        change.detail += " event=" + event.event_id;
        journal_audit(change);
      }
    }
  }
  if (writer) FINCRM_RETURN_IF_ERROR(writer->Commit());
  Status appended = journal.Append(entries);
  for (size_t e = 0; e < entries.size(); ++e) {
    if (rows_of_entries[e]) *rows_of_entries[e] = std::move(entries[e].row);  // Submit hands them to readers
  }
  FINCRM_RETURN_IF_ERROR(appended);
  claims.committed = true;
  int64_t accepted = 0;
  for (Pending* pending : group) {
    for (const EventResult& result : pending->results) accepted += result.outcome == EventOutcome::kAccepted;
  }
  if (!entries.empty()) {
    std::lock_guard lock(mutex_);
    journaled_through_ = entries.back().sequence;
    journal_commits_.emplace_back(entries.back().sequence, std::chrono::steady_clock::now());
  }
  committed_events_ += accepted;
  ++commits_;
  return Status::Ok();
}

// Kept as their journal rows (a string each, cheaper to keep than the entities) and
// decoded only when a reader asks for the customer.
void EventIngestor::RememberUnapplied(const std::vector<CustomerEvent>& events, Pending& pending) {
  std::unique_lock lock(unapplied_mutex_);
  for (size_t i = 0; i < events.size(); ++i) {
    // Applied meanwhile (sequence at or below the applied position): in the tables.
    if (pending.sequences[i] <= rows_applied_through_) continue;
    unapplied_rows_[events[i].customer_id()].push_back(
        {pending.sequences[i], events[i].type, std::move(pending.journal_rows[i])});
  }
}

EventIngestor::UnappliedRows EventIngestor::Unapplied(const std::string& customer_id) const {
  UnappliedRows rows;
  if (journal_events() == 0) return rows;
  std::vector<UnappliedRow> encoded;
  {
    std::shared_lock lock(unapplied_mutex_);
    auto found = unapplied_rows_.find(customer_id);
    if (found == unapplied_rows_.end()) return rows;
    encoded = found->second;
  }
  // In commit order (requests add theirs concurrently), so a corrected row's later
  // version comes last.
  std::stable_sort(encoded.begin(), encoded.end(),
                   [](const UnappliedRow& x, const UnappliedRow& y) { return x.sequence < y.sequence; });
  for (const UnappliedRow& unapplied : encoded) {
    auto event = FromJournalRow(unapplied.type, unapplied.row);
    if (!event.ok()) continue;  // it was encoded by this process; cannot fail short of a defect
    if (auto* t = std::get_if<Trade>(&event->body)) rows.trades.push_back(std::move(*t));
    else if (auto* a = std::get_if<AssetSnapshot>(&event->body)) rows.assets.push_back(std::move(*a));
    else if (auto* x = std::get_if<Interaction>(&event->body)) rows.interactions.push_back(std::move(*x));
  }
  return rows;
}

bool EventIngestor::ApplyDue(std::chrono::steady_clock::time_point now) {
  int64_t applied = applied_through_.load();
  if (journaled_through_.load() <= applied) return false;
  if (apply_requested_through_ > applied) return true;
  if (journal_events() >= std::min(options_.apply_at_events, options_.max_unapplied_events)) return true;
  // By its oldest event's age (not the time since the last application: the first
  // commit after a quiet spell would apply at once, in the middle of the burst that
  // follows), or once nothing has arrived for a moment.
  while (!journal_commits_.empty() && journal_commits_.front().first <= applied) journal_commits_.pop_front();
  if (!journal_commits_.empty() && now - journal_commits_.front().second >= options_.apply_at_age) return true;
  return now - last_arrival_ >= options_.apply_when_idle;
}

void EventIngestor::ApplierLoop() {
  NameThisThread("fincrm-apply");
  auto store = open_store_();
  Result<std::unique_ptr<EventJournal>> journal = store.ok() ? (*store)->OpenJournal() : store.status();
  {
    std::lock_guard lock(mutex_);
    if (store.ok()) applier_store_ = store->get();
  }
  struct Forget {  // Stop may interrupt the store only while it exists
    EventIngestor* self;
    ~Forget() {
      std::lock_guard lock(self->mutex_);
      self->applier_store_ = nullptr;
    }
  } forget{this};
  const auto poll = std::clamp<std::chrono::milliseconds>(options_.apply_when_idle / 4, std::chrono::milliseconds(5),
                                                          std::chrono::milliseconds(100));
  while (true) {
    int64_t after = 0;
    {
      std::unique_lock lock(mutex_);
      while (!stopping_ && (writer_needs_tables_ || !ApplyDue(std::chrono::steady_clock::now()))) {
        wake_applier_.wait_for(lock, poll);
      }
      if (stopping_) return;
      applying_ = true;
      after = applied_through_.load();
    }
    auto started = std::chrono::steady_clock::now();
    std::vector<std::string> recorded;
    Result<int64_t> through = !store.ok() ? Result<int64_t>(store.status())
                              : !journal.ok() ? Result<int64_t>(journal.status())
                                              : ApplyBatch(**store, **journal, after, recorded);
    apply_milliseconds_ += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    bool interrupted = false;
    if (!through.ok()) {
      std::lock_guard lock(mutex_);
      interrupted = stopping_;
    }
    if (interrupted) {
      std::fprintf(stderr, "fincrm serve: journal application stopped by the shutdown; applied at the next start\n");
    } else if (!through.ok()) {
      std::fprintf(stderr, "fincrm serve: applying the event journal: %s\n", through.status().ToString().c_str());
      ++apply_failures_;
    }
    {
      std::lock_guard lock(mutex_);
      applying_ = false;
      ++apply_passes_;
      last_apply_status_ = through.ok() ? Status::Ok() : through.status();
      if (through.ok() && *through > after) {
        applied_through_ = *through;
        recorded_ids_.insert(recorded_ids_.end(), std::make_move_iterator(recorded.begin()),
                             std::make_move_iterator(recorded.end()));
      }
    }
    wake_writer_.notify_one();
    wake_submitters_.notify_all();
    // A pause before the next pass: the server's other writers (audit trail, sessions,
    // edits from the console) wait for the tables' lock polling every ≤ 100 ms, and a
    // pass that follows at once would take the lock again before they see it free.
    // After a failure longer: its cause (a locked store, say) may last a while.
    std::unique_lock lock(mutex_);
    wake_applier_.wait_for(lock, through.ok() ? std::chrono::milliseconds(200) : std::chrono::milliseconds(1000),
                           [&] { return stopping_; });
  }
}

// Moves journal entries into the customer tables: rows sorted by customer (the
// tables' clustering), so each touched page is written once per batch; event ids
// recorded sorted too; the applied position marked in the same transaction. A row the
// database refuses (it passed the same checks when it was accepted, so this means a
// defect) is logged with its customer and counted.
Result<int64_t> EventIngestor::ApplyBatch(Store& store, EventJournal& journal, int64_t after,
                                          std::vector<std::string>& recorded) {
  // Large transactions: each one changes pages all over the customer-clustered
  // tables, so fewer of them write fewer pages (300,000 events: 27 s in transactions
  // of 100,000, 10 s in one).
  const int chunk = static_cast<int>(std::clamp<int64_t>(options_.apply_at_events, 1, 1 << 30));
  auto entries = journal.Read(after, chunk);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return after;
  std::vector<Trade> trades;
  std::vector<AssetSnapshot> assets;
  std::vector<Interaction> interactions;
  std::vector<IngestedEvent> claims;
  claims.reserve(entries->size());
  std::vector<AuditEntry> audits;
  auto unreadable = [&](const JournalEntry& entry, const Status& status) {
    std::fprintf(stderr, "fincrm serve: journal entry %lld (event %s) unreadable: %s\n",
                 static_cast<long long>(entry.sequence), entry.event_id.c_str(), status.ToString().c_str());
    ++apply_failures_;
  };
  for (const JournalEntry& entry : *entries) {
    if (entry.type == kAuditJournalType) {
      auto audit = DecodeAuditRow(entry.row);
      if (audit.ok()) audits.push_back(std::move(*audit));
      else unreadable(entry, audit.status());
      continue;
    }
    auto event = FromJournalEntry(entry);
    if (!event.ok()) {
      unreadable(entry, event.status());
      continue;
    }
    claims.push_back({entry.event_id, entry.type, entry.customer_id, entry.received_at});
    if (auto* t = std::get_if<Trade>(&event->body)) trades.push_back(std::move(*t));
    else if (auto* a = std::get_if<AssetSnapshot>(&event->body)) assets.push_back(std::move(*a));
    else if (auto* x = std::get_if<Interaction>(&event->body)) interactions.push_back(std::move(*x));
  }
  // Stable: two versions of one row (a corrected trade) keep their journal order, so
  // the later one is written last and stays.
  std::stable_sort(trades.begin(), trades.end(), [](const Trade& x, const Trade& y) {
    return std::tie(x.customer_id, x.trade_time.seconds, x.trade_id) < std::tie(y.customer_id, y.trade_time.seconds, y.trade_id);
  });
  std::stable_sort(interactions.begin(), interactions.end(), [](const Interaction& x, const Interaction& y) {
    return std::tie(x.customer_id, x.occurred_at.seconds, x.interaction_id) <
           std::tie(y.customer_id, y.occurred_at.seconds, y.interaction_id);
  });
  std::stable_sort(assets.begin(), assets.end(), [](const AssetSnapshot& x, const AssetSnapshot& y) {
    return std::tie(x.customer_id, x.snapshot_date.days) < std::tie(y.customer_id, y.snapshot_date.days);
  });
  std::sort(claims.begin(), claims.end(), [](const IngestedEvent& x, const IngestedEvent& y) { return x.event_id < y.event_id; });
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Unavailable("stopping");
  }
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
  if (!audits.empty()) {
    if (!audit_seal_) return FailedPrecondition("journaled audit entries but no way to seal them");
    FINCRM_RETURN_IF_ERROR((*writer)->AppendAudit(audits, audit_seal_));
  }
  const int64_t through = entries->back().sequence;
  FINCRM_RETURN_IF_ERROR((*writer)->MarkJournalApplied(through));
  FINCRM_RETURN_IF_ERROR((*writer)->Commit());
  {
    // In the tables now: readers stop merging these rows.
    std::unique_lock lock(unapplied_mutex_);
    rows_applied_through_ = through;
    for (const JournalEntry& entry : *entries) {
      auto found = unapplied_rows_.find(entry.customer_id);
      if (found == unapplied_rows_.end()) continue;
      std::erase_if(found->second, [&](const UnappliedRow& row) { return row.sequence <= through; });
      if (found->second.empty()) unapplied_rows_.erase(found);
    }
  }
  recorded.reserve(claims.size());
  for (IngestedEvent& claim : claims) recorded.push_back(std::move(claim.event_id));
  applied_events_ += static_cast<int64_t>(entries->size());
  return through;
}

// On the writer thread (the owner of the seen-id filter and the journal's id set):
// applied ids are now recorded in the store, so the filter takes them over, and the
// applied entries leave the journal.
void EventIngestor::ForgetApplied(Store& store, EventJournal& journal, std::vector<std::string>& recorded,
                                  int64_t through) {
  for (const std::string& id : recorded) {
    seen_->Add(id);
    journaled_ids_.erase(id);
  }
  Status trimmed = journal.Trim(through);
  if (!trimmed.ok()) std::fprintf(stderr, "fincrm serve: trimming the event journal: %s\n", trimmed.ToString().c_str());
  if (seen_->full()) {
    Status reloaded = seen_->Load(store);  // sized anew for the ids recorded by now
    if (!reloaded.ok()) std::fprintf(stderr, "fincrm serve: reloading the seen-event filter: %s\n", reloaded.ToString().c_str());
  }
  {
    std::lock_guard lock(mutex_);
    trimmed_through_ = std::max(trimmed_through_, through);
  }
  wake_submitters_.notify_all();
}

// Entries left by a previous run (stopped before applying them) are visible to
// readers at once; the applier takes them first. Entries up to the store's applied
// mark were applied before a crash came between application and trim.
Status EventIngestor::LoadJournal(Store& store, EventJournal& journal) {
  auto applied = store.JournalAppliedThrough();
  if (!applied.ok()) return applied.status();
  FINCRM_RETURN_IF_ERROR(journal.Trim(*applied));
  int64_t after = *applied;
  while (true) {
    auto entries = journal.Read(after, 100000);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    std::vector<CustomerEvent> events;
    Pending loaded{&events, {}, Status::Ok(), true, false, {}, {}};
    events.reserve(entries->size());
    for (JournalEntry& entry : *entries) {
      if (entry.type == kAuditJournalType) continue;  // nothing for readers
      auto event = FromJournalEntry(entry);
      if (!event.ok()) continue;  // reported when the applier reaches it
      events.push_back(std::move(*event));
      loaded.journal_rows.push_back(std::move(entry.row));
      loaded.sequences.push_back(entry.sequence);
      journaled_ids_.insert(entry.event_id);
    }
    RememberUnapplied(events, loaded);
    after = entries->back().sequence;
  }
  auto last = journal.LastSequence();
  if (!last.ok()) return last.status();
  std::lock_guard lock(mutex_);
  applied_through_ = *applied;
  trimmed_through_ = *applied;
  {
    std::unique_lock rows_lock(unapplied_mutex_);
    rows_applied_through_ = *applied;
  }
  // Never below the applied mark: a sequence at or below it would count as applied.
  journaled_through_ = std::max({*applied, after, *last});
  if (journaled_through_.load() > *applied) journal_commits_.emplace_back(journaled_through_.load(), std::chrono::steady_clock::now());
  last_arrival_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

}  // namespace fincrm
