// Fuzzes the business calendar's import and its clock. Besides "no crash, no
// sanitizer report": every calendar the import accepts has sorted, disjoint periods,
// and for it a deadline computed from any start measures back to the same business
// time (AddBusinessTime and BusinessTimeBetween are inverses).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ingest/calendar_csv.h"

namespace fincrm {
namespace {

void Check(const BusinessCalendar& calendar, const uint8_t* data, size_t size) {
  const auto& periods = calendar.periods();
  for (size_t i = 0; i < periods.size(); ++i) {
    if (periods[i].start_minute >= periods[i].end_minute) std::abort();
    if (i > 0 && periods[i].start_minute < periods[i - 1].end_minute) std::abort();
  }
  // A start within 2026 and up to 200 business hours, taken from the input's bytes.
  uint32_t bits = 0;
  std::memcpy(&bits, data, std::min<size_t>(size, sizeof bits));
  Timestamp start{ShanghaiTime(Date{DaysFromCivil(2026, 1, 1)}, 0, 0, 0).seconds + (bits % (366u * 86400u))};
  int64_t seconds = (bits >> 8) % (200 * 3600);
  Timestamp due = calendar.AddBusinessTime(start, seconds);
  if (due < start) std::abort();
  // A calendar without any working day within ten years gives up at that horizon.
  bool gave_up = due.seconds == start.seconds + int64_t{3660} * 86400;
  if (!gave_up && calendar.BusinessTimeBetween(start, due) != seconds) std::abort();
}

}  // namespace
}  // namespace fincrm

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fincrm;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto calendar = ReadCalendarCsv(MemorySource(text), "fuzz.csv");
  if (calendar.ok()) Check(*calendar, data, size);
  return 0;
}
