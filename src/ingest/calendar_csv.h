// The business calendar's import format (docs/service-center.md#calendar): a CSV file,
// UTF-8 or GBK, with the header `kind,value,name` and one row per fact:
//   hours,09:00-11:30,上午        working period of every working day (one or more)
//   holiday,2026-02-16,春节       a closed day (weekday or not)
//   workday,2026-02-14,春节调休   a make-up working day (调休): working, not trading
// Kinds may also be written in Chinese (工作时段, 节假日, 调休). Without `hours` rows
// the calendar keeps 09:00–11:30 and 13:00–17:00.
#pragma once

#include <memory>
#include <string>

#include "core/business_calendar.h"
#include "ingest/csv/csv_reader.h"

namespace fincrm {

// The whole file or nothing: the first defect is an InvalidArgument naming the file,
// the line and the field ("calendar.csv line 7, value: ...").
Result<BusinessCalendar> ReadCalendarCsv(std::unique_ptr<ByteSource> source, const std::string& source_name);

}  // namespace fincrm
