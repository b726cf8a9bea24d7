#include "api/password_hasher.h"

#include <gtest/gtest.h>

namespace fincrm {
namespace {

TEST(PasswordHasherTest, HashesAreArgon2idSaltedAndVerify) {
  auto first = HashPassword("correct horse");
  auto second = HashPassword("correct horse");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(*first, *second);  // a fresh salt each time
  EXPECT_EQ(first->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*first, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*first, "correct horsf"));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse"));
  EXPECT_FALSE(VerifyPassword("", ""));
}

TEST(PasswordHasherTest, LengthLimits) {
  EXPECT_EQ(HashPassword("1234567").status().field(), "password");
  EXPECT_EQ(HashPassword(std::string(129, 'x')).status().field(), "password");
  EXPECT_TRUE(HashPassword("12345678").ok());
}

}  // namespace
}  // namespace fincrm
