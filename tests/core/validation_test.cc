#include "core/validation.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

// Published sample number from GB 11643-1999.
constexpr char kValidId[] = "11010519491231002X";

TEST(ResidentIdTest, AcceptsValidNumbers) {
  EXPECT_TRUE(ValidateResidentId(kValidId).ok());
  EXPECT_TRUE(ValidateResidentId("11010519491231002x").ok());  // lower-case x
  EXPECT_EQ(ResidentIdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(ResidentIdCheckChar("44052418800101001"), '4');
}

TEST(ResidentIdTest, RejectsWrongCheckDigitLengthAndDate) {
  Status wrong = ValidateResidentId("110105194912310021");
  EXPECT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.field(), "id_number");
  EXPECT_NE(wrong.message().find("check digit"), std::string::npos);
  EXPECT_FALSE(ValidateResidentId("11010519491231002").ok());
  EXPECT_FALSE(ValidateResidentId("1101051949123100201").ok());
  EXPECT_FALSE(ValidateResidentId("11010519490231002X").ok());  // Feb 31st
  EXPECT_FALSE(ValidateResidentId("1101051949123A002X").ok());
}

TEST(MobileTest, MainlandNumbers) {
  EXPECT_TRUE(ValidateMobile("13812345678").ok());
  EXPECT_TRUE(ValidateMobile("19912345678").ok());
  EXPECT_FALSE(ValidateMobile("12812345678").ok());
  EXPECT_FALSE(ValidateMobile("1381234567").ok());
  EXPECT_FALSE(ValidateMobile("138123456789").ok());
  EXPECT_FALSE(ValidateMobile("1381234567a").ok());
  EXPECT_FALSE(ValidateMobile("23812345678").ok());
}

TEST(EmailTest, Plausibility) {
  EXPECT_TRUE(ValidateEmail("zhang.san@163.com").ok());
  EXPECT_FALSE(ValidateEmail("zhang.san").ok());
  EXPECT_FALSE(ValidateEmail("@163.com").ok());
  EXPECT_FALSE(ValidateEmail("a@b@c.com").ok());
  EXPECT_FALSE(ValidateEmail("a b@c.com").ok());
}

Customer ValidCustomer() {
  Customer c;
  c.customer_id = "C001";
  c.name = "张三";
  c.gender = Gender::kFemale;  // 17th digit 2 is even: female
  c.id_type = IdType::kResidentId;
  c.id_number = kValidId;
  c.birth_date = *ParseDate("1949-12-31");
  c.province = "北京";
  c.city = "北京";
  c.open_date = *ParseDate("2010-01-04");
  c.branch_id = "B001";
  return c;
}

TEST(CustomerValidationTest, AcceptsAConsistentCustomer) {
  EXPECT_TRUE(Validate(ValidCustomer()).ok());
}

TEST(CustomerValidationTest, NamesTheFieldAtFault) {
  Customer c = ValidCustomer();
  c.gender = Gender::kMale;
  EXPECT_EQ(Validate(c).field(), "gender");

  c = ValidCustomer();
  c.birth_date = *ParseDate("1950-01-01");
  EXPECT_EQ(Validate(c).field(), "birth_date");

  c = ValidCustomer();
  c.mobile = "12345";
  EXPECT_EQ(Validate(c).field(), "mobile");

  c = ValidCustomer();
  c.customer_id = "C 001";
  EXPECT_EQ(Validate(c).field(), "customer_id");

  c = ValidCustomer();
  c.open_date = *ParseDate("1940-01-01");
  EXPECT_EQ(Validate(c).field(), "open_date");

  c = ValidCustomer();
  c.risk_assessed_on = *ParseDate("2020-01-01");
  EXPECT_EQ(Validate(c).field(), "risk_assessed_on");

  c = ValidCustomer();
  c.id_type = IdType::kPassport;
  c.id_number = "E12345678";
  c.gender = Gender::kMale;  // passports carry no check digit or gender
  EXPECT_TRUE(Validate(c).ok());
}

Trade PlausibleTrade() {
  Trade t;
  t.trade_id = "T1";
  t.customer_id = "C1";
  t.account_id = "A1";
  t.symbol = "600000";
  t.trade_time = ShanghaiTime(Date{DaysFromCivil(2026, 3, 2)}, 10, 15, 0);
  t.quantity = 100;
  t.price.li = 10000;  // 10 yuan
  t.amount.fen = 100000;  // 1,000 yuan
  t.commission.fen = 500;
  return t;
}

TEST(TradeValidationTest, AmountsMustNotBeNegative) {
  Trade t = PlausibleTrade();
  EXPECT_TRUE(Validate(t).ok());
  t.amount.fen = -1;
  EXPECT_EQ(Validate(t).field(), "amount");
  t.amount.fen = 100000;
  t.quantity = 0;
  EXPECT_EQ(Validate(t).field(), "quantity");
}

// Issue 19: amounts that do not fit quantity × price, absurd commissions and trade
// times in 1900 or 2099 were accepted.
TEST(TradeValidationTest, ImpossibleTradesAreRefusedWithinDocumentedBounds) {
  auto field_of = [](const Trade& t) { return Validate(t).ok() ? std::string("ok") : Validate(t).field(); };
  Trade t = PlausibleTrade();
  t.amount.fen = 100990;  // within 1%
  EXPECT_EQ(field_of(t), "ok");
  t.amount.fen = 102000;  // 2% off
  EXPECT_EQ(field_of(t), "amount");
  EXPECT_NE(Validate(t).message().find("1000.00"), std::string::npos) << Validate(t).message();
  t.amount.fen = 100000000000;  // a billion yuan for 100 shares at 10 yuan
  EXPECT_EQ(field_of(t), "amount");
  t = PlausibleTrade();
  t.commission.fen = 1001;  // over 1% of 1,000 yuan and over 5 yuan
  EXPECT_EQ(field_of(t), "commission");
  t.commission.fen = 1000;
  EXPECT_EQ(field_of(t), "ok");
  // Bonds: the amount carries accrued interest, up to 10%.
  t.product_type = ProductType::kBond;
  t.amount.fen = 108000;
  EXPECT_EQ(field_of(t), "ok");
  t.amount.fen = 111000;
  EXPECT_EQ(field_of(t), "amount");
  // Options: × the contract unit; commission up to 50 yuan a contract.
  t = PlausibleTrade();
  t.product_type = ProductType::kOption;
  t.quantity = 2;
  t.price.li = 150;  // 0.15 yuan premium
  t.amount.fen = 300000;  // 2 × 10000 × 0.15 = 3,000 yuan
  t.commission.fen = 10000;
  EXPECT_EQ(field_of(t), "ok");
  t.commission.fen = 10001;
  EXPECT_EQ(field_of(t), "commission");
  // Times: not before the exchange opened, not in the future.
  t = PlausibleTrade();
  t.trade_time = ShanghaiTime(Date{DaysFromCivil(1900, 1, 2)}, 10, 0, 0);
  EXPECT_EQ(field_of(t), "trade_time");
  t.trade_time = ShanghaiTime(Date{DaysFromCivil(2099, 1, 2)}, 10, 0, 0);
  EXPECT_EQ(field_of(t), "trade_time");
  t.trade_time = ShanghaiTime(Date{DaysFromCivil(1990, 12, 19)}, 9, 30, 0);
  EXPECT_EQ(field_of(t), "ok");
  t.trade_time = Timestamp{CurrentTime().seconds + 3600};  // clocks a little apart
  EXPECT_EQ(field_of(t), "ok");
  t = PlausibleTrade();
  t.quantity = 20'000'000'000;
  EXPECT_EQ(field_of(t), "quantity");
  t = PlausibleTrade();
  t.price.li = 2'000'000'000;
  EXPECT_EQ(field_of(t), "price");
  // Snapshots and interactions share the time bounds.
  AssetSnapshot s{"C1", Date{DaysFromCivil(2099, 1, 1)}, {}, {}, {}, {}, {}, {}};
  EXPECT_EQ(Validate(s).field(), "snapshot_date");
  s.snapshot_date = Date{DaysFromCivil(2026, 1, 30)};
  EXPECT_TRUE(Validate(s).ok());
  s.total_assets.fen = kMaxAssetsFen + 1;
  EXPECT_EQ(Validate(s).field(), "total_assets");
  Interaction i;
  i.interaction_id = "I1";
  i.customer_id = "C1";
  i.subject = "call";
  i.occurred_at = ShanghaiTime(Date{DaysFromCivil(1900, 1, 1)}, 9, 0, 0);
  EXPECT_EQ(Validate(i).field(), "occurred_at");
  i.occurred_at = ShanghaiTime(Date{DaysFromCivil(2026, 1, 5)}, 9, 0, 0);
  EXPECT_TRUE(Validate(i).ok());
  i.duration_seconds = 90000;
  EXPECT_EQ(Validate(i).field(), "duration_seconds");
}

TEST(HouseholdValidationTest, ExactlyOneKindOfMember) {
  HouseholdMember m{"C1", Relation::kSpouse, "C2", "", ""};
  EXPECT_TRUE(Validate(m).ok());
  m.member_name = "李四";
  EXPECT_FALSE(Validate(m).ok());
  m = {"C1", Relation::kChild, "", "", ""};
  EXPECT_FALSE(Validate(m).ok());
  m = {"C1", Relation::kSpouse, "C1", "", ""};
  EXPECT_FALSE(Validate(m).ok());
}

}  // namespace
}  // namespace fincrm
