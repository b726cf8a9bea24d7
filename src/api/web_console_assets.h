// The built web console (web/dist) embedded in the binary at build time, so that
// `fincrm serve` serves the console with no flag. Empty when the console was not built
// before the binary (scripts/build-web.sh runs first in both of the README's commands);
// `--web-root` serves a directory instead. Read-only data: safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace fincrm {

struct WebAsset {
  std::string_view path;     // "/index.html", "/assets/index-….js"
  std::string_view content;  // the file's bytes
  std::string_view sha256;   // hex digest of the content
};

// The embedded asset at `path`, or nullptr.
const WebAsset* FindEmbeddedWebAsset(std::string_view path);
size_t EmbeddedWebAssetCount();

}  // namespace fincrm
