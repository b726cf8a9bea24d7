// Parsing POST /api/v1/events: a JSON array of events, or NDJSON (one event per line).
// Each event: {"event_id": "...", "type": "trade", "data": {...}} where data holds the
// fields of the type's entity (docs/api.md). A malformed body fails as a whole; a bad
// event is reported by its index and the others go on.
#pragma once

#include <string_view>
#include <vector>

#include "service/customer_event.h"

namespace fincrm {

struct ParsedEventBatch {
  size_t total = 0;                  // events in the body
  std::vector<CustomerEvent> valid;  // in body order
  std::vector<size_t> valid_index;   // body index of valid[i]
  std::vector<std::pair<size_t, EventResult>> rejected;  // body index, reason
};

// InvalidArgument when the body is not JSON of the expected shape or holds more than
// `max_events` events.
Result<ParsedEventBatch> ParseEventBatch(std::string_view body, bool ndjson, size_t max_events);

}  // namespace fincrm
