// The natural keys already in the store, so that incoming rows can be checked for
// referential integrity (a customer's branch, a trade's account) with a clear
// message before the database's foreign keys would reject them.
//
// Loaded once per import, only for the kinds the imported entity refers to. Read-only
// after loading, so it may be shared by the decoding and writing threads. Rows added
// through Add() by the same import become visible to later checks.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/entity_fields.h"
#include "storage/store.h"

namespace fincrm {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using KeySet = std::unordered_set<std::string, TransparentHash, std::equal_to<>>;

class ReferenceIndex {
 public:
  // Loads what rows of `kind` refer to.
  static Result<ReferenceIndex> LoadFor(Store& store, EntityKind kind);

  // OK, or NotFound naming the field whose reference is missing.
  Status Check(const Branch& row) const;
  Status Check(const Staff& row) const;
  Status Check(const Product& row) const;
  Status Check(const Customer& row) const;
  Status Check(const HouseholdMember& row) const;
  Status Check(const Account& row) const;
  Status Check(const AssetSnapshot& row) const;
  Status Check(const Trade& row) const;
  Status Check(const Interaction& row) const;

 private:
  Status Require(const KeySet& keys, const std::string& key, const char* field,
                 const char* what) const;

  KeySet branches_;
  KeySet staff_;
  KeySet customers_;
  std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>>
      account_owner_;  // account_id -> customer_id
};

}  // namespace fincrm
