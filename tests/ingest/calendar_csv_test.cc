// The business calendar's import: the file whole or nothing, errors naming the line,
// and every import a new, readable version.
#include "ingest/calendar_csv.h"

#include <gtest/gtest.h>

#include "storage/calendar_store.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

Result<BusinessCalendar> Read(const std::string& text) { return ReadCalendarCsv(MemorySource(text), "cal.csv"); }

TEST(CalendarCsvTest, ReadsPeriodsHolidaysAndMakeUpDaysInEitherLanguage) {
  auto calendar = Read("kind,value,name\n工作时段,09:30-11:30,上午\nhours,13:00-15:00,下午\n"
                       "holiday,2026-02-16,春节\n调休,2026/2/14,春节调休\n");
  ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
  ASSERT_EQ(calendar->periods().size(), 2u);
  EXPECT_EQ(FormatWorkingPeriod(calendar->periods()[1]), "13:00-15:00");
  EXPECT_FALSE(calendar->IsWorkingDay(*ParseDate("2026-02-16")));
  EXPECT_TRUE(calendar->IsWorkingDay(*ParseDate("2026-02-14")));
  ASSERT_EQ(calendar->days().size(), 2u);
  EXPECT_EQ(calendar->days()[0].name, "春节调休");
}

TEST(CalendarCsvTest, EachDefectNamesItsLineAndField) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "the file is empty"},
           {"date,kind\n", "line 1, header"},
           {"kind,value,name\nhours,09:00-12:00,a\nhours,11:30-17:00,b\n", "line 3, value: the working periods 09:00-12:00 and 11:30-17:00 overlap"},
           {"kind,value,name\nholiday,2026-02-30,x\n", "line 2, value"},
           {"kind,value,name\nholiday,2026-02-16,x\nholiday,2026-02-16,y\n", "line 3, value: 2026-02-16 is listed twice"},
           {"kind,value,name\nworkday,2026-02-16,x\n", "line 2, value: 2026-02-16 is a weekday"},
           {"kind,value,name\nclosed,2026-02-16,x\n", "line 2, kind"},
           {"kind,value,name\nholiday,2026-02-16\n", "line 2, record"},
           {"kind,value,name\nhours,13:00-09:00,x\n", "line 2, value"},
       }) {
    auto calendar = Read(c.text);
    ASSERT_FALSE(calendar.ok()) << c.text;
    EXPECT_NE(calendar.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << calendar.status().message();
  }
}

TEST(CalendarStoreTest, EveryImportIsANewVersionAndTheNewestIsInForce) {
  testing::TempDir dir;
  std::string db = dir.File("cal.db");
  ASSERT_TRUE(OpenStore(db).ok());
  auto store = OpenCalendarStore(db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto none = (*store)->Current();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto first = Read("kind,value,name\nholiday,2026-02-16,春节\n");
  auto second = Read("kind,value,name\nhours,09:30-11:30,上午\nholiday,2026-02-17,春节\nworkday,2026-02-14,调休\n");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*(*store)->Save(*first, {0, Timestamp{1}, "cli:a", "a.csv", "aa", 0, ""}), 1);
  EXPECT_EQ(*(*store)->Save(*second, {0, Timestamp{2}, "cli:b", "b.csv", "bb", 0, ""}), 2);
  // A second connection (another server) reads what was committed.
  auto other = OpenCalendarStore(db);
  ASSERT_TRUE(other.ok());
  auto current = (*other)->Current();
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->version.version, 2);
  EXPECT_EQ((*current)->version.imported_by, "cli:b");
  EXPECT_EQ((*current)->version.periods, "09:30-11:30");
  EXPECT_TRUE((*current)->calendar.IsWorkingDay(*ParseDate("2026-02-16")));
  EXPECT_FALSE((*current)->calendar.IsWorkingDay(*ParseDate("2026-02-17")));
  EXPECT_TRUE((*current)->calendar.IsWorkingDay(*ParseDate("2026-02-14")));
  auto versions = (*other)->Versions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[1].days, 1);
  EXPECT_EQ((*versions)[0].days, 2);
}

}  // namespace
}  // namespace fincrm
