#include <gtest/gtest.h>

#include "api/password_hasher.h"
#include "core/validation.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

TEST(UsersTest, AddFindUpdateAndReferences) {
  testing::TempDir dir;
  auto store = *OpenStore(dir.File("users.db"));
  {
    auto writer = *store->BeginWrite();
    ASSERT_TRUE(writer->Put(Branch{"B001", "上海营业部", "上海", "上海", std::nullopt}).ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  StaffUser user;
  user.login = "manager1";
  user.role = UserRole::kBranchManager;
  user.branch_id = "B001";
  user.password_hash = *HashPassword("s3cret-pass");
  ASSERT_TRUE(store->AddUser(user).ok());
  EXPECT_EQ(store->AddUser(user).code(), StatusCode::kAlreadyExists);
  auto found = store->FindUser("manager1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->role, UserRole::kBranchManager);
  EXPECT_TRUE(VerifyPassword((*found)->password_hash, "s3cret-pass"));
  user.failed_logins = 3;
  ASSERT_TRUE(store->UpdateUser(user).ok());
  EXPECT_EQ((*store->FindUser("manager1"))->failed_logins, 3);
  EXPECT_FALSE(store->FindUser("nobody")->has_value());
  StaffUser ghost = user;
  ghost.login = "ghost";
  EXPECT_EQ(store->UpdateUser(ghost).code(), StatusCode::kNotFound);
  StaffUser stray = user;
  stray.login = "stray";
  stray.branch_id = "B404";
  EXPECT_EQ(store->AddUser(stray).code(), StatusCode::kInvalidArgument);
}

TEST(UsersTest, ValidationNamesTheField) {
  StaffUser user;
  user.login = "ab";
  EXPECT_EQ(Validate(user).field(), "login");
  user.login = "broker1";
  user.role = UserRole::kBroker;
  EXPECT_EQ(Validate(user).field(), "staff_id");
  user.role = UserRole::kBranchManager;
  EXPECT_EQ(Validate(user).field(), "branch");
  user.role = UserRole::kAgent;
  EXPECT_TRUE(Validate(user).ok());
}

}  // namespace
}  // namespace fincrm
