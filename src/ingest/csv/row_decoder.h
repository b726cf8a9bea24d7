// Turns CSV records into validated entities, driven by the entity's field table.
//
// The header may use the English column names or the Chinese labels of
// core/entity_fields.h, in any order and any ASCII case; unknown columns are
// ignored (and listed), a missing required column fails the whole file before any
// row is read. Cells are trimmed of surrounding spaces. Not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/entity_fields.h"
#include "core/field_value.h"
#include "core/validation.h"
#include "ingest/csv/spreadsheet_text.h"

namespace fincrm {

std::string_view TrimSpaces(std::string_view text);

template <class T>
class RowDecoder {
 public:
  // Maps the header's columns to fields. InvalidArgument names a missing required
  // column or a column given twice.
  static Result<RowDecoder> FromHeader(const std::vector<std::string_view>& header) {
    RowDecoder decoder;
    auto fields = std::span(EntityInfo<T>::kFields);
    decoder.column_of_field_.assign(fields.size(), -1);
    for (size_t column = 0; column < header.size(); ++column) {
      std::string_view name = TrimSpaces(header[column]);
      bool matched = false;
      for (size_t f = 0; f < fields.size(); ++f) {
        if (EqualsIgnoreAsciiCase(name, fields[f].name) || name == fields[f].label_zh) {
          if (decoder.column_of_field_[f] >= 0) {
            return InvalidArgument("column '" + std::string(name) + "' appears twice in the header",
                                   std::string(fields[f].name));
          }
          decoder.column_of_field_[f] = static_cast<int>(column);
          matched = true;
          break;
        }
      }
      if (!matched) decoder.ignored_columns_.emplace_back(name);
    }
    for (size_t f = 0; f < fields.size(); ++f) {
      if (fields[f].required && decoder.column_of_field_[f] < 0) {
        return InvalidArgument("the header lacks the required column '" +
                                   std::string(fields[f].name) + "' (" +
                                   std::string(fields[f].label_zh) + ")",
                               std::string(fields[f].name));
      }
    }
    return decoder;
  }

  // Parses and validates one record. The error names the field at fault.
  Status Decode(const std::vector<std::string_view>& cells, T& out) const {
    out = T{};
    auto fields = std::span(EntityInfo<T>::kFields);
    for (size_t f = 0; f < fields.size(); ++f) {
      int column = column_of_field_[f];
      // An exported cell that would have run as a formula carries an apostrophe more.
      std::string_view text =
          column >= 0 && static_cast<size_t>(column) < cells.size() ? RestoreFormulaText(TrimSpaces(cells[column]))
                                                                     : std::string_view();
      const FieldSpec<T>& spec = fields[f];
      if (text.empty()) {
        if (spec.required) return InvalidArgument("is required", std::string(spec.name));
        continue;  // the default-constructed value means "absent"
      }
      Status status = std::visit(
          [&](auto member) { return ParseFieldValue(text, out.*member); }, spec.member);
      if (!status.ok()) return InvalidArgument(status.message(), std::string(spec.name));
    }
    return Validate(out);
  }

  const std::vector<std::string>& ignored_columns() const { return ignored_columns_; }

 private:
  std::vector<int> column_of_field_;  // per field: header column, or -1
  std::vector<std::string> ignored_columns_;
};

}  // namespace fincrm
