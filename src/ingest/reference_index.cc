#include "ingest/reference_index.h"

namespace fincrm {
namespace {

Status LoadKeys(Store& store, EntityKind kind, KeySet& keys) {
  return store.ForEachKey(kind, [&](std::string_view key) { keys.emplace(key); });
}

}  // namespace

Result<ReferenceIndex> ReferenceIndex::LoadFor(Store& store, EntityKind kind) {
  ReferenceIndex index;
  bool branches = kind == EntityKind::kStaff || kind == EntityKind::kCustomer;
  bool staff = kind == EntityKind::kCustomer || kind == EntityKind::kInteraction;
  bool customers = kind == EntityKind::kHousehold || kind == EntityKind::kAccount ||
                   kind == EntityKind::kAssetSnapshot || kind == EntityKind::kInteraction;
  bool accounts = kind == EntityKind::kTrade;
  if (branches) FINCRM_RETURN_IF_ERROR(LoadKeys(store, EntityKind::kBranch, index.branches_));
  if (staff) FINCRM_RETURN_IF_ERROR(LoadKeys(store, EntityKind::kStaff, index.staff_));
  if (customers) FINCRM_RETURN_IF_ERROR(LoadKeys(store, EntityKind::kCustomer, index.customers_));
  if (accounts) {
    FINCRM_RETURN_IF_ERROR(store.ForEach(std::function<bool(const Account&)>(
        [&](const Account& account) {
          index.account_owner_.emplace(account.account_id, account.customer_id);
          return true;
        })));
  }
  return index;
}

Status ReferenceIndex::Require(const KeySet& keys, const std::string& key, const char* field,
                               const char* what) const {
  if (key.empty() || keys.contains(key)) return Status::Ok();
  return NotFound(std::string("unknown ") + what + " '" + key + "'", field);
}

Status ReferenceIndex::Check(const Branch&) const { return Status::Ok(); }
Status ReferenceIndex::Check(const Product&) const { return Status::Ok(); }

Status ReferenceIndex::Check(const Staff& row) const {
  return Require(branches_, row.branch_id, "branch_id", "branch");
}

Status ReferenceIndex::Check(const Customer& row) const {
  FINCRM_RETURN_IF_ERROR(Require(branches_, row.branch_id, "branch_id", "branch"));
  return Require(staff_, row.broker_id, "broker_id", "broker");
}

Status ReferenceIndex::Check(const HouseholdMember& row) const {
  FINCRM_RETURN_IF_ERROR(Require(customers_, row.customer_id, "customer_id", "customer"));
  return Require(customers_, row.member_customer_id, "member_customer_id", "customer");
}

Status ReferenceIndex::Check(const Account& row) const {
  return Require(customers_, row.customer_id, "customer_id", "customer");
}

Status ReferenceIndex::Check(const AssetSnapshot& row) const {
  return Require(customers_, row.customer_id, "customer_id", "customer");
}

Status ReferenceIndex::Check(const Trade& row) const {
  auto it = account_owner_.find(row.account_id);
  if (it == account_owner_.end()) {
    return NotFound("unknown account '" + row.account_id + "'", "account_id");
  }
  if (it->second != row.customer_id) {
    return InvalidArgument("account '" + row.account_id + "' belongs to customer '" + it->second +
                               "', not '" + row.customer_id + "'",
                           "customer_id");
  }
  return Status::Ok();
}

Status ReferenceIndex::Check(const Interaction& row) const {
  FINCRM_RETURN_IF_ERROR(Require(customers_, row.customer_id, "customer_id", "customer"));
  return Require(staff_, row.staff_id, "staff_id", "staff member");
}

}  // namespace fincrm
