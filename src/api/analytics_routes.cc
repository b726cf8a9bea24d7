// Organisation and analytics routes: branches, staff, the at-risk list, cluster
// profiles, value-ladder distribution and moves, cube queries, KPI scorecards, model
// cards and alerts — what the analysis runs and live rescoring leave in the store.
#include <algorithm>
#include <unordered_set>

#include "api/route_support.h"
#include "core/validation.h"
#include "storage/holding_store.h"

namespace fincrm {
namespace {

// The aggregate scope of the caller (access_policy.h) as the store's scope filter.
CustomerQuery AggregateScope(const Principal& principal) {
  CustomerQuery query;
  ApplyScope(AggregateScopeOf(principal), query);
  return query;
}

// Memo keys carry the scope: one branch's answer is never another's.
std::string ScopeKey(const CustomerQuery& scope) { return "|" + scope.branch_id + "|" + scope.broker_id; }

}  // namespace

HttpResponse ApiServer::Memoized(const std::string& key, int64_t version, const std::function<std::string()>& compute) {
  {
    std::lock_guard lock(memo_mutex_);
    auto found = memo_.find(key);
    if (found != memo_.end() && found->second.generation == version) return JsonResponse(found->second.json);
  }
  std::string body = compute();
  std::lock_guard lock(memo_mutex_);
  if (memo_.size() >= 1000) memo_.clear();  // a handful of dashboards' queries; bounded anyway
  memo_[key] = {version, body};
  return JsonResponse(std::move(body));
}

// What each memoized answer depends on, so that a live event does not recompute
// answers it cannot change: the ladder and its moves come from the latest analysis
// run, the cube from the live facts, the churn histogram from the stored scores.
int64_t ApiServer::AnalysisVersion(Store& store) {
  auto run = store.LatestAnalysisRun();
  if (!run.ok()) ThrowStatus(run.status());
  return *run ? (*run)->run_id : 0;
}

int64_t ApiServer::DataVersion(Store& store) {
  auto generation = store.DataGeneration();
  if (!generation.ok()) ThrowStatus(generation.status());
  return *generation;
}

std::string ApiServer::LadderJson(Store& store, const CustomerQuery& scope) {
  auto counts = store.TierDistribution(scope);
  if (!counts.ok()) ThrowStatus(counts.status());
  JsonWriter json;
  json.BeginObject().Key("items").BeginArray();
  for (const TierCount& count : *counts) {
    json.BeginObject()
        .Field("month_end", FormatDate(count.month_end))
        .Field("tier", count.tier)
        .Field("customers", count.customers)
        .EndObject();
  }
  json.EndArray().EndObject();
  return json.Take();
}

std::string ApiServer::LadderMovesJson(Store& store, Date from, Date to, const CustomerQuery& scope) {
  auto moves = store.TierMoves(from, to, scope);
  if (!moves.ok()) ThrowStatus(moves.status());
  JsonWriter json;
  json.BeginObject().Field("from", FormatDate(from)).Field("to", FormatDate(to)).Key("items").BeginArray();
  for (const TierMove& move : *moves) {
    json.BeginObject()
        .Field("from_tier", move.from_tier)
        .Field("to_tier", move.to_tier)
        .Field("customers", move.customers)
        .EndObject();
  }
  json.EndArray().EndObject();
  return json.Take();
}

// After a start, the dashboard's slowest answers (the ladder over every month, and
// the latest month's moves) are computed once in the background so that the first
// dashboard does not wait for them.
void ApiServer::PrewarmDashboard() {
  try {
    auto store = OpenStore();
    if (!store.ok()) return;
    int64_t version = AnalysisVersion(**store);
    CustomerQuery brokerage;
    (void)Memoized("ladder" + ScopeKey(brokerage), version, [&] { return LadderJson(**store, brokerage); });
    auto counts = (*store)->TierDistribution(brokerage);
    if (!counts.ok() || counts->empty()) return;
    Date last = counts->back().month_end, previous = last;
    for (const TierCount& count : *counts) {
      if (count.month_end < last && (previous == last || previous < count.month_end)) previous = count.month_end;
    }
    if (previous == last) return;
    (void)Memoized("moves " + FormatDate(previous) + " " + FormatDate(last) + ScopeKey(brokerage), version,
                   [&] { return LadderMovesJson(**store, previous, last, brokerage); });
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fincrm serve: dashboard prewarm: %s\n", error.what());
  }
}

HttpResponse ApiServer::Branches(Context& c) {
  JsonWriter json;
  json.BeginObject().Key("items").BeginArray();
  Status status = c.store.ForEach([&](const Branch& b) {
    if (c.principal.role == UserRole::kBranchManager && b.branch_id != c.principal.branch_id) return true;
    WriteEntity(json, b);
    return true;
  });
  if (!status.ok()) ThrowStatus(status);
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::StaffList(Context& c) {
  std::string_view branch = c.request.Query("branch_id");
  FieldVisibility visible = VisibilityFor(c.principal.role);
  JsonWriter json;
  json.BeginObject().Key("items").BeginArray();
  Status status = c.store.ForEach([&](const Staff& s) {
    if (!branch.empty() && s.branch_id != branch) return true;
    if (c.principal.role == UserRole::kBranchManager && s.branch_id != c.principal.branch_id) return true;
    WriteEntity(json, s, &visible);
    return true;
  });
  if (!status.ok()) ThrowStatus(status);
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::ChurnList(Context& c) {
  CustomerQuery query;
  query.by_churn_risk = true;
  query.limit = static_cast<int>(QueryInt(c.request, "limit", 50, 1, 1000));
  query.branch_id = c.request.Query("branch_id");
  if (c.request.HasQuery("min_churn_risk")) query.min_churn_risk = QueryDouble(c.request, "min_churn_risk", 0, 1);
  RestrictToScope(c.principal, query);
  auto items = c.store.ListCustomers(query);
  if (!items.ok()) ThrowStatus(items.status());
  FieldVisibility visible = VisibilityFor(c.principal.role);
  JsonWriter json;
  json.BeginObject().Field("threshold", live_->options().churn_threshold).Key("items").BeginArray();
  for (const CustomerListItem& item : *items) WriteListItem(json, item, visible);
  json.EndArray().EndObject();
  audit_->Record(c.principal.login, "analytics.churn_list", "", "", c.request.remote_address);
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::ChurnDistribution(Context& c) {
  CustomerQuery scope = AggregateScope(c.principal);
  return Memoized("churn histogram" + ScopeKey(scope), DataVersion(c.store), [&] {
    auto buckets = c.store.ChurnRiskHistogram(scope);
    if (!buckets.ok()) ThrowStatus(buckets.status());
    JsonWriter json;
    json.BeginObject().Field("threshold", live_->options().churn_threshold).Key("items").BeginArray();
    for (size_t b = 0; b < buckets->size(); ++b) {
      json.BeginObject()
          .Field("from", static_cast<double>(b) / 10)
          .Field("to", static_cast<double>(b + 1) / 10)
          .Field("customers", (*buckets)[b])
          .EndObject();
    }
    json.EndArray().EndObject();
    return json.Take();
  });
}

HttpResponse ApiServer::Clusters(Context& c) {
  auto run = c.store.LatestAnalysisRun();
  if (!run.ok()) ThrowStatus(run.status());
  JsonWriter json;
  json.BeginObject();
  if (!*run) {
    json.Key("run_id").Null().Key("items").BeginArray().EndArray().EndObject();
    return JsonResponse(json.Take());
  }
  // Sizes count the caller's customers; the profile is the segment as the analysis
  // defined it (its centroid over the brokerage), like a model's card.
  auto clusters = c.store.ClustersOfRun((*run)->run_id, AggregateScope(c.principal));
  if (!clusters.ok()) ThrowStatus(clusters.status());
  json.Field("run_id", (*run)->run_id).Field("as_of", FormatDate((*run)->as_of)).Key("items").BeginArray();
  for (const ClusterRecord& cluster : *clusters) {
    json.BeginObject().Field("cluster", cluster.cluster).Field("size", cluster.size).Field("label", cluster.label);
    json.Key("profile").RawJson(cluster.profile_json.empty() ? "null" : cluster.profile_json);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::LadderDistribution(Context& c) {
  CustomerQuery scope = AggregateScope(c.principal);
  return Memoized("ladder" + ScopeKey(scope), AnalysisVersion(c.store), [&] { return LadderJson(c.store, scope); });
}

HttpResponse ApiServer::LadderMoves(Context& c) {
  auto parse = [&](std::string_view name) {
    auto date = ParseDate(c.request.Query(name));
    if (!date.ok()) throw ApiError{400, "bad_parameter", "must be a month-end date YYYY-MM-DD", std::string(name)};
    return *date;
  };
  Date from = parse("from"), to = parse("to");
  CustomerQuery scope = AggregateScope(c.principal);
  return Memoized("moves " + FormatDate(from) + " " + FormatDate(to) + ScopeKey(scope), AnalysisVersion(c.store),
                  [&] { return LadderMovesJson(c.store, from, to, scope); });
}

HttpResponse ApiServer::Cube(Context& c) {
  const HttpRequest& r = c.request;
  auto query = ParseCubeQuery(r.Query("measures").empty() ? "commission" : r.Query("measures"), r.Query("by"),
                              r.Query("where"), r.Query("from"), r.Query("to"),
                              static_cast<int>(QueryInt(r, "top", 0, 0, 100000)));
  if (!query.ok()) throw ApiError{400, "bad_parameter", query.status().message(), query.status().field()};
  // holds=600000,600519: the `holds` dimension's "yes" are these symbols' holders.
  bool uses_holds = std::any_of(query->by.begin(), query->by.end(), [](CubeDimension d) { return d == CubeDimension::kHolds; }) ||
                    std::any_of(query->filters.begin(), query->filters.end(),
                                [](const CubeFilter& f) { return f.dimension == CubeDimension::kHolds; });
  std::string_view holds = r.Query("holds");
  if (uses_holds && holds.empty()) throw ApiError{400, "bad_parameter", "name the symbols: holds=600000,600519", "holds"};
  if (!holds.empty()) {
    std::vector<std::string> symbols;
    for (std::string_view rest = holds; !rest.empty();) {
      size_t comma = rest.find(',');
      std::string symbol(rest.substr(0, comma));
      if (!ValidateIdentifier(symbol, "holds").ok() || symbol.size() > 16 || symbols.size() >= 50) {
        throw ApiError{400, "bad_parameter", "up to 50 symbols separated by commas", "holds"};
      }
      symbols.push_back(std::move(symbol));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    auto positions = OpenHoldingStore(options_.db_path);
    if (!positions.ok()) ThrowStatus(positions.status());
    auto holders = (*positions)->Holders(symbols);
    if (!holders.ok()) ThrowStatus(holders.status());
    query->holders = std::move(*holders);
  }
  // Branch managers and brokers see their own slice only: the scope becomes a filter.
  CustomerQuery scope = AggregateScope(c.principal);
  if (!scope.branch_id.empty()) query->filters.push_back({CubeDimension::kBranch, false, {scope.branch_id}, true});
  if (!scope.broker_id.empty()) query->filters.push_back({CubeDimension::kBroker, false, {scope.broker_id}, true});
  std::string key = "cube " + std::string(r.Query("measures")) + "|" + std::string(r.Query("by")) + "|" +
                    std::string(r.Query("where")) + "|" + scope.branch_id + "|" + scope.broker_id + "|" +
                    std::string(r.Query("from")) + "|" + std::string(r.Query("to")) + "|" + std::string(r.Query("top")) + "|" +
                    std::string(holds);
  return Memoized(key, live_->facts_version(), [&] {
    auto result = live_->RunCubeQuery(*query);
    if (!result.ok() && result.status().code() == StatusCode::kInvalidArgument) {
      throw ApiError{400, "bad_parameter", result.status().message(), result.status().field()};
    }
    if (!result.ok()) ThrowStatus(result.status());
    JsonWriter json;
    json.BeginObject().Key("dimensions").BeginArray();
    for (const std::string& d : result->dimensions) json.String(d);
    json.EndArray().Key("measures").BeginArray();
    for (const std::string& m : result->measures) json.String(m);
    json.EndArray().Key("rows").BeginArray();
    for (const CubeResult::Row& row : result->rows) {
      json.BeginObject().Key("keys").BeginArray();
      for (const std::string& k : row.keys) json.String(k);
      json.EndArray().Key("values").BeginArray();
      for (size_t m = 0; m < row.values.size(); ++m) {
        if (IsMoneyMeasure(query->measures[m])) json.RawNumber(FormatYuan(Money{row.values[m]}));
        else json.Int(row.values[m]);
      }
      json.EndArray().EndObject();
    }
    json.EndArray().EndObject();
    return json.Take();
  });
}

HttpResponse ApiServer::Kpi(Context& c) {
  std::string level(c.request.Query("level").empty() ? "branch" : c.request.Query("level"));
  if (level != "branch" && level != "broker") throw ApiError{400, "bad_parameter", "expected branch or broker", "level"};
  auto rows = c.store.KpiScores(c.request.Query("period"), level);
  if (!rows.ok()) ThrowStatus(rows.status());
  // The units the caller may see: a branch manager their branch and its brokers, a
  // broker themselves; ranks stay those of the whole brokerage.
  DataScope scope = AggregateScopeOf(c.principal);
  std::unordered_set<std::string> brokers_of_branch;
  if (!scope.branch_id.empty() && level == "broker") {
    Status listed = c.store.ForEach([&](const Staff& s) {
      if (s.branch_id == scope.branch_id) brokers_of_branch.insert(s.staff_id);
      return true;
    });
    if (!listed.ok()) ThrowStatus(listed);
  }
  auto visible = [&](const KpiRecord& row) {
    if (scope.nobody) return false;
    if (!scope.broker_id.empty()) return level == "broker" && row.unit == scope.broker_id;
    if (!scope.branch_id.empty()) return level == "branch" ? row.unit == scope.branch_id : brokers_of_branch.count(row.unit) > 0;
    return true;
  };
  JsonWriter json;
  json.BeginObject().Field("level", level).Key("weights").BeginObject();
  json.Field("new", 0.2).Field("retained", 0.3).Field("upgraded", 0.3).Field("profit", 0.2).EndObject();
  json.Key("items").BeginArray();
  for (const KpiRecord& row : *rows) {
    if (visible(row)) WriteEntity(json, row);
  }
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::ModelCard(Context& c) {
  std::string name(c.request.Param("name"));
  auto model = c.store.LatestModel(name);
  if (!model.ok()) ThrowStatus(model.status());
  if (!*model) throw ApiError{404, "not_found", "no model named '" + name + "' (run fincrm analyze)", "name"};
  JsonWriter json;
  json.BeginObject()
      .Field("model_id", (*model)->model_id)
      .Field("name", (*model)->name)
      .Field("version", (*model)->version)
      .Field("created_at", FormatTimestamp((*model)->created_at));
  json.Key("card").RawJson((*model)->card_json.empty() ? "null" : (*model)->card_json);
  json.Field("card_text", (*model)->card_text).Field("rules_text", (*model)->rules_text).EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::Alerts(Context& c) {
  std::string customer_id(c.request.Query("customer_id"));
  if (!customer_id.empty()) (void)VisibleCustomer(c, customer_id);
  // Alerts name customers: the caller's customer scope, in the query before the limit.
  CustomerQuery scope;
  RestrictToScope(c.principal, scope);
  auto rows = c.store.ListAlerts(customer_id, QueryInt(c.request, "before", 0, 0, INT64_MAX),
                                 static_cast<int>(QueryInt(c.request, "limit", 50, 1, 500)), scope);
  if (!rows.ok()) ThrowStatus(rows.status());
  JsonWriter json;
  json.BeginObject().Key("items");
  WriteEntities(json, *rows);
  json.EndObject();
  return JsonResponse(json.Take());
}

}  // namespace fincrm
