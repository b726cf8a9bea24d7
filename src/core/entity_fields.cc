#include "core/entity_fields.h"

namespace fincrm {

std::string_view EntityKindName(EntityKind kind) {
  return VisitEntityKind(kind, []<class T>() { return EntityInfo<T>::kName; });
}

std::optional<EntityKind> ParseEntityKind(std::string_view name, bool analysis) {
  auto matches = [&](EntityKind kind) {
    return VisitEntityKind(kind, [&]<class T>() {
      return name == EntityInfo<T>::kName || name == EntityInfo<T>::kLabelZh;
    });
  };
  for (EntityKind kind : kAllEntityKinds) {
    if (matches(kind)) return kind;
  }
  if (analysis) {
    for (EntityKind kind : kAnalysisKinds) {
      if (matches(kind)) return kind;
    }
  }
  // Singular forms are what people type.
  if (name == "branch") return EntityKind::kBranch;
  if (name == "customer") return EntityKind::kCustomer;
  if (name == "household") return EntityKind::kHousehold;
  if (name == "account") return EntityKind::kAccount;
  if (name == "asset" || name == "asset_snapshots") return EntityKind::kAssetSnapshot;
  if (name == "trade") return EntityKind::kTrade;
  if (name == "interaction") return EntityKind::kInteraction;
  if (name == "product") return EntityKind::kProduct;
  return std::nullopt;
}

}  // namespace fincrm
