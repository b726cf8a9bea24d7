#include "service/campaigns/segment.h"

#include <simdjson.h>

#include <algorithm>

#include "core/research.h"

namespace fincrm {
namespace {

constexpr std::string_view kListMembers[] = {"tier", "cluster", "risk_level", "branch", "broker", "province", "age_band"};
constexpr int kMaxWindowDays = 3650;

Status Bad(std::string message, std::string_view member) {
  return InvalidArgument(std::move(message), "segment." + std::string(member));
}

// A list member's values, each checked against the cube's vocabulary of its dimension.
Status ReadList(simdjson::dom::element value, std::string_view member, std::string& where) {
  simdjson::dom::array items;
  if (value.get_array().get(items)) return Bad("expected an array of values", member);
  std::string values;
  size_t index = 0;
  for (simdjson::dom::element item : items) {
    std::string at = std::string(member) + "[" + std::to_string(index++) + "]";
    std::string text;
    std::string_view string;
    int64_t number = 0;
    if (!item.get_string().get(string)) text = std::string(string);
    else if (!item.get_int64().get(number)) text = std::to_string(number);
    else return Bad("expected a string", at);
    if (text.empty() || text.find_first_of(";,=") != std::string::npos) return Bad("must be a value without ; , or =", at);
    auto checked = ParseCubeQuery("trade_count", "", std::string(member) + "=" + text, "", "", 0);
    if (!checked.ok()) return Bad(checked.status().message(), at);
    values += (values.empty() ? "" : ",") + text;
  }
  if (values.empty()) return Bad("lists no value", member);
  where += (where.empty() ? "" : ";") + std::string(member) + "=" + values;
  return Status::Ok();
}

Result<double> ReadNumber(simdjson::dom::element value, std::string_view member) {
  double number = 0;
  if (value.get_double().get(number)) return Bad("expected a number", member);
  return number;
}

Result<int64_t> ReadWhole(simdjson::dom::element value, std::string_view member, int64_t min, int64_t max) {
  int64_t number = 0;
  if (value.get_int64().get(number) || number < min || number > max) {
    return Bad("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max), member);
  }
  return number;
}

Result<std::vector<std::string>> ReadStrings(simdjson::dom::element value, std::string_view member) {
  simdjson::dom::array items;
  if (value.get_array().get(items)) return Bad("expected an array of strings", member);
  std::vector<std::string> out;
  for (simdjson::dom::element item : items) {
    std::string_view text;
    std::string at = std::string(member) + "[" + std::to_string(out.size()) + "]";
    if (item.get_string().get(text) || text.empty() || text.size() > 64) return Bad("expected a code of 1–64 bytes", at);
    out.emplace_back(text);
  }
  return out;
}

}  // namespace

Result<SegmentDefinition> ParseSegment(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return InvalidArgument("is not valid JSON", "segment");
  simdjson::dom::object object;
  if (root.get_object().get(object)) return InvalidArgument("expected an object", "segment");
  SegmentDefinition segment;
  std::string where, user_where, from, to;
  for (auto [key, value] : object) {
    std::string_view member = key;
    if (std::find(std::begin(kListMembers), std::end(kListMembers), member) != std::end(kListMembers)) {
      FINCRM_RETURN_IF_ERROR(ReadList(value, member, where));
    } else if (member == "where" || member == "from" || member == "to") {
      std::string_view text;
      if (value.get_string().get(text)) return Bad("expected a string", member);
      (member == "where" ? user_where : member == "from" ? from : to) = std::string(text);
    } else if (member == "churn_risk" || member == "assets_yuan") {
      simdjson::dom::object range;
      if (value.get_object().get(range)) return Bad("expected {\"min\": n, \"max\": n}", member);
      for (auto [bound, number] : range) {
        std::string at = std::string(member) + "." + std::string(std::string_view(bound));
        if (std::string_view(bound) != "min" && std::string_view(bound) != "max") return Bad("unknown member", at);
        bool is_min = std::string_view(bound) == "min";
        if (member == "churn_risk") {
          auto risk = ReadNumber(number, at);
          if (!risk.ok()) return risk.status();
          if (*risk < 0 || *risk > 1) return Bad("must be from 0 to 1", at);
          (is_min ? segment.churn_min : segment.churn_max) = *risk;
        } else {
          // Whole yuan: money is never a floating-point number here.
          auto yuan = ReadWhole(number, at, 0, int64_t{1'000'000'000'000});
          if (!yuan.ok()) return yuan.status();
          (is_min ? segment.min_assets_fen : segment.max_assets_fen) = *yuan * 100;
        }
      }
    } else if (member == "holds") {
      simdjson::dom::object holds;
      if (value.get_object().get(holds)) return Bad("expected {\"symbols\": [...], \"industries\": [...]}", member);
      for (auto [part, list] : holds) {
        std::string at = "holds." + std::string(std::string_view(part));
        if (std::string_view(part) != "symbols" && std::string_view(part) != "industries") return Bad("unknown member", at);
        auto items = ReadStrings(list, at);
        if (!items.ok()) return items.status();
        if (std::string_view(part) == "symbols") {
          segment.holds_symbols = std::move(*items);
          continue;
        }
        for (size_t i = 0; i < items->size(); ++i) {
          const Industry* industry = FindIndustry((*items)[i]);
          if (!industry) return Bad("no Shenwan industry '" + (*items)[i] + "'", at + "[" + std::to_string(i) + "]");
          segment.holds_industries.emplace_back(industry->code);
        }
      }
      if (!segment.holds()) return Bad("names no symbol or industry", member);
    } else if (member == "activity") {
      simdjson::dom::object activity;
      if (value.get_object().get(activity)) return Bad("expected {\"traded_within_days\": n} or {\"inactive_days\": n}", member);
      for (auto [window, days] : activity) {
        std::string at = "activity." + std::string(std::string_view(window));
        auto n = ReadWhole(days, at, 1, kMaxWindowDays);
        if (!n.ok()) return n.status();
        if (std::string_view(window) == "traded_within_days") segment.traded_within_days = static_cast<int>(*n);
        else if (std::string_view(window) == "inactive_days") segment.inactive_days = static_cast<int>(*n);
        else return Bad("unknown member", at);
      }
      if (segment.traded_within_days && segment.inactive_days) {
        return Bad("takes traded_within_days or inactive_days, not both", member);
      }
    } else {
      return Bad("unknown member: expected tier, cluster, risk_level, branch, broker, province, age_band, churn_risk, "
                 "holds, activity, assets_yuan, where, from or to",
                 member);
    }
  }
  if (!user_where.empty()) where += (where.empty() ? "" : ";") + user_where;
  auto query = ParseCubeQuery("trade_count", "", where, from, to, 0);
  if (!query.ok()) {
    const std::string& field = query.status().field();
    return InvalidArgument(query.status().message(), "segment." + (field.empty() ? std::string("where") : field));
  }
  segment.cube = std::move(*query);
  if (segment.churn_min && segment.churn_max && *segment.churn_min > *segment.churn_max) {
    return Bad("min is above max", "churn_risk");
  }
  if (segment.min_assets_fen && segment.max_assets_fen && *segment.min_assets_fen > *segment.max_assets_fen) {
    return Bad("min is above max", "assets_yuan");
  }
  return segment;
}

Result<std::vector<uint32_t>> EvaluateSegment(const FactTables& facts, const CubeContext& context,
                                              const SegmentDefinition& segment, const std::vector<std::string>& holders,
                                              Date today, int threads) {
  CubeQuery query = segment.cube;
  if (segment.holds()) {
    query.holders = holders;
    query.filters.push_back(CubeFilter{CubeDimension::kHolds, false, {"yes"}});
  }
  auto selected = SelectCubeCustomers(facts, context, query, threads);
  if (!selected.ok()) return InvalidArgument(selected.status().message(), "segment." + selected.status().field());
  const bool by_churn = segment.churn_min || segment.churn_max;
  const double churn_min = segment.churn_min.value_or(0), churn_max = segment.churn_max.value_or(1);
  const bool by_assets = segment.min_assets_fen || segment.max_assets_fen;
  const int64_t assets_min = segment.min_assets_fen.value_or(INT64_MIN), assets_max = segment.max_assets_fen.value_or(INT64_MAX);
  std::vector<uint32_t> customers;
  for (uint32_t c = 0; c < selected->size(); ++c) {
    if (!(*selected)[c] || facts.Attributes(c).status == CustomerStatus::kClosed) continue;
    if (by_churn) {
      float risk = c < context.churn_risk.size() ? context.churn_risk[c] : -1.0f;
      if (risk < 0 || risk < churn_min || risk > churn_max) continue;
    }
    const CustomerRunningTotals& totals = facts.Totals(c);
    if (segment.traded_within_days &&
        (totals.last_trade_day == kNoDay || totals.last_trade_day < today.days - segment.traded_within_days)) {
      continue;
    }
    if (segment.inactive_days && totals.last_trade_day != kNoDay &&
        totals.last_trade_day >= today.days - segment.inactive_days) {
      continue;
    }
    if (by_assets && (totals.latest_asset_day == kNoDay || totals.latest_assets_fen < assets_min ||
                      totals.latest_assets_fen > assets_max)) {
      continue;
    }
    customers.push_back(c);
  }
  return customers;
}

}  // namespace fincrm
