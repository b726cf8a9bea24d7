// The calendar's SQLite tables: one row per version, its working periods and its days.
#include <sqlite3.h>

#include "storage/calendar_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kCalendarSchema = R"sql(
CREATE TABLE calendar_versions (
  version INTEGER PRIMARY KEY,
  imported_at INTEGER NOT NULL,
  imported_by TEXT NOT NULL,
  source TEXT NOT NULL,
  digest TEXT NOT NULL,
  periods TEXT NOT NULL
);
CREATE TABLE calendar_days (
  version INTEGER NOT NULL REFERENCES calendar_versions(version),
  day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name TEXT NOT NULL,
  PRIMARY KEY (version, day)
) WITHOUT ROWID;
)sql";

constexpr Migration kCalendarMigrations[] = {
    {1, "business calendar versions: working periods, holidays and make-up working days", kCalendarSchema},
};

std::string PeriodsText(const std::vector<WorkingPeriod>& periods) {
  std::string text;
  for (const WorkingPeriod& p : periods) {
    if (!text.empty()) text += ',';
    text += FormatWorkingPeriod(p);
  }
  return text;
}

class SqliteCalendarStore final : public CalendarStore {
 public:
  explicit SqliteCalendarStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Save(const BusinessCalendar& calendar, CalendarVersion meta) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared(
        "INSERT INTO calendar_versions(imported_at, imported_by, source, digest, periods) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert.ok()) return insert.status();
    (*insert)->Bind(1, meta.imported_at);
    (*insert)->Bind(2, std::string_view(meta.imported_by));
    (*insert)->Bind(3, std::string_view(meta.source));
    (*insert)->Bind(4, std::string_view(meta.digest));
    std::string periods = PeriodsText(calendar.periods());
    (*insert)->Bind(5, std::string_view(periods));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "storing the calendar version"));
    int64_t version = db_->LastInsertId();
    auto day = db_->Prepared("INSERT INTO calendar_days(version, day, kind, name) VALUES (?1, ?2, ?3, ?4)");
    if (!day.ok()) return day.status();
    for (const CalendarDay& d : calendar.days()) {
      (*day)->Reset();
      (*day)->Bind(1, version);
      (*day)->Bind(2, d.date);
      (*day)->Bind(3, d.kind);
      (*day)->Bind(4, std::string_view(d.name));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*day)->Step(), "storing a calendar day"));
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return version;
  }

  Result<std::optional<StoredCalendar>> Current() override {
    auto versions = Versions();
    if (!versions.ok()) return versions.status();
    if (versions->empty()) return std::optional<StoredCalendar>();
    StoredCalendar stored{versions->front(), BusinessCalendar()};
    std::vector<WorkingPeriod> periods;
    std::string_view text = stored.version.periods;
    while (!text.empty()) {
      size_t comma = text.find(',');
      auto period = ParseWorkingPeriod(text.substr(0, comma));
      if (!period.ok()) return Internal("stored calendar version " + std::to_string(stored.version.version) +
                                        ": " + period.status().message());
      periods.push_back(*period);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    FINCRM_RETURN_IF_ERROR(stored.calendar.SetPeriods(std::move(periods)));
    auto days = db_->Prepared("SELECT day, kind, name FROM calendar_days WHERE version = ?1 ORDER BY day");
    if (!days.ok()) return days.status();
    (*days)->Bind(1, stored.version.version);
    int rc;
    while ((rc = (*days)->Step()) == SQLITE_ROW) {
      CalendarDay day;
      (*days)->Read(0, day.date);
      (*days)->Read(1, day.kind);
      (*days)->Read(2, day.name);
      stored.calendar.AddDay(std::move(day));
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the calendar"));
    return std::optional<StoredCalendar>(std::move(stored));
  }

  Result<std::vector<CalendarVersion>> Versions() override {
    auto query = db_->Prepared(
        "SELECT v.version, v.imported_at, v.imported_by, v.source, v.digest, v.periods, "
        "(SELECT COUNT(*) FROM calendar_days d WHERE d.version = v.version) "
        "FROM calendar_versions v ORDER BY v.version DESC");
    if (!query.ok()) return query.status();
    std::vector<CalendarVersion> versions;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) {
      CalendarVersion& v = versions.emplace_back();
      (*query)->Read(0, v.version);
      (*query)->Read(1, v.imported_at);
      (*query)->Read(2, v.imported_by);
      (*query)->Read(3, v.source);
      (*query)->Read(4, v.digest);
      (*query)->Read(5, v.periods);
      (*query)->Read(6, v.days);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the calendar versions"));
    return versions;
  }

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<CalendarStore>> OpenCalendarStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "calendar", kCalendarMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<CalendarStore>(new SqliteCalendarStore(std::move(*db)));
}

Result<BusinessCalendar> CalendarInForce(const std::string& location) {
  auto store = OpenCalendarStore(location);
  if (!store.ok()) return store.status();
  auto current = (*store)->Current();
  if (!current.ok()) return current.status();
  return *current ? std::move((*current)->calendar) : BusinessCalendar();
}

}  // namespace fincrm
