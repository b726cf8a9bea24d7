// CalendarStore: the brokerage's business calendar (core/business_calendar.h) as
// versioned data. Every import is a new version with who imported it, from which file
// and the file's SHA-256; the newest version is the calendar in force, and the older
// ones stay for audit (an SLA deadline can be explained by the calendar it was
// computed with).
//
// Threading: one thread at a time per CalendarStore.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/business_calendar.h"
#include "core/status.h"

namespace fincrm {

struct CalendarVersion {
  int64_t version = 0;  // assigned when saved
  Timestamp imported_at;
  std::string imported_by;
  std::string source;  // file name
  std::string digest;  // hex SHA-256 of the imported file
  int64_t days = 0;    // holidays and make-up working days
  std::string periods;  // "09:00-11:30,13:00-17:00"
};

struct StoredCalendar {
  CalendarVersion version;
  BusinessCalendar calendar;
};

class CalendarStore {
 public:
  virtual ~CalendarStore() = default;
  // Stores the calendar as the next version in one transaction; returns the version.
  virtual Result<int64_t> Save(const BusinessCalendar& calendar, CalendarVersion meta) = 0;
  // The calendar in force, or nullopt before the first import.
  virtual Result<std::optional<StoredCalendar>> Current() = 0;
  // Newest first.
  virtual Result<std::vector<CalendarVersion>> Versions() = 0;
};

// FailedPrecondition for a PostgreSQL location (not in this build); Unavailable when
// the database cannot be opened. Applies the calendar's migrations.
Result<std::unique_ptr<CalendarStore>> OpenCalendarStore(const std::string& location);
// The calendar in force at `location`, or the default one (Monday to Friday, no
// holidays) before the first import: what analyses and jobs count trading days with.
Result<BusinessCalendar> CalendarInForce(const std::string& location);

}  // namespace fincrm
