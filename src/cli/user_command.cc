#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <iostream>

#include "api/audit_trail.h"
#include "api/password_hasher.h"
#include "cli/commands.h"
#include "core/validation.h"
#include "storage/open_store.h"

namespace fincrm {
namespace {

// The password from the first line of standard input, or typed at a prompt with the
// echo off.
Result<std::string> ReadPassword(bool from_stdin) {
  std::string password;
  if (from_stdin || !::isatty(STDIN_FILENO)) {
    if (!std::getline(std::cin, password)) return InvalidArgument("no password on standard input", "password");
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  std::fprintf(stderr, "password: ");
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::getline(std::cin, password);
  std::string again;
  std::fprintf(stderr, "\nagain: ");
  std::getline(std::cin, again);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::fprintf(stderr, "\n");
  if (password != again) return InvalidArgument("the two passwords differ", "password");
  return password;
}

}  // namespace

int RunUserAdd(const UserAddArgs& args) {
  auto role = ParseEnum<UserRole>(args.role);
  if (!role) {
    return Fail(InvalidArgument("unknown role '" + args.role + "', expected " + EnumChoices<UserRole>(), "role"));
  }
  StaffUser user;
  user.login = args.login;
  user.role = *role;
  user.branch_id = args.branch;
  user.staff_id = args.staff_id;
  Status valid = Validate(user);
  if (!valid.ok()) return Fail(valid);
  auto store = OpenStore(args.db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto existing = (*store)->FindUser(user.login);
  if (!existing.ok()) return Fail(existing.status());
  if (existing->has_value()) return Fail(AlreadyExists("login '" + user.login + "' exists", "login"));
  auto password = ReadPassword(args.password_stdin);
  if (!password.ok()) return Fail(password.status());
  auto hash = HashPassword(*password);
  if (!hash.ok()) return Fail(hash.status());
  user.password_hash = *hash;
  user.created_at = CurrentTime();
  Status added = (*store)->AddUser(user);
  if (!added.ok()) return Fail(added);
  auto audited = RecordAudit(**store, CliActor(), "user.add", "",
                             "login " + user.login + " role " + std::string(EnumCode(user.role)), "cli");
  if (!audited.ok()) return Fail(audited.status());
  std::printf("login %s added with role %s%s%s\n", user.login.c_str(), std::string(EnumCode(user.role)).c_str(),
              user.branch_id.empty() ? "" : (", branch " + user.branch_id).c_str(),
              user.staff_id.empty() ? "" : (", staff " + user.staff_id).c_str());
  return kExitOk;
}

int RunUserList(const std::string& db) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  Status listed = (*store)->ForEach(std::function<bool(const StaffUser&)>([](const StaffUser& u) {
    std::printf("%-20s %-16s %-8s %-8s %s\n", u.login.c_str(), std::string(EnumCode(u.role)).c_str(),
                u.branch_id.empty() ? "-" : u.branch_id.c_str(), u.staff_id.empty() ? "-" : u.staff_id.c_str(),
                u.disabled ? "disabled" : "active");
    return true;
  }));
  return listed.ok() ? kExitOk : Fail(listed);
}

std::string CliActor() {
  const char* name = std::getenv("USER");
  if (!name || !*name) name = std::getenv("LOGNAME");
  return std::string("cli:") + (name && *name ? name : std::to_string(::getuid()).c_str());
}

int RunAuditVerify(const std::string& db) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  Status error;
  AuditVerification result = VerifyAuditTrail(**store, error);
  if (!error.ok()) return Fail(error);
  if (result.first_bad) {
    std::printf("audit trail BROKEN at entry %lld: %s\n", static_cast<long long>(*result.first_bad),
                result.problem.c_str());
    return kExitFailure;
  }
  std::printf("audit trail intact: %lld entries, each chained to the one before\n",
              static_cast<long long>(result.entries));
  return kExitOk;
}

}  // namespace fincrm
