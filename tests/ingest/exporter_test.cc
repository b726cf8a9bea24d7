#include "ingest/exporter.h"

#include <gtest/gtest.h>

#include "ingest/csv/spreadsheet_text.h"
#include "ingest/csv_importer.h"
#include "ingest/demo_data_generator.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

TEST(ExporterTest, CsvExportReimportsIntoAnIdenticalDatabase) {
  testing::TempDir dir;
  auto source = OpenStore(dir.File("source.db"));
  ASSERT_TRUE(source.ok());
  DemoDataOptions options;
  options.customers = 150;
  options.months = 6;
  auto sink = StoreSink(**source);
  ASSERT_TRUE(GenerateDemoData(options, *sink).ok());

  auto target = OpenStore(dir.File("target.db"));
  ASSERT_TRUE(target.ok());
  for (EntityKind kind : kAllEntityKinds) {
    std::string file = dir.File(std::string(EntityKindName(kind)) + ".csv");
    auto written = ExportEntities(**source, kind, file, {});
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_EQ(*written, *(*source)->Count(kind));
    auto imported = ImportCsv(**target, kind, file, {});
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    EXPECT_EQ(imported->rows_rejected, 0) << EntityKindName(kind);
    EXPECT_EQ(*(*target)->Count(kind), *(*source)->Count(kind)) << EntityKindName(kind);
  }
  // Re-exporting the copy gives the same bytes.
  for (EntityKind kind : kAllEntityKinds) {
    std::string again = dir.File("again.csv");
    ASSERT_TRUE(ExportEntities(**target, kind, again, {}).ok());
    EXPECT_EQ(testing::ReadFile(again),
              testing::ReadFile(dir.File(std::string(EntityKindName(kind)) + ".csv")))
        << EntityKindName(kind);
  }
}

TEST(ExporterTest, GbkAndChineseHeadersRoundTrip) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto writer = (*store)->BeginWrite();
  ASSERT_TRUE((*writer)->Put(Branch{"B001", "上海营业部", "上海", "上海", std::nullopt}).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string file = dir.File("branches_gbk.csv");
  ASSERT_TRUE(ExportEntities(**store, EntityKind::kBranch, file, {TextEncoding::kGbk, true, false}).ok());
  std::string bytes = testing::ReadFile(file);
  EXPECT_EQ(bytes.find("营业部"), std::string::npos);  // not UTF-8
  auto copy = OpenStore(dir.File("copy.db"));
  auto imported = ImportCsv(**copy, EntityKind::kBranch, file, {});
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->encoding, TextEncoding::kGbk);
  EXPECT_EQ(imported->rows_stored, 1);
}

// Spreadsheet formula injection: cells that would run as formulas are written with a
// leading apostrophe, plain numbers are not, and an import gives back the exact text.
TEST(ExporterTest, FormulaCellsAreNeutralisedAndRoundTripExactly) {
  std::string scratch;
  for (std::string cell : {"=1+1", "+86 138", "-cmd", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x"}) {
    std::string written(NeutraliseFormula(cell, scratch));
    EXPECT_EQ(written, "'" + cell) << cell;
    EXPECT_EQ(RestoreFormulaText(written), cell) << cell;
  }
  for (std::string cell : {"-12.50", "-3", "12", "plain", "", "'quoted", "a=b", "'"}) {
    EXPECT_EQ(NeutraliseFormula(cell, scratch), cell) << cell;
    EXPECT_EQ(RestoreFormulaText(cell), cell) << cell;
  }
  // Through the exporter and the importer.
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto writer = (*store)->BeginWrite();
  ASSERT_TRUE((*writer)->Put(Branch{"B001", "=HYPERLINK(\"http://evil.example\")", "@上海", "-上海", std::nullopt}).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string file = dir.File("branches.csv");
  ASSERT_TRUE(ExportEntities(**store, EntityKind::kBranch, file, {}).ok());
  std::string bytes = testing::ReadFile(file);
  EXPECT_NE(bytes.find("\"'=HYPERLINK("), std::string::npos) << bytes;
  EXPECT_NE(bytes.find(",'@上海,'-上海"), std::string::npos) << bytes;
  auto copy = OpenStore(dir.File("copy.db"));
  ASSERT_TRUE(ImportCsv(**copy, EntityKind::kBranch, file, {}).ok());
  std::optional<Branch> branch;
  ASSERT_TRUE((*copy)->ForEach(std::function<bool(const Branch&)>([&](const Branch& b) {
    branch = b;
    return true;
  })).ok());
  ASSERT_TRUE(branch.has_value());
  EXPECT_EQ(branch->name, "=HYPERLINK(\"http://evil.example\")");
  EXPECT_EQ(branch->province, "@上海");
  EXPECT_EQ(branch->city, "-上海");
}

TEST(ExporterTest, ExcelWorkbookIsWritten) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto writer = (*store)->BeginWrite();
  ASSERT_TRUE((*writer)->Put(Branch{"B001", "上海营业部", "上海", "上海", std::nullopt}).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string file = dir.File("branches.xlsx");
  auto rows = ExportEntities(**store, EntityKind::kBranch, file, {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
  std::string bytes = testing::ReadFile(file);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");  // an OOXML zip container
}

TEST(ExporterTest, UnwritablePathIsUnavailable) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  auto rows = ExportEntities(**store, EntityKind::kBranch, dir.File("no/such/dir/x.csv"), {});
  EXPECT_EQ(rows.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fincrm
