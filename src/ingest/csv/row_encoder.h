// Turns an entity into its CSV cells, in the field-table order that the importer
// reads back: export and import round-trip.
#pragma once

#include <string>
#include <vector>

#include "core/entity_fields.h"
#include "core/field_value.h"

namespace fincrm {

template <class T>
std::vector<std::string> EncodeRow(const T& row) {
  std::vector<std::string> cells;
  cells.reserve(std::size(EntityInfo<T>::kFields));
  for (const auto& field : EntityInfo<T>::kFields) {
    cells.push_back(std::visit([&](auto member) { return FormatFieldValue(row.*member); },
                               field.member));
  }
  return cells;
}

// The header line: English column names, or the Chinese labels.
template <class T>
std::vector<std::string> HeaderRow(bool chinese) {
  std::vector<std::string> cells;
  for (const auto& field : EntityInfo<T>::kFields) {
    cells.emplace_back(chinese ? field.label_zh : field.name);
  }
  return cells;
}

}  // namespace fincrm
