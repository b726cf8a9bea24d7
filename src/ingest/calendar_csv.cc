#include "ingest/calendar_csv.h"

#include <set>


namespace fincrm {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<BusinessCalendar> ReadCalendarCsv(std::unique_ptr<ByteSource> source, const std::string& source_name) {
  auto reader = CsvReader::Create(std::move(source), TextEncoding::kAuto);
  if (!reader.ok()) return reader.status();
  auto at = [&](int64_t line, std::string_view field, const std::string& message) {
    return InvalidArgument(source_name + " line " + std::to_string(line) + ", " + std::string(field) + ": " + message,
                           std::string(field));
  };
  CsvRecord record;
  if (!(*reader)->Next(record)) return InvalidArgument(source_name + ": the file is empty (expected the header kind,value,name)");
  if (!record.error.ok()) return at(record.line, "header", record.error.message());
  if (record.fields.size() != 3 || Trim(record.fields[0]) != "kind" || Trim(record.fields[1]) != "value" ||
      Trim(record.fields[2]) != "name") {
    return at(record.line, "header", "expected the header kind,value,name");
  }
  (*reader)->set_expected_fields(3);
  BusinessCalendar calendar;
  std::vector<WorkingPeriod> periods;
  std::set<int32_t> seen;
  while ((*reader)->Next(record)) {
    if (!record.error.ok()) return at(record.line, "record", record.error.message());
    if (record.fields.size() != 3) {
      return at(record.line, "record", "expected 3 fields, got " + std::to_string(record.fields.size()));
    }
    std::string_view kind = Trim(record.fields[0]), value = Trim(record.fields[1]);
    std::string name(Trim(record.fields[2]));
    if (kind == "hours" || kind == "工作时段") {
      auto period = ParseWorkingPeriod(value);
      if (!period.ok()) return at(record.line, "value", period.status().message());
      periods.push_back(*period);
      BusinessCalendar check;
      Status valid = check.SetPeriods(periods);
      if (!valid.ok()) return at(record.line, "value", valid.message());
      continue;
    }
    CalendarDay day;
    if (kind == "holiday" || kind == "节假日" || kind == "休市") day.kind = CalendarDayKind::kHoliday;
    else if (kind == "workday" || kind == "调休" || kind == "调休工作日") day.kind = CalendarDayKind::kMakeUpWorkday;
    else return at(record.line, "kind", "expected hours, holiday or workday, got '" + std::string(kind) + "'");
    auto date = ParseDate(value);
    if (!date.ok()) return at(record.line, "value", date.status().message());
    if (!seen.insert(date->days).second) return at(record.line, "value", FormatDate(*date) + " is listed twice");
    if (day.kind == CalendarDayKind::kMakeUpWorkday && Weekday(*date) < 5) {
      return at(record.line, "value", FormatDate(*date) + " is a weekday: a make-up working day falls on a weekend");
    }
    if (name.size() > 100) return at(record.line, "name", "longer than 100 bytes");
    day.date = *date;
    day.name = std::move(name);
    calendar.AddDay(std::move(day));
  }
  if (!periods.empty()) FINCRM_RETURN_IF_ERROR(calendar.SetPeriods(std::move(periods)));
  return calendar;
}

}  // namespace fincrm
