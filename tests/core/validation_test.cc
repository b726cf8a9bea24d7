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

TEST(TradeValidationTest, AmountsMustNotBeNegative) {
  Trade t;
  t.trade_id = "T1";
  t.customer_id = "C1";
  t.account_id = "A1";
  t.symbol = "600000";
  t.quantity = 100;
  t.price.li = 10000;
  t.amount.fen = 100000;
  t.commission.fen = 500;
  EXPECT_TRUE(Validate(t).ok());
  t.amount.fen = -1;
  EXPECT_EQ(Validate(t).field(), "amount");
  t.amount.fen = 1;
  t.quantity = 0;
  EXPECT_EQ(Validate(t).field(), "quantity");
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
