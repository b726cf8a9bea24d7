// Customer routes: list and search, create, update, the 360 view, timeline, accounts,
// assets, trades, tasks, logging a contact, and real-time event ingest.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <unordered_set>

#include "api/event_batch_parser.h"
#include "ingest/csv/row_encoder.h"
#include "ingest/exporter.h"
#include "api/request_json.h"
#include "api/route_support.h"
#include "api/scratch_directory.h"
#include "core/field_patch.h"
#include "core/validation.h"

namespace fincrm {
namespace {

std::string_view ExtraLabelZh(std::string_view column) {
  if (column == "tier") return "价值等级";
  if (column == "cluster") return "客户群";
  if (column == "churn_risk") return "流失风险";
  if (column == "churn_reasons") return "流失原因";
  if (column == "value_score") return "价值得分";
  return "最新资产";
}

std::string VisibilityKey(const FieldVisibility& v) {
  return std::string(1, static_cast<char>('0' + (v.id_number | v.mobile << 1 | v.email << 2 | v.address << 3)));
}


void Check(const Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

template <class T>
T Unwrap(Result<T> result) {
  if (!result.ok()) ThrowStatus(result.status());
  return std::move(*result);
}

template <class T>
void WriteOne(Store& store, const T& row) {
  auto writer = store.BeginWrite();
  if (!writer.ok()) ThrowStatus(writer.status());
  auto put = (*writer)->Put(row);
  if (!put.ok()) ThrowStatus(put.status());
  Check((*writer)->Commit());
}

// The list's filters from the query string, narrowed to the caller's scope.
CustomerQuery ListFilters(ApiServer::Context& c, int limit) {
  const HttpRequest& r = c.request;
  CustomerQuery query;
  query.limit = limit;
  query.branch_id = r.Query("branch_id");
  query.broker_id = r.Query("broker_id");
  query.tier = r.Query("tier");
  query.after = r.Query("after");
  if (r.HasQuery("cluster")) query.cluster = QueryInt(r, "cluster", 0, 0, 1000);
  if (r.HasQuery("risk_level")) query.risk_level = QueryEnum<RiskLevel>(r, "risk_level");
  if (r.HasQuery("status")) query.status = QueryEnum<CustomerStatus>(r, "status");
  if (r.HasQuery("min_churn_risk")) query.min_churn_risk = QueryDouble(r, "min_churn_risk", 0, 1);
  RestrictToScope(c.principal, query);
  return query;
}

}  // namespace

void ApiServer::GuardSearch(Context& c, std::string_view q) {
  std::string session = c.token.empty() ? c.principal.login : c.token;
  switch (search_guard_->Check(session, q)) {
    case SearchGuard::Verdict::kAllowed: return;
    case SearchGuard::Verdict::kThrottled:
      audit_->Record(c.principal.login, "customer.search_throttled", "", "q=" + std::string(q), c.request.remote_address);
      throw ApiError{429, "too_many_searches", "too many searches in a short time; wait a moment", "q"};
    case SearchGuard::Verdict::kEnumerationFlagged:
      // Many number-shaped lookups from one session: the pattern of trying candidates
      // for a masked mobile or ID number. Compliance finds it in the audit trail.
      std::fprintf(stderr, "fincrm serve: security: %s (%s) made more than %d number searches in %d minutes\n",
                   c.principal.login.c_str(), c.request.remote_address.c_str(),
                   options_.search.number_lookups_per_window, options_.search.window_minutes);
      Check(audit_->RecordDurably(c.principal.login, "security.search_enumeration", "",
                                  "number searches over the limit; last q=" + std::string(q), c.request.remote_address));
      [[fallthrough]];
    case SearchGuard::Verdict::kEnumerationBlocked:
      throw ApiError{429, "search_enumeration",
                     "too many searches by number from this session; they are refused for a while and were reported",
                     "q"};
  }
}

HttpResponse ApiServer::ListCustomers(Context& c) {
  const HttpRequest& r = c.request;
  FieldVisibility visible = VisibilityFor(c.principal.role);
  int limit = static_cast<int>(QueryInt(r, "limit", 50, 1, 500));
  JsonWriter json;
  json.BeginObject();
  if (r.HasQuery("q")) {
    std::string_view q = r.Query("q");
    if (q.empty() || q.size() > 100) throw ApiError{400, "bad_parameter", "must have 1 to 100 characters", "q"};
    GuardSearch(c, q);
    DataScope scope = CustomerScopeOf(c.principal);
    std::vector<CustomerSearchHit> hits;
    if (!scope.nobody) {
      hits = Unwrap(c.store.SearchCustomers(
          {std::string(q), limit, visible.mobile, visible.id_number, scope.branch_id, scope.broker_id}));
    }
    json.Key("items").BeginArray();
    for (const CustomerSearchHit& hit : hits) {
      auto customer = c.store.GetCustomer(hit.customer_id);
      if (!customer.ok() || !InScope(c.principal, *customer)) continue;  // changed since the search
      json.BeginObject();
      WriteEntityFields(json, *customer, &visible);
      json.Field("matched_on", hit.matched_on);
      json.EndObject();
    }
    json.EndArray();
    json.Key("next_after").Null();
    json.EndObject();
    audit_->Record(c.principal.login, "customer.search", "",
                   "q=" + std::string(q) + " hits=" + std::to_string(hits.size()), r.remote_address);
    return JsonResponse(json.Take());
  }
  CustomerQuery query = ListFilters(c, limit);
  auto items = c.store.ListCustomers(query);
  if (!items.ok()) ThrowStatus(items.status());
  json.Key("items").BeginArray();
  for (const CustomerListItem& item : *items) WriteListItem(json, item, visible);
  json.EndArray();
  json.Key("next_after");
  if (static_cast<int>(items->size()) == limit) json.String(items->back().customer.customer_id);
  else json.Null();
  json.EndObject();
  audit_->Record(c.principal.login, "customer.list", "", r.path, r.remote_address);
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::ExportCustomers(Context& c) {
  std::string format(c.request.Query("format").empty() ? "csv" : c.request.Query("format"));
  if (format != "csv" && format != "xlsx") throw ApiError{400, "bad_parameter", "expected csv or xlsx", "format"};
  bool chinese = c.request.Query("headers") == "zh";
  CustomerQuery query = ListFilters(c, 1000);
  FieldVisibility visible = VisibilityFor(c.principal.role);
  std::vector<std::string> header = HeaderRow<Customer>(chinese);
  for (const char* extra : {"tier", "cluster", "churn_risk", "churn_reasons", "value_score", "latest_assets"}) {
    header.emplace_back(chinese ? std::string(ExtraLabelZh(extra)) : extra);
  }
  std::vector<std::string> masked_columns;
  for (const auto& spec : EntityInfo<Customer>::kFields) masked_columns.emplace_back(spec.name);
  // The exporters write to files (xlsxwriter needs one): a private one, removed when
  // this request ends, however it ends.
  auto scratch = scratch_->NewFile("." + format);
  if (!scratch.ok()) ThrowStatus(scratch.status());
  std::string file = (*scratch)->path().string();
  ExportOptions options;
  options.utf8_bom = true;  // Excel opens UTF-8 CSV correctly with it
  auto rows = ExportTable(file, "customers", header, [&](const EmitRow& emit) -> Status {
    for (int page = 0; page < 1000; ++page) {  // at most a million rows
      auto items = c.store.ListCustomers(query);
      if (!items.ok()) return items.status();
      for (const CustomerListItem& item : *items) {
        std::vector<std::string> cells = EncodeRow(item.customer);
        for (size_t i = 0; i < cells.size(); ++i) {
          if (cells[i].empty()) continue;
          if (auto mask = entity_json_detail::MaskFor(masked_columns[i], visible)) cells[i] = mask(cells[i]);
        }
        cells.push_back(item.tier);
        cells.push_back(item.cluster < 0 ? "" : std::to_string(item.cluster));
        cells.push_back(item.churn_risk < 0 ? "" : FormatFieldValue(item.churn_risk));
        cells.push_back(item.churn_reasons);
        cells.push_back(FormatFieldValue(item.value_score));
        cells.push_back(FormatYuan(item.latest_assets));
        emit(cells);
      }
      if (static_cast<int>(items->size()) < query.limit) break;
      query.after = items->back().customer.customer_id;
    }
    return Status::Ok();
  }, options);
  if (!rows.ok()) ThrowStatus(rows.status());
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  scratch->reset();
  Check(audit_->RecordDurably(c.principal.login, "customer.export", "", std::to_string(*rows) + " rows " + format,
                              c.request.remote_address));
  HttpResponse response{200,
                        format == "csv" ? "text/csv; charset=utf-8"
                                        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        std::move(bytes), {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"customers." + format + "\"");
  return response;
}

HttpResponse ApiServer::CreateCustomer(Context& c) {
  Customer customer;
  Status decoded = DecodeEntity(JsonBody(c.request), customer);
  if (!decoded.ok()) throw ApiError{422, "invalid", decoded.message(), decoded.field()};
  if (!InScope(c.principal, customer)) {
    throw ApiError{403, "forbidden", "you may only create customers in your own scope", "branch_id"};
  }
  auto existing = c.store.GetCustomer(customer.customer_id);
  if (existing.ok()) throw ApiError{409, "conflict", "customer exists", "customer_id"};
  WriteOne(c.store, customer);
  live_->RefreshCustomers({customer});
  Check(audit_->RecordDurably(c.principal.login, "customer.create", customer.customer_id, "",
                              c.request.remote_address));
  JsonWriter json;
  FieldVisibility visible = VisibilityFor(c.principal.role);
  WriteEntity(json, customer, &visible);
  return JsonResponse(json.Take(), 201);
}

HttpResponse ApiServer::UpdateCustomer(Context& c) {
  std::vector<JsonField> fields = JsonBody(c.request);
  if (fields.empty()) throw ApiError{422, "invalid", "names no field to change", ""};
  Customer customer = *VisibleCustomer(c, c.request.Param("customer_id"));
  std::string changed;
  for (const JsonField& field : fields) {
    Status applied = ApplyFieldText(customer, field.name, field.text);
    if (!applied.ok()) throw ApiError{422, "invalid", applied.message(), applied.field()};
    changed += (changed.empty() ? "" : ",") + field.name;
  }
  Status valid = Validate(customer);
  if (!valid.ok()) throw ApiError{422, "invalid", valid.message(), valid.field()};
  if (!InScope(c.principal, customer)) {
    throw ApiError{403, "forbidden", "the change would move the customer out of your scope", "broker_id"};
  }
  WriteOne(c.store, customer);
  live_->RefreshCustomers({customer});  // a new broker or branch moves the customer's facts too
  Check(audit_->RecordDurably(c.principal.login, "customer.update", customer.customer_id, "fields=" + changed,
                              c.request.remote_address));
  JsonWriter json;
  FieldVisibility visible = VisibilityFor(c.principal.role);
  WriteEntity(json, customer, &visible);
  return JsonResponse(json.Take());
}

namespace {

// Unapplied rows replace stored rows with the same key (a corrected trade, say; the
// latest unapplied version wins), then all are ordered newest first and cut to `limit`.
// The caller reads the unapplied rows before the stored ones: a row applied in between
// is then in both (and kept once), never in neither.
template <class T, class Key, class Newer>
std::vector<T> MergeUnapplied(std::vector<T> unapplied, std::vector<T> stored, Key key, Newer newer, int limit) {
  if (unapplied.empty()) return stored;
  std::unordered_set<std::string> replaced;
  std::vector<T> latest;  // the latest version of each unapplied row
  for (auto row = unapplied.rbegin(); row != unapplied.rend(); ++row) {
    if (replaced.insert(key(*row)).second) latest.push_back(std::move(*row));
  }
  std::erase_if(stored, [&](const T& row) { return replaced.count(key(row)) > 0; });
  stored.insert(stored.end(), std::make_move_iterator(latest.begin()), std::make_move_iterator(latest.end()));
  std::stable_sort(stored.begin(), stored.end(), newer);
  if (static_cast<int>(stored.size()) > limit) stored.resize(limit);
  return stored;
}

}  // namespace

std::vector<Trade> ApiServer::RecentTrades(Store& store, const std::string& customer_id, int limit) {
  auto unapplied = ingestor_->Unapplied(customer_id).trades;
  return MergeUnapplied(
      std::move(unapplied), Unwrap(store.RecentTrades(customer_id, limit)),
      [](const Trade& t) { return t.trade_id; },
      [](const Trade& x, const Trade& y) { return std::tie(y.trade_time.seconds, y.trade_id) < std::tie(x.trade_time.seconds, x.trade_id); },
      limit);
}

std::vector<Interaction> ApiServer::RecentInteractions(Store& store, const std::string& customer_id, int limit) {
  auto unapplied = ingestor_->Unapplied(customer_id).interactions;
  return MergeUnapplied(
      std::move(unapplied), Unwrap(store.RecentInteractions(customer_id, limit)),
      [](const Interaction& i) { return i.interaction_id; },
      [](const Interaction& x, const Interaction& y) {
        return std::tie(y.occurred_at.seconds, y.interaction_id) < std::tie(x.occurred_at.seconds, x.interaction_id);
      },
      limit);
}

std::vector<AssetSnapshot> ApiServer::AssetHistory(Store& store, const std::string& customer_id, int limit) {
  auto unapplied = ingestor_->Unapplied(customer_id).assets;
  return MergeUnapplied(
      std::move(unapplied), Unwrap(store.AssetHistory(customer_id, limit)),
      [](const AssetSnapshot& a) { return FormatDate(a.snapshot_date); },
      [](const AssetSnapshot& x, const AssetSnapshot& y) { return y.snapshot_date.days < x.snapshot_date.days; }, limit);
}

HttpResponse ApiServer::GetCustomer360(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  FieldVisibility visible = VisibilityFor(c.principal.role);
  std::string variant = VisibilityKey(visible);
  // From memory when cached: the entry carries what the scope check needs.
  if (auto cached = views_->Find(customer_id, variant)) {
    if (!InScope(c.principal, cached->branch_id, cached->broker_id)) NoSuchCustomer(customer_id);
    audit_->Record(c.principal.login, "customer.read", customer_id, "360", c.request.remote_address);
    ++cache_hits_;
    return JsonResponse(std::move(cached->json));
  }
  uint64_t ticket = views_->FillTicket();
  Customer customer = *VisibleCustomer(c, customer_id);
  audit_->Record(c.principal.login, "customer.read", customer_id, "360", c.request.remote_address);
  ++cache_misses_;
  auto household = Unwrap(c.store.HouseholdOf(customer_id));
  auto accounts = Unwrap(c.store.AccountsOf(customer_id));
  auto assets = AssetHistory(c.store, customer_id, 13);
  auto trades = RecentTrades(c.store, customer_id, 20);
  auto interactions = RecentInteractions(c.store, customer_id, 20);
  TaskQuery task_query;
  task_query.customer_id = customer_id;
  task_query.status = "open";
  task_query.limit = 20;
  auto tasks = Unwrap(c.store.ListTasks(task_query));
  auto score = Unwrap(c.store.GetCustomerScore(customer_id));
  auto live = live_->Customer(customer_id);

  JsonWriter json;
  json.BeginObject();
  json.Key("profile");
  WriteEntity(json, customer, &visible);
  json.Key("household");
  WriteEntities(json, household, &visible);
  json.Key("accounts");
  WriteEntities(json, accounts);
  json.Key("assets");
  WriteEntities(json, assets);
  json.Key("recent_trades");
  WriteEntities(json, trades);
  json.Key("timeline");
  WriteEntities(json, interactions);
  json.Key("tasks");
  WriteEntities(json, tasks);
  json.Key("scores");
  if (score) {
    json.BeginObject();
    WriteEntityFields(json, *score);
    json.EndObject();
  } else {
    json.Null();
  }
  json.Key("live");
  if (live) {
    json.BeginObject();
    json.Field("trade_count", live->totals.trade_count);
    json.Key("last_trade_date");
    if (live->totals.last_trade_day == kNoDay) json.Null();
    else json.String(FormatDate(Date{live->totals.last_trade_day}));
    json.Key("commission").RawNumber(FormatYuan(Money{live->totals.commission_fen}));
    json.Key("latest_assets").RawNumber(FormatYuan(Money{live->totals.latest_assets_fen}));
    json.Field("interaction_count", live->totals.interaction_count);
    json.Key("churn_risk");
    if (live->churn_risk < 0) json.Null();
    else json.Double(live->churn_risk);
    json.EndObject();
  } else {
    json.Null();
  }
  json.EndObject();
  CachedCustomerView view{customer.branch_id, customer.broker_id, json.Take()};
  views_->Put(customer_id, variant, view, ticket);
  return JsonResponse(std::move(view.json));
}

HttpResponse ApiServer::Timeline(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  int limit = static_cast<int>(QueryInt(c.request, "limit", 50, 1, 500));
  std::optional<InteractionChannel> channel;
  if (c.request.HasQuery("channel")) channel = QueryEnum<InteractionChannel>(c.request, "channel");
  auto rows = RecentInteractions(c.store, customer_id, channel ? 5000 : limit);
  std::vector<Interaction> kept;
  for (Interaction& row : rows) {
    if (static_cast<int>(kept.size()) == limit) break;
    if (!channel || row.channel == *channel) kept.push_back(std::move(row));
  }
  audit_->Record(c.principal.login, "customer.timeline", customer_id, "", c.request.remote_address);
  JsonWriter json;
  json.BeginObject().Key("items");
  WriteEntities(json, kept);
  json.EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::CreateInteraction(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  std::vector<JsonField> fields = JsonBody(c.request);
  auto has = [&](std::string_view name) {
    for (const JsonField& f : fields) {
      if (f.name == name && !f.text.empty()) return true;
    }
    return false;
  };
  for (const JsonField& f : fields) {
    if (f.name == "customer_id" && f.text != customer_id) {
      throw ApiError{422, "invalid", "differs from the customer in the path", "customer_id"};
    }
  }
  if (!has("customer_id")) fields.push_back({"customer_id", customer_id, JsonField::kString});
  if (!has("interaction_id")) fields.push_back({"interaction_id", "I" + RandomToken(8), JsonField::kString});
  if (!has("occurred_at")) fields.push_back({"occurred_at", FormatTimestamp(CurrentTime()), JsonField::kString});
  if (!has("staff_id") && !c.principal.staff_id.empty()) {
    fields.push_back({"staff_id", c.principal.staff_id, JsonField::kString});
  }
  CustomerEvent event;
  event.event_id = "api-" + RandomToken(12);
  event.type = EventType::kInteraction;
  Interaction interaction;
  Status decoded = DecodeEntity(fields, interaction);
  if (!decoded.ok()) throw ApiError{422, "invalid", decoded.message(), decoded.field()};
  event.body = interaction;
  // Through the ingestor, so the live aggregates see the contact like any other event.
  auto results = ingestor_->Submit({event});
  if (!results.ok()) ThrowStatus(results.status());
  const EventResult& result = results->front();
  if (result.outcome == EventOutcome::kRejected) throw ApiError{422, "invalid", result.message, result.field};
  Check(audit_->RecordDurably(c.principal.login, "interaction.create", customer_id, interaction.interaction_id,
                              c.request.remote_address));
  JsonWriter json;
  WriteEntity(json, interaction);
  return JsonResponse(json.Take(), 201);
}

HttpResponse ApiServer::Accounts(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  return ItemsResponse(c.store.AccountsOf(customer_id));
}

HttpResponse ApiServer::Assets(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  return ItemsResponse(Result<std::vector<AssetSnapshot>>(
      AssetHistory(c.store, customer_id, static_cast<int>(QueryInt(c.request, "limit", 24, 1, 1000)))));
}

HttpResponse ApiServer::Trades(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  return ItemsResponse(Result<std::vector<Trade>>(
      RecentTrades(c.store, customer_id, static_cast<int>(QueryInt(c.request, "limit", 50, 1, 1000)))));
}

HttpResponse ApiServer::CustomerTasks(Context& c) {
  std::string customer_id(c.request.Param("customer_id"));
  (void)VisibleCustomer(c, customer_id);
  TaskQuery query;
  query.customer_id = customer_id;
  query.status = c.request.Query("status");
  return ItemsResponse(c.store.ListTasks(query));
}

HttpResponse ApiServer::ListTasks(Context& c) {
  TaskQuery query;
  query.status = c.request.Query("status");
  query.assignee_staff_id = c.request.Query("assignee_staff_id");
  query.branch_id = c.request.Query("branch_id");
  query.after = QueryInt(c.request, "after", 0, 0, INT64_MAX);
  query.limit = static_cast<int>(QueryInt(c.request, "limit", 100, 1, 1000));
  RestrictToScope(c.principal, query);
  return ItemsResponse(c.store.ListTasks(query));
}

HttpResponse ApiServer::IngestEvents(Context& c) {
  if (!live_->ready()) {
    HttpResponse busy = ErrorResponse(503, "warming_up", "the server is loading its live analytics; retry shortly", "");
    busy.headers.emplace_back("Retry-After", "5");
    return busy;
  }
  bool ndjson = c.request.content_type.find("ndjson") != std::string::npos;
  auto batch = ParseEventBatch(c.request.body, ndjson, options_.max_events_per_request);
  if (!batch.ok()) throw ApiError{400, "malformed", batch.status().message(), batch.status().field()};
  std::vector<EventResult> results(batch->total);
  for (auto& [index, rejected] : batch->rejected) results[index] = rejected;
  // The audit entry is committed with the events (never waiting for the tables).
  IngestAuditNote audit{c.principal.login, "events.ingest", c.request.remote_address, static_cast<int64_t>(batch->total)};
  auto committed = ingestor_->Submit(batch->valid, &audit);
  if (!committed.ok()) ThrowStatus(committed.status());
  int64_t accepted = 0, duplicates = 0;
  for (size_t i = 0; i < committed->size(); ++i) {
    results[batch->valid_index[i]] = (*committed)[i];
    accepted += (*committed)[i].outcome == EventOutcome::kAccepted;
    duplicates += (*committed)[i].outcome == EventOutcome::kDuplicate;
  }
  int64_t rejected = static_cast<int64_t>(batch->total) - accepted - duplicates;
  JsonWriter json;
  json.BeginObject().Field("accepted", accepted).Field("duplicates", duplicates).Field("rejected", rejected);
  json.Key("results").BeginArray();
  for (size_t i = 0; i < results.size(); ++i) {
    json.BeginObject().Field("index", static_cast<int64_t>(i)).Field("status", EnumCode(results[i].outcome));
    if (results[i].outcome == EventOutcome::kRejected) {
      json.Field("field", results[i].field).Field("message", results[i].message);
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

}  // namespace fincrm
