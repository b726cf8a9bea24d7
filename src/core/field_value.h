// Text conversion of the value types that entity fields hold.
//
// One overload pair per type: ParseFieldValue reads the text a CSV cell or a JSON
// string carries, FormatFieldValue writes the canonical text back. Empty text means
// "absent": it clears optional values and is an error for required ones (the caller
// checks `required` before calling, see entity_fields.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/status.h"

namespace fincrm {

Status ParseFieldValue(std::string_view text, std::string& out);
Status ParseFieldValue(std::string_view text, int64_t& out);
Status ParseFieldValue(std::string_view text, double& out);
Status ParseFieldValue(std::string_view text, Money& out);    // yuan, 2 decimals
Status ParseFieldValue(std::string_view text, PriceLi& out);  // yuan, 3 decimals
Status ParseFieldValue(std::string_view text, Date& out);
Status ParseFieldValue(std::string_view text, Timestamp& out);

template <class E>
  requires requires { EnumInfo<E>::kNames; }
Status ParseFieldValue(std::string_view text, E& out) {
  auto parsed = ParseEnum<E>(text);
  if (!parsed) {
    return InvalidArgument("unknown " + std::string(EnumInfo<E>::kTypeName) + " '" +
                           std::string(text) + "', expected " + EnumChoices<E>());
  }
  out = *parsed;
  return Status::Ok();
}

template <class T>
Status ParseFieldValue(std::string_view text, std::optional<T>& out) {
  if (text.empty()) {
    out.reset();
    return Status::Ok();
  }
  T value{};
  FINCRM_RETURN_IF_ERROR(ParseFieldValue(text, value));
  out = value;
  return Status::Ok();
}

inline std::string FormatFieldValue(const std::string& value) { return value; }
inline std::string FormatFieldValue(int64_t value) { return std::to_string(value); }
std::string FormatFieldValue(double value);  // shortest text that reads back the same
inline std::string FormatFieldValue(Money value) { return FormatYuan(value); }
inline std::string FormatFieldValue(PriceLi value) { return FormatScaledDecimal(value.li, 3); }
inline std::string FormatFieldValue(Date value) { return FormatDate(value); }
inline std::string FormatFieldValue(Timestamp value) { return FormatTimestamp(value); }

template <class E>
  requires requires { EnumInfo<E>::kNames; }
std::string FormatFieldValue(E value) {
  return std::string(EnumCode(value));
}

template <class T>
std::string FormatFieldValue(const std::optional<T>& value) {
  return value ? FormatFieldValue(*value) : std::string();
}

}  // namespace fincrm
