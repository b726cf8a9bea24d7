// Names the calling thread as `top -H`, `ps -L` and perf show it (Linux keeps 15 bytes),
// so an operator can tell the ingest writer from the HTTP threads on a busy server.
#pragma once

#include <string_view>

namespace fincrm {

void NameThisThread(std::string_view name);

}  // namespace fincrm
