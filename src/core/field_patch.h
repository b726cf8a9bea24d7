// Changing one field of an entity from text, by the field's name in its field table:
// what PATCH requests and profile-change events do. Errors name the field.
#pragma once

#include <string_view>
#include <variant>

#include "core/entity_fields.h"
#include "core/field_value.h"

namespace fincrm {

// Sets `row`'s field `name` from `text` ("" clears an optional field). Key fields
// cannot change: InvalidArgument, as for unknown fields, required fields set to ""
// and unparsable text.
template <class T>
Status ApplyFieldText(T& row, std::string_view name, std::string_view text) {
  for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) {
    if (spec.name != name) continue;
    if (spec.key) return InvalidArgument("cannot be changed (it identifies the record)", std::string(name));
    if (spec.required && text.empty()) return InvalidArgument("is required", std::string(name));
    Status status = std::visit([&](auto member) { return ParseFieldValue(text, row.*member); }, spec.member);
    if (!status.ok()) return InvalidArgument(status.message(), std::string(name));
    return Status::Ok();
  }
  return InvalidArgument("unknown field", std::string(name));
}

}  // namespace fincrm
