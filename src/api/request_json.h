// Reading request bodies (simdjson): a flat JSON object as name → text pairs, the
// text being what a CSV cell would hold, so the entity field tables and their
// parsers (core/field_value.h) decode API input exactly as they decode imports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/entity_fields.h"
#include "core/field_patch.h"
#include "core/validation.h"

namespace fincrm {

struct JsonField {
  enum Kind { kString, kNumber, kBool, kNull, kObject, kArray };
  std::string name;
  std::string text;  // strings unescaped, numbers in shortest form, null as ""
  Kind kind = kString;
};

// The members of a JSON object whose values are scalars. InvalidArgument for
// malformed JSON, a non-object, or a nested value (naming the member).
Result<std::vector<JsonField>> ParseFlatJsonObject(std::string_view json);

// Builds a T from the fields: every field of the table may appear, required ones
// must; unknown names are errors (a typo must not be dropped silently). Validated.
template <class T>
Status DecodeEntity(const std::vector<JsonField>& fields, T& out) {
  out = T{};
  for (const JsonField& field : fields) {
    bool known = false;
    for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) known |= spec.name == field.name;
    if (!known) return InvalidArgument("unknown field", field.name);
  }
  for (const FieldSpec<T>& spec : EntityInfo<T>::kFields) {
    const JsonField* given = nullptr;
    for (const JsonField& field : fields) {
      if (field.name == spec.name) given = &field;
    }
    if (!given || given->text.empty()) {
      if (spec.required) return InvalidArgument("is required", std::string(spec.name));
      continue;
    }
    Status status = std::visit([&](auto member) { return ParseFieldValue(given->text, out.*member); }, spec.member);
    if (!status.ok()) return InvalidArgument(status.message(), std::string(spec.name));
  }
  return Validate(out);
}

}  // namespace fincrm
