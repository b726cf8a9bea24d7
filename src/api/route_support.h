// Small helpers shared by the route files: query parameters with errors naming them,
// and writing customers and list items with the caller's masking.
#pragma once

#include <charconv>
#include <string>

#include "api/api_server.h"
#include "api/entity_json.h"
#include "api/request_json.h"

namespace fincrm {

// A write's flat JSON object; malformed JSON is a 400 naming where it broke.
inline std::vector<JsonField> JsonBody(const HttpRequest& request) {
  auto fields = ParseFlatJsonObject(request.body);
  if (!fields.ok()) throw ApiError{400, "malformed", fields.status().message(), fields.status().field()};
  return std::move(*fields);
}

// An integer query parameter in [min, max], `fallback` when absent; 400 otherwise.
inline int64_t QueryInt(const HttpRequest& request, std::string_view name, int64_t fallback, int64_t min,
                        int64_t max) {
  std::string_view text = request.Query(name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw ApiError{400, "bad_parameter",
                   "must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
                   std::string(name)};
  }
  return value;
}

inline double QueryDouble(const HttpRequest& request, std::string_view name, double min, double max) {
  std::string text(request.Query(name));
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(value >= min && value <= max)) {
    throw ApiError{400, "bad_parameter", "must be a number from " + std::to_string(min) + " to " + std::to_string(max),
                   std::string(name)};
  }
  return value;
}

template <class E>
E QueryEnum(const HttpRequest& request, std::string_view name) {
  auto parsed = ParseEnum<E>(request.Query(name));
  if (!parsed) throw ApiError{400, "bad_parameter", "expected " + EnumChoices<E>(), std::string(name)};
  return *parsed;
}

// {"items": [...]} from a store read; a failed read becomes the mapped error.
template <class T>
HttpResponse ItemsResponse(const Result<std::vector<T>>& rows) {
  if (!rows.ok()) ThrowStatus(rows.status());
  JsonWriter json;
  json.BeginObject().Key("items");
  WriteEntities(json, *rows);
  json.EndObject();
  return JsonResponse(json.Take());
}

inline void WriteListItem(JsonWriter& json, const CustomerListItem& item, const FieldVisibility& visible) {
  json.BeginObject();
  WriteEntityFields(json, item.customer, &visible);
  json.Key("tier");
  if (item.tier.empty()) json.Null();
  else json.String(item.tier);
  json.Key("cluster");
  if (item.cluster < 0) json.Null();
  else json.Int(item.cluster);
  json.Key("churn_risk");
  if (item.churn_risk < 0) json.Null();
  else json.Double(item.churn_risk);
  json.Field("churn_reasons", item.churn_reasons);
  json.Field("value_score", item.value_score);
  json.Key("latest_assets").RawNumber(FormatYuan(item.latest_assets));
  json.EndObject();
}

}  // namespace fincrm
