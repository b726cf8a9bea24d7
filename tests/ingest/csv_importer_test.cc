#include "ingest/csv_importer.h"

#include <gtest/gtest.h>

#include "core/validation.h"
#include "ingest/csv/text_encoding.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

std::string ResidentId(const std::string& first17) { return first17 + ResidentIdCheckChar(first17); }

class CsvImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.File("import.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  ImportSummary Import(EntityKind kind, const std::string& name, const std::string& content,
                       TextEncoding encoding = TextEncoding::kAuto) {
    ImportOptions options;
    options.encoding = encoding;
    auto summary = ImportCsv(*store_, kind, dir_.Write(name, content), options);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.ok() ? *summary : ImportSummary{};
  }

  void ImportReferenceData() {
    Import(EntityKind::kBranch, "branches.csv",
           "branch_id,name,province,city\nB001,上海营业部,上海,上海\nB002,北京营业部,北京,北京\n");
    Import(EntityKind::kStaff, "staff.csv",
           "staff_id,name,role,branch_id\nS001,王经纪,broker,B001\n");
    Import(EntityKind::kCustomer, "customers.csv",
           "customer_id,name,gender,id_type,id_number,province,city,open_date,status,branch_id,broker_id\n"
           "C001,张三,M,resident_id," + ResidentId("31011519800101001") + ",上海,上海,2015-03-02,active,B001,S001\n"
           "C002,李四,F,resident_id," + ResidentId("31011519850505002") + ",上海,上海,2016-03-02,active,B001,\n");
    Import(EntityKind::kAccount, "accounts.csv",
           "account_id,customer_id,type,open_date\nA001,C001,cash,2015-03-02\nA002,C002,cash,2016-03-02\n");
  }

  int64_t Count(EntityKind kind) { return *store_->Count(kind); }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

constexpr char kTradeHeader[] =
    "trade_id,customer_id,account_id,trade_time,market,symbol,product_type,side,quantity,price,"
    "amount,commission,channel\n";

TEST_F(CsvImporterTest, StoresGoodRowsAndCountsThem) {
  ImportReferenceData();
  EXPECT_EQ(Count(EntityKind::kCustomer), 2);
  ImportSummary s = Import(EntityKind::kTrade, "trades.csv",
                           std::string(kTradeHeader) +
                               "T1,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n"
                               "T2,C002,A002,2024-03-05 10:00:00,SZ,000001,stock,sell,200,12.345,2469.00,5.00,web\n");
  EXPECT_EQ(s.rows_read, 2);
  EXPECT_EQ(s.rows_stored, 2);
  EXPECT_EQ(s.rows_rejected, 0);
  EXPECT_TRUE(s.rejects_path.empty());
  auto trades = store_->RecentTrades("C002", 1);
  ASSERT_EQ(trades->size(), 1u);
  EXPECT_EQ((*trades)[0].price.li, 12345);
  EXPECT_EQ((*trades)[0].amount.fen, 246900);
}

TEST_F(CsvImporterTest, TheAcceptanceFileStoresGoodRowsAndReportsEachBadOne) {
  ImportReferenceData();
  // Line 3: broken ID check digit; line 4: unknown branch; line 5: unterminated quote;
  // lines 2, 6: good.
  std::string bad_id = ResidentId("31011519900101003");
  bad_id.back() = bad_id.back() == '0' ? '1' : '0';
  ImportSummary customers = Import(
      EntityKind::kCustomer, "mixed_customers.csv",
      "customer_id,name,gender,id_type,id_number,province,city,open_date,status,branch_id,address\n"
      "C010,赵六,M,resident_id," + ResidentId("31011519700101001") + ",上海,上海,2020-01-02,active,B001,\"上海市, 浦东\"\n"
      "C011,钱七,M,resident_id," + bad_id + ",上海,上海,2020-01-02,active,B001,\n"
      "C012,孙八,F,resident_id," + ResidentId("31011519700101002") + ",上海,上海,2020-01-02,active,B404,\n"
      "C013,\"周九,M,resident_id," + ResidentId("31011519700101011") + ",上海,上海,2020-01-02,active,B001,\n"
      "C014,吴十,F,resident_id," + ResidentId("31011519700101022") + ",上海,上海,2020-01-02,active,B002,\n");
  EXPECT_EQ(customers.rows_read, 5);
  EXPECT_EQ(customers.rows_stored, 2);
  EXPECT_EQ(customers.rows_rejected, 3);
  EXPECT_TRUE(store_->GetCustomer("C010").ok());
  EXPECT_EQ(store_->GetCustomer("C010")->address, "上海市, 浦东");
  EXPECT_TRUE(store_->GetCustomer("C014").ok());
  std::string rejects = testing::ReadFile(customers.rejects_path);
  EXPECT_NE(rejects.find("3,id_number,resident ID check digit is wrong"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("4,branch_id,unknown branch 'B404'"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("5,,\"unterminated quoted field"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("C013,\"\"周九,M"), std::string::npos) << rejects;  // the line itself is kept

  // A negative amount in a trade file.
  ImportSummary trades = Import(EntityKind::kTrade, "mixed_trades.csv",
                                std::string(kTradeHeader) +
                                    "T1,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,-1050.00,5.00,app\n"
                                    "T2,C001,A001,2024-03-05 09:32:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n");
  EXPECT_EQ(trades.rows_stored, 1);
  EXPECT_EQ(trades.rows_rejected, 1);
  EXPECT_NE(testing::ReadFile(trades.rejects_path).find("2,amount,must not be negative"), std::string::npos);
}

TEST_F(CsvImporterTest, EachKindOfBadTradeRowIsNamed) {
  ImportReferenceData();
  ImportSummary s = Import(
      EntityKind::kTrade, "bad_trades.csv",
      std::string(kTradeHeader) +
          "T1,C001,A001,2024-03-05 09:31:00,NY,600000,stock,buy,100,10.50,1050.00,5.00,app\n"    // market
          "T2,C001,A001,2024-02-30 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n"    // time
          "T3,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.001,5.00,app\n"   // decimals
          "T4,C001,A999,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n"    // account
          "T5,C002,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n"    // owner
          "T6,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,,10.50,1050.00,5.00,app\n"       // required
          "T7,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00\n");      // field count
  EXPECT_EQ(s.rows_stored, 0);
  EXPECT_EQ(s.rows_rejected, 7);
  std::string rejects = testing::ReadFile(s.rejects_path);
  for (const char* expected : {"2,market,\"unknown market 'NY'", "3,trade_time,not a valid time",
                               "4,amount,more than 2 decimal places", "5,account_id,unknown account 'A999'",
                               "6,customer_id,\"account 'A001' belongs to customer 'C001'",
                               "7,quantity,is required", "8,,\"has 12 fields, the header has 13\""}) {
    EXPECT_NE(rejects.find(expected), std::string::npos) << expected << "\n" << rejects;
  }
  EXPECT_EQ(Count(EntityKind::kTrade), 0);
}

TEST_F(CsvImporterTest, ImportedRowsSatisfyEveryForeignKey) {
  ImportReferenceData();
  std::string content = kTradeHeader;
  for (int i = 0; i < 500; ++i) {
    content += "T" + std::to_string(i) + (i % 2 ? ",C001,A001" : ",C002,A002") +
               ",2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n";
  }
  content += "TX,C003,A003,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n";
  ImportSummary s = Import(EntityKind::kTrade, "fk.csv", content);
  EXPECT_EQ(s.rows_stored, 500);
  EXPECT_EQ(s.rows_rejected, 1);
  store_.reset();
  std::string check = dir_.File("check.txt");
  ASSERT_EQ(std::system(("sqlite3 " + dir_.File("import.db") + " 'PRAGMA foreign_key_check' > " + check).c_str()), 0);
  EXPECT_EQ(testing::ReadFile(check), "");
}

TEST_F(CsvImporterTest, ReimportingTheSameFileChangesNothing) {
  ImportReferenceData();
  std::string content = std::string(kTradeHeader) +
                        "T1,C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n"
                        "T2,C001,A001,2024-03-05 09:32:00,SH,600000,stock,sell,100,10.60,1060.00,5.00,app\n";
  ImportSummary first = Import(EntityKind::kTrade, "t.csv", content);
  ImportSummary second = Import(EntityKind::kTrade, "t.csv", content);
  EXPECT_EQ(first.rows_stored, 2);
  EXPECT_EQ(second.rows_stored, 0);
  EXPECT_EQ(second.rows_unchanged, 2);
  EXPECT_EQ(Count(EntityKind::kTrade), 2);
}

TEST_F(CsvImporterTest, DuplicateKeysInOneFileKeepTheLastVersion) {
  ImportReferenceData();
  ImportSummary s = Import(EntityKind::kBranch, "dup.csv",
                           "branch_id,name,province,city\nB003,旧名,广东,广州\nB003,新名,广东,广州\n");
  EXPECT_EQ(s.rows_read, 2);
  EXPECT_EQ(s.rows_rejected, 0);
  int64_t seen = 0;
  std::string name;
  ASSERT_TRUE(store_->ForEach(std::function<bool(const Branch&)>([&](const Branch& b) {
    if (b.branch_id == "B003") {
      ++seen;
      name = b.name;
    }
    return true;
  })).ok());
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(name, "新名");
}

TEST_F(CsvImporterTest, ChineseHeadersGbkAndChineseEnumValues) {
  ImportReferenceData();
  std::string utf8 = "客户号,姓名,性别,证件类型,证件号码,省份,城市,开户日期,客户状态,营业部代码,风险等级\n"
                     "C020,郑十一,男,身份证," + ResidentId("11010519750607003") + ",北京,北京,2019-05-06,正常,B002,稳健型\n";
  std::string gbk;
  GbkEncoder encoder;
  ASSERT_TRUE(encoder.Encode(utf8, gbk).ok());
  ImportSummary s = Import(EntityKind::kCustomer, "gbk.csv", gbk);
  EXPECT_EQ(s.encoding, TextEncoding::kGbk);
  EXPECT_EQ(s.rows_stored, 1);
  auto c = store_->GetCustomer("C020");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->name, "郑十一");
  EXPECT_EQ(c->risk_level, RiskLevel::kC3);
  EXPECT_EQ(c->status, CustomerStatus::kActive);
}

TEST_F(CsvImporterTest, ForcedUtf8OnAGbkFileRejectsRowsInsteadOfStoringMojibake) {
  ImportReferenceData();
  std::string gbk;
  GbkEncoder encoder;
  ASSERT_TRUE(encoder.Encode("branch_id,name,province,city\nB005,深圳营业部,广东,深圳\n", gbk).ok());
  ImportSummary s = Import(EntityKind::kBranch, "forced.csv", gbk, TextEncoding::kUtf8);
  EXPECT_EQ(s.rows_rejected, 1);
  EXPECT_NE(testing::ReadFile(s.rejects_path).find("not valid UTF-8"), std::string::npos);
}

TEST_F(CsvImporterTest, BomCrlfAndQuotedNewlinesInNotes) {
  ImportReferenceData();
  ImportSummary s = Import(EntityKind::kInteraction, "interactions.csv",
                           "\xEF\xBB\xBFinteraction_id,customer_id,occurred_at,channel,direction,type,staff_id,subject,notes\r\n"
                           "I1,C001,2024-03-05 10:00:00,call_center,inbound,complaint,S001,费率,\"客户说：\r\n\"\"佣金太高\"\"\"\r\n"
                           "I2,C001,2024-03-06 10:00:00,sms,outbound,marketing,,新基金,\r\n");
  EXPECT_EQ(s.rows_stored, 2);
  EXPECT_EQ(s.rows_rejected, 0);
  auto interactions = store_->RecentInteractions("C001", 5);
  ASSERT_EQ(interactions->size(), 2u);
  EXPECT_EQ((*interactions)[1].notes, "客户说：\r\n\"佣金太高\"");
}

TEST_F(CsvImporterTest, AFileWithNoGoodRowsStoresNothingAndSaysSo) {
  ImportReferenceData();
  ImportSummary s = Import(EntityKind::kAccount, "none.csv",
                           "account_id,customer_id,type,open_date\nA100,C999,cash,2020-01-01\nA101,C001,gold,2020-01-01\n");
  EXPECT_EQ(s.rows_read, 2);
  EXPECT_EQ(s.rows_stored, 0);
  EXPECT_EQ(s.rows_rejected, 2);
  EXPECT_EQ(Count(EntityKind::kAccount), 2);
}

TEST_F(CsvImporterTest, MissingRequiredColumnFailsTheFileBeforeAnyWrite) {
  auto summary = ImportCsv(*store_, EntityKind::kBranch,
                           dir_.Write("nocol.csv", "branch_id,name,province\nB009,x,y\n"), {});
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("'city'"), std::string::npos);
  EXPECT_NE(summary.status().message().find("line 1"), std::string::npos);
  EXPECT_EQ(Count(EntityKind::kBranch), 0);
}

TEST_F(CsvImporterTest, EmptyAndMissingFilesFailClearly) {
  auto empty = ImportCsv(*store_, EntityKind::kBranch, dir_.Write("empty.csv", ""), {});
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
  auto missing = ImportCsv(*store_, EntityKind::kBranch, dir_.File("absent.csv"), {});
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
}

TEST_F(CsvImporterTest, UnknownColumnsAreIgnoredAndListed) {
  ImportSummary s = Import(EntityKind::kBranch, "extra.csv",
                           "branch_id,name,province,city,manager_phone\nB001,上海营业部,上海,上海,123\n");
  EXPECT_EQ(s.rows_stored, 1);
  EXPECT_EQ(s.ignored_columns, (std::vector<std::string>{"manager_phone"}));
}

TEST_F(CsvImporterTest, ManyBatchesAndCommitsAddUp) {
  ImportReferenceData();
  std::string content = kTradeHeader;
  for (int i = 0; i < 25000; ++i) {
    content += "T" + std::to_string(i) + ",C001,A001,2024-03-05 09:31:00,SH,600000,stock,buy,100,10.50,1050.00,5.00,app\n";
    if (i % 5000 == 17) content += "BAD" + std::to_string(i) + ",C001,A001,x,SH,600000,stock,buy,100,1,1,1,app\n";
  }
  ImportOptions options;
  options.rows_per_commit = 3000;
  auto s = ImportCsv(*store_, EntityKind::kTrade, dir_.Write("many.csv", content), options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rows_read, 25005);
  EXPECT_EQ(s->rows_stored, 25000);
  EXPECT_EQ(s->rows_rejected, 5);
  EXPECT_EQ(Count(EntityKind::kTrade), 25000);
}

}  // namespace
}  // namespace fincrm
