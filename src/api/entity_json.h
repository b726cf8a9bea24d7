// Entities as JSON, driven by their field tables: amounts in yuan as exact decimal
// numbers (1234.56), dates "YYYY-MM-DD", instants ISO 8601 with offset, enums by
// code, absent optional values null. Personal fields are masked unless the
// caller's FieldVisibility allows them.
#pragma once

#include <variant>

#include "api/access_policy.h"
#include "core/entity_fields.h"
#include "core/field_value.h"
#include "core/json_writer.h"

namespace fincrm {

namespace entity_json_detail {

inline void Value(JsonWriter& json, const std::string& v, bool required) {
  if (v.empty() && !required) json.Null();
  else json.String(v);
}
inline void Value(JsonWriter& json, int64_t v, bool) { json.Int(v); }
inline void Value(JsonWriter& json, double v, bool) { json.Double(v); }
inline void Value(JsonWriter& json, Money v, bool) { json.RawNumber(FormatYuan(v)); }
inline void Value(JsonWriter& json, PriceLi v, bool) { json.RawNumber(FormatFieldValue(v)); }
inline void Value(JsonWriter& json, Date v, bool) { json.String(FormatDate(v)); }
inline void Value(JsonWriter& json, Timestamp v, bool) { json.String(FormatTimestamp(v)); }
template <class E>
  requires requires { EnumInfo<E>::kNames; }
void Value(JsonWriter& json, E v, bool) {
  json.String(EnumCode(v));
}
template <class T>
void Value(JsonWriter& json, const std::optional<T>& v, bool) {
  if (v) Value(json, *v, true);
  else json.Null();
}

// The mask for a personal field the caller may not see in full, or nullptr.
inline std::string (*MaskFor(std::string_view field, const FieldVisibility& visible))(std::string_view) {
  // The birth date is half of a resident ID number (its digits 7-14): whoever sees the
  // number masked sees only the year.
  if ((field == "id_number" || field == "birth_date") && !visible.id_number) {
    return field == "id_number" ? &MaskIdNumber : &MaskBirthDate;
  }
  if ((field == "mobile" || field == "member_mobile") && !visible.mobile) return &MaskMobile;
  if (field == "email" && !visible.email) return &MaskEmail;
  if (field == "address" && !visible.address) return &MaskAddress;
  return nullptr;
}

}  // namespace entity_json_detail

// Writes the entity's fields into the object being written (no braces).
template <class T>
void WriteEntityFields(JsonWriter& json, const T& row, const FieldVisibility* visibility = nullptr) {
  for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) {
    json.Key(spec.name);
    std::visit(
        [&](auto member) {
          using Member = std::remove_cvref_t<decltype(row.*member)>;
          if constexpr (std::is_same_v<Member, std::string>) {
            if (visibility && !(row.*member).empty()) {
              if (auto mask = entity_json_detail::MaskFor(spec.name, *visibility)) {
                json.String(mask(row.*member));
                return;
              }
            }
          } else if constexpr (std::is_same_v<Member, std::optional<Date>>) {
            if (visibility && (row.*member).has_value()) {
              if (auto mask = entity_json_detail::MaskFor(spec.name, *visibility)) {
                json.String(mask(FormatDate(*(row.*member))));
                return;
              }
            }
          }
          entity_json_detail::Value(json, row.*member, spec.required);
        },
        spec.member);
  }
}

template <class T>
void WriteEntity(JsonWriter& json, const T& row, const FieldVisibility* visibility = nullptr) {
  json.BeginObject();
  WriteEntityFields(json, row, visibility);
  json.EndObject();
}

template <class T>
void WriteEntities(JsonWriter& json, const std::vector<T>& rows, const FieldVisibility* visibility = nullptr) {
  json.BeginArray();
  for (const T& row : rows) WriteEntity(json, row, visibility);
  json.EndArray();
}

}  // namespace fincrm
