#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
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
  if (*role == UserRole::kInvestor) {
    return Fail(InvalidArgument("investors activate their own login in the portal, with a code from the counter", "role"));
  }
  StaffUser user;
  user.login = args.login;
  user.role = *role;
  user.branch_id = args.branch;
  user.staff_id = args.staff_id;
  Status valid = Validate(user);
  if (!valid.ok()) return Fail(valid);
  auto key = LoadAuditKey(args.audit_key_file);
  if (!key.ok()) return Fail(key.status());
  const AuditKey* audit_key = *key ? &**key : nullptr;
  auto store = OpenStore(args.db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  // Before anything is written: a login must not be added without its audit entry.
  Status may_audit = CheckAuditKey(**store, audit_key);
  if (!may_audit.ok()) return Fail(may_audit);
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
                             "login " + user.login + " role " + std::string(EnumCode(user.role)), "cli", audit_key);
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
    if (u.role == UserRole::kInvestor) return true;  // staff logins; investors are the portal's
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

Result<std::optional<AuditKey>> LoadAuditKey(const std::string& path) {
  if (path.empty()) return std::optional<AuditKey>();
  auto key = AuditKey::Load(path);
  if (!key.ok()) return key.status();
  return std::optional<AuditKey>(std::move(*key));
}

int RunAuditHead(const std::string& db) {
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto head = AuditHead(**store);
  if (!head.ok()) return Fail(head.status());
  if (!*head) {
    std::printf("the audit trail is empty\n");
    return kExitOk;
  }
  std::printf("%s\n", FormatAuditHead(**head).c_str());
  return kExitOk;
}

int RunAuditVerify(const std::string& db, const std::string& audit_key_file, const std::string& checkpoint_file,
                   const std::string& expect_head) {
  auto key = LoadAuditKey(audit_key_file);
  if (!key.ok()) return Fail(key.status());
  std::optional<AuditCheckpoint> kept_head;
  if (!expect_head.empty()) {
    auto parsed = ParseAuditHead(expect_head);
    if (!parsed.ok()) return Fail(parsed.status());
    kept_head = *parsed;
  }
  if (!checkpoint_file.empty() && !*key) {
    return Fail(InvalidArgument("checking checkpoints needs the audit key that signed them (--audit-key-file)",
                                "checkpoint_file"));
  }
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  std::optional<AuditCheckpoint> checkpoint;
  if (!checkpoint_file.empty()) {
    auto latest = LatestCheckpoint(checkpoint_file, **key);
    if (!latest.ok()) {
      std::printf("audit trail BROKEN: %s\n", latest.status().message().c_str());
      return kExitFailure;
    }
    if (!*latest) return Fail(InvalidArgument(checkpoint_file + " holds no checkpoint", "checkpoint_file"));
    checkpoint = *latest;
  }
  Status error;
  AuditVerification result = VerifyAuditTrail(**store, error, *key ? &**key : nullptr, checkpoint, kept_head);
  if (!error.ok()) return Fail(error);
  if (result.first_bad) {
    std::printf("audit trail BROKEN at entry %lld: %s\n", static_cast<long long>(*result.first_bad),
                result.problem.c_str());
    return kExitFailure;
  }
  std::printf("audit trail intact: %lld entries, each chained to the one before", static_cast<long long>(result.entries));
  if (result.keyed_from) std::printf("; sealed with the key from entry %lld", static_cast<long long>(result.keyed_from));
  else std::printf("; not sealed with a key (plain SHA-256)");
  if (checkpoint) {
    std::printf("; all entries up to the signed checkpoint of %s (entry %lld) are present and unchanged",
                FormatTimestamp(checkpoint->at).c_str(), static_cast<long long>(checkpoint->sequence));
  }
  if (kept_head) {
    std::printf("; the kept head (entry %lld) is present and unchanged", static_cast<long long>(kept_head->sequence));
  }
  if (!checkpoint && !kept_head) {
    std::printf("; no checkpoint or kept head compared, so removed newest entries would not show");
  }
  if (!result.keyed_from && !kept_head) {
    std::printf(". Without a key, whoever can write the database can remove entries and recompute the chain: "
                "keep `fincrm audit head` elsewhere and verify with --expect-head");
  }
  std::printf("\n");
  return kExitOk;
}

int RunAuditKeygen(const std::string& out) {
  std::string key = AuditKey::Generate();
  if (key.empty()) return Fail(Internal("libsodium cannot be initialised"));
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
  if (fd < 0) {
    return Fail(InvalidArgument("cannot create " + out + ": " + std::strerror(errno) +
                                    (errno == EEXIST ? " (an existing key is never overwritten)" : ""),
                                "out"));
  }
  bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Fail(Unavailable("writing " + out + " failed"));
  std::printf("audit key written to %s (mode 0400): keep it apart from the database and its backups\n", out.c_str());
  return kExitOk;
}

}  // namespace fincrm
