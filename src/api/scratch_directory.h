// Files that hold personal data while they are written (exports: the spreadsheet
// writer needs a file) live in a directory only the server's user can enter, are
// created readable by that user alone, and are removed when their request ends,
// however it ends. They were created world-readable in the shared temporary folder
// and left there when the process died.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fincrm {

// A file inside a ScratchDirectory, removed when this is destroyed.
class ScratchFile {
 public:
  explicit ScratchFile(std::filesystem::path path) : path_(std::move(path)) {}
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// "<parent>/fincrm-scratch-<pid>-XXXXXX", mode 0700, removed with everything in it when
// destroyed. Creating one also removes the scratch directories of this user's
// processes that have died (a crash or SIGKILL skips the destructor).
class ScratchDirectory {
 public:
  static Result<std::unique_ptr<ScratchDirectory>> Create(
      const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();

  // A new empty file, mode 0600, named "<random><suffix>" (".csv", ".xlsx").
  Result<std::unique_ptr<ScratchFile>> NewFile(std::string_view suffix) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace fincrm
