// A login of FinCRM: a member of staff (or an integration system) with a role that
// decides what they may do and a data scope (their branch, or their own customers).
// The password is kept only as an argon2id hash.
#pragma once

#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

enum class UserRole {
  kAdmin, kHqAnalyst, kBranchManager, kBroker, kAgent, kResearchAnalyst, kCompliance, kIntegration,
  // A customer signed in to the investor portal: their own data only, no staff route.
  kInvestor
};
template <> struct EnumInfo<UserRole> {
  static constexpr std::string_view kTypeName = "role";
  static constexpr EnumName kNames[] = {{0, "admin", "管理员"},
                                        {1, "hq_analyst", "总部分析师"},
                                        {2, "branch_manager", "营业部经理"},
                                        {3, "broker", "经纪人"},
                                        {4, "agent", "坐席"},
                                        {5, "research_analyst", "研究员"},
                                        {6, "compliance", "合规"},
                                        {7, "integration", "系统接口"},
                                        {8, "investor", "投资者"}};
};

// Investors' logins live beside staff logins, named by this prefix and the customer
// number; they sign in only through the portal's route, and staff only through theirs.
inline constexpr std::string_view kInvestorLoginPrefix = "investor.";

struct StaffUser {
  std::string login;  // natural key
  UserRole role = UserRole::kAgent;
  std::string branch_id;  // required for branch managers
  std::string staff_id;   // required for brokers: whose customers they see
  std::string password_hash;  // argon2id, libsodium's encoded form
  int64_t disabled = 0;       // 1 when the login may not sign in
  int64_t failed_logins = 0;
  Timestamp locked_until;     // 0 when not locked
  Timestamp created_at;
};

// Whether `after` takes or changes rights `before` had: role, scope (branch, staff
// record), password, or newly disabled. Such a change ends the login's sessions.
inline bool RightsChanged(const StaffUser& before, const StaffUser& after) {
  return before.role != after.role || before.branch_id != after.branch_id || before.staff_id != after.staff_id ||
         before.password_hash != after.password_hash || (after.disabled && !before.disabled);
}

}  // namespace fincrm
