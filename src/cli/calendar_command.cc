// `fincrm calendar`: the business calendar that SLA clocks and trading-day deadlines use.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "api/audit_trail.h"
#include "api/sessions.h"
#include "cli/commands.h"
#include "ingest/calendar_csv.h"
#include "storage/calendar_store.h"
#include "storage/open_store.h"

namespace fincrm {

Result<BusinessCalendar> ReadCalendarFile(const std::string& file, std::string* content) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + file, "file");
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string read = bytes.str();
  auto calendar = ReadCalendarCsv(MemorySource(read), file.substr(file.find_last_of('/') + 1));
  if (content) *content = std::move(read);
  return calendar;
}

int RunCalendarImport(const std::string& db, const std::string& file, const std::string& audit_key_file) {
  std::string content;
  auto calendar = ReadCalendarFile(file, &content);
  if (!calendar.ok()) return Fail(calendar.status());
  std::string name = file.substr(file.find_last_of('/') + 1);
  auto key = LoadAuditKey(audit_key_file);
  if (!key.ok()) return Fail(key.status());
  const AuditKey* audit_key = *key ? &**key : nullptr;
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  Status may_audit = CheckAuditKey(**store, audit_key);
  if (!may_audit.ok()) return Fail(may_audit);
  auto calendars = OpenCalendarStore(db);
  if (!calendars.ok()) return Fail(calendars.status());
  CalendarVersion meta;
  meta.imported_at = CurrentTime();
  meta.imported_by = CliActor();
  meta.source = name;
  meta.digest = Sha256Hex(content);
  auto version = (*calendars)->Save(*calendar, meta);
  if (!version.ok()) return Fail(version.status());
  size_t days = calendar->days().size();
  auto audited = RecordAudit(**store, meta.imported_by, "calendar.import", "",
                             "version " + std::to_string(*version) + " from " + name + " sha256 " + meta.digest + ", " +
                                 std::to_string(days) + " days",
                             "cli", audit_key);
  if (!audited.ok()) return Fail(audited.status());
  std::string periods;
  for (const WorkingPeriod& p : calendar->periods()) periods += (periods.empty() ? "" : ", ") + FormatWorkingPeriod(p);
  std::printf("calendar version %lld: %zu holidays and make-up working days, working periods %s\n",
              static_cast<long long>(*version), days, periods.c_str());
  return kExitOk;
}

int RunCalendarShow(const std::string& db, int year) {
  auto calendars = OpenCalendarStore(db);
  if (!calendars.ok()) return Fail(calendars.status());
  auto current = (*calendars)->Current();
  if (!current.ok()) return Fail(current.status());
  if (!*current) {
    std::printf("no calendar imported: weekdays 09:00-11:30 and 13:00-17:00 without holidays\n");
    return kExitOk;
  }
  const StoredCalendar& stored = **current;
  std::printf("version %lld imported %s by %s from %s (sha256 %.16s...)\nworking periods: %s\n",
              static_cast<long long>(stored.version.version), FormatTimestamp(stored.version.imported_at).c_str(),
              stored.version.imported_by.c_str(), stored.version.source.c_str(), stored.version.digest.c_str(),
              stored.version.periods.c_str());
  int trading = 0, working = 0;
  for (Date d{DaysFromCivil(year, 1, 1)}; d.days < DaysFromCivil(year + 1, 1, 1); ++d.days) {
    trading += stored.calendar.IsTradingDay(d);
    working += stored.calendar.IsWorkingDay(d);
  }
  std::printf("%d: %d working days, %d trading days\n", year, working, trading);
  for (const CalendarDay& day : stored.calendar.days()) {
    int y;
    unsigned m, dd;
    CivilFromDays(day.date.days, y, m, dd);
    if (y != year) continue;
    std::printf("  %s %-8s %s\n", FormatDate(day.date).c_str(), std::string(EnumCode(day.kind)).c_str(),
                day.name.c_str());
  }
  auto versions = (*calendars)->Versions();
  if (versions.ok() && versions->size() > 1) std::printf("%zu earlier versions kept\n", versions->size() - 1);
  return kExitOk;
}

}  // namespace fincrm
