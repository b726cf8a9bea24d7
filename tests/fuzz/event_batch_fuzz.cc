// Fuzzes the parsing and validation of POST /api/v1/events bodies (JSON array or
// NDJSON, chosen by the first byte). Besides "no crash, no sanitizer report", it
// checks that every event is accounted for exactly once (valid or rejected with a
// reason) and that every valid event names its customer.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/event_batch_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool ndjson = data[0] & 1;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto batch = fincrm::ParseEventBatch(body, ndjson, 1000);
  if (!batch.ok()) {
    if (batch.status().message().empty()) std::abort();  // a failure must say why
    return 0;
  }
  if (batch->valid.size() + batch->rejected.size() != batch->total) std::abort();
  if (batch->valid.size() != batch->valid_index.size()) std::abort();
  for (const auto& event : batch->valid) {
    if (event.customer_id().empty() || event.event_id.empty()) std::abort();
  }
  for (const auto& [index, result] : batch->rejected) {
    if (index >= batch->total || result.message.empty()) std::abort();
  }
  return 0;
}
