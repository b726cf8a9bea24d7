#include "service/seen_event_filter.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

class SeenEventFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.File("filter.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void Record(const std::string& prefix, int count) {
    auto writer = store_->BeginWrite();
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < count; ++i) {
      auto claimed = (*writer)->ClaimEvent({prefix + std::to_string(i), "trade", "C1", Timestamp{1}});
      ASSERT_TRUE(claimed.ok() && *claimed);
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SeenEventFilterTest, EveryRecordedIdIsAMaybeAndFewNewOnesAre) {
  SeenEventFilter filter;
  EXPECT_TRUE(filter.MaybeSeen("anything")) << "before loading nothing may be ruled out";
  Record("recorded-", 20000);
  ASSERT_TRUE(filter.Load(*store_).ok());
  EXPECT_EQ(filter.count(), 20000);
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(filter.MaybeSeen("recorded-" + std::to_string(i))) << i;
  int false_maybes = 0;
  for (int i = 0; i < 20000; ++i) false_maybes += filter.MaybeSeen("new-" + std::to_string(i));
  EXPECT_LT(false_maybes, 20000 * 3 * SeenEventFilter::kFalseMaybeRate);
  filter.Add("added-later");
  EXPECT_TRUE(filter.MaybeSeen("added-later"));
}

TEST_F(SeenEventFilterTest, FullPastItsCapacityAndReloadsLarger) {
  SeenEventFilter filter;
  ASSERT_TRUE(filter.Load(*store_).ok());
  EXPECT_FALSE(filter.full());
  for (int64_t i = 0; i <= SeenEventFilter::kMinimumCapacity; ++i) filter.Add("id-" + std::to_string(i));
  EXPECT_TRUE(filter.full());
  Record("id-", 1000);
  ASSERT_TRUE(filter.Load(*store_).ok());
  EXPECT_FALSE(filter.full());
  EXPECT_EQ(filter.count(), 1000);
  EXPECT_TRUE(filter.MaybeSeen("id-999"));
}

}  // namespace
}  // namespace fincrm
