#include "ingest/csv/csv_reader.h"

#include <gtest/gtest.h>

#include "ingest/csv/csv_writer.h"

namespace fincrm {
namespace {

struct Row {
  int64_t line;
  std::vector<std::string> fields;
  std::string error;
};

std::vector<Row> ReadAll(std::string data, size_t expected_fields = 0,
                         TextEncoding encoding = TextEncoding::kAuto) {
  auto reader = CsvReader::Create(MemorySource(std::move(data)), encoding);
  EXPECT_TRUE(reader.ok());
  (*reader)->set_expected_fields(expected_fields);
  std::vector<Row> rows;
  CsvRecord record;
  while ((*reader)->Next(record)) {
    rows.push_back({record.line, std::vector<std::string>(record.fields.begin(), record.fields.end()),
                    record.error.message()});
  }
  return rows;
}

TEST(CsvReaderTest, PlainRowsAndLineNumbers) {
  auto rows = ReadAll("a,b,c\n1,2,3\n\n4,,6\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(rows[2].line, 4);  // the blank line counts
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"4", "", "6"}));
}

TEST(CsvReaderTest, QuotedCommasQuotesAndNewlines) {
  auto rows = ReadAll("id,note\r\n1,\"a, \"\"quoted\"\"\r\nline\"\r\n2,x\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields[1], "a, \"quoted\"\r\nline");
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_EQ(rows[2].fields[1], "x");
  EXPECT_TRUE(rows[2].error.empty());
}

TEST(CsvReaderTest, LastLineWithoutNewlineAndEmptyLastField) {
  auto rows = ReadAll("a,b\n1,");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", ""}));
}

TEST(CsvReaderTest, Utf8BomIsSkipped) {
  auto rows = ReadAll("\xEF\xBB\xBF客户号,姓名\nC1,张三\n");
  EXPECT_EQ(rows[0].fields[0], "客户号");
  EXPECT_EQ(rows[1].fields[1], "张三");
}

TEST(CsvReaderTest, GbkIsDetectedAndDecoded) {
  // "客户号,姓名\nC1,张三\n" in GBK.
  std::string gbk = "\xBF\xCD\xBB\xA7\xBA\xC5,\xD0\xD5\xC3\xFB\nC1,\xD5\xC5\xC8\xFD\n";
  auto reader = CsvReader::Create(MemorySource(gbk), TextEncoding::kAuto);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->encoding(), TextEncoding::kGbk);
  auto rows = ReadAll(gbk);
  EXPECT_EQ(rows[0].fields[0], "客户号");
  EXPECT_EQ(rows[1].fields[1], "张三");
}

TEST(CsvReaderTest, Utf16IsRefusedWithAClearMessage) {
  auto reader = CsvReader::Create(MemorySource("\xFF\xFE" "a\0,\0"), TextEncoding::kAuto);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("UTF-16"), std::string::npos);
}

TEST(CsvReaderTest, UnterminatedQuoteInTheMiddleLosesOnlyItsLine) {
  auto rows = ReadAll("id,name,city\n1,\"Zhang,Shanghai\n2,Li,Beijing\n3,Wang,Shenzhen\n", 3);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_NE(rows[1].error.find("unterminated"), std::string::npos);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1,\"Zhang,Shanghai"}));
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"2", "Li", "Beijing"}));
  EXPECT_TRUE(rows[2].error.empty());
  EXPECT_EQ(rows[3].line, 4);
  EXPECT_EQ(rows[3].fields[0], "3");
}

TEST(CsvReaderTest, UnterminatedQuoteThatMeetsALaterQuoteIsStillContained) {
  auto rows = ReadAll("id,name,note\n1,\"broken,x\n2,ok,\"fine\"\n3,ok,y\n", 3);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(rows[1].error.empty());
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"2", "ok", "fine"}));
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"3", "ok", "y"}));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  auto rows = ReadAll("a,b\n\"x\"y,2\n3,4\n", 2);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[1].error.empty());
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"3", "4"}));
}

TEST(CsvReaderTest, WrongFieldCountIsReported) {
  auto rows = ReadAll("a,b\n1,2,3\n", 2);
  EXPECT_NE(rows[1].error.find("3 fields"), std::string::npos);
}

TEST(CsvReaderTest, RecordsLargerThanTheBufferStream) {
  std::string big(3 << 20, 'x');
  auto rows = ReadAll("a,b\n1," + big + "\n2,y\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields[1].size(), big.size());
  EXPECT_EQ(rows[2].fields[1], "y");
}

TEST(CsvWriterTest, QuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendCsvField("plain", out);
  out += ',';
  AppendCsvField("a,b", out);
  out += ',';
  AppendCsvField("say \"hi\"", out);
  out += ',';
  AppendCsvField("two\nlines", out);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"");
  auto rows = ReadAll("a,b,c,d\n" + out + "\n", 4);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines"}));
}

}  // namespace
}  // namespace fincrm
