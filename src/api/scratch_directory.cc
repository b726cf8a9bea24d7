#include "api/scratch_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "api/sessions.h"

namespace fincrm {
namespace {

constexpr std::string_view kPrefix = "fincrm-scratch-";

// Scratch directories of this user whose process is gone.
void RemoveAbandoned(const std::filesystem::path& parent) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(kPrefix)) continue;
    pid_t pid = static_cast<pid_t>(std::strtol(name.c_str() + kPrefix.size(), nullptr, 10));
    struct stat info {};
    if (pid <= 0 || ::lstat(entry.path().c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid()) {
      continue;
    }
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::filesystem::remove_all(entry.path(), error);
  }
}

}  // namespace

ScratchFile::~ScratchFile() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

Result<std::unique_ptr<ScratchDirectory>> ScratchDirectory::Create(const std::filesystem::path& parent) {
  RemoveAbandoned(parent);
  std::string pattern = (parent / (std::string(kPrefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) {
    return Unavailable("cannot create a scratch directory in " + parent.string() + ": " + std::strerror(errno));
  }
  ::chmod(pattern.c_str(), 0700);
  return std::unique_ptr<ScratchDirectory>(new ScratchDirectory(pattern));
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Result<std::unique_ptr<ScratchFile>> ScratchDirectory::NewFile(std::string_view suffix) const {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = RandomToken(12);
    std::filesystem::path file = path_ / (name + std::string(suffix));
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      return std::make_unique<ScratchFile>(file);
    }
    if (errno != EEXIST) return Unavailable("cannot create " + file.string() + ": " + std::strerror(errno));
  }
  return Unavailable("cannot create a scratch file in " + path_.string());
}

}  // namespace fincrm
