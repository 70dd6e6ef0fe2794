#include "common/json_log.h"

#include "gtest/gtest.h"

namespace smartshop {
namespace {

TEST(RedactConnectionStringTest, MasksUrlPassword) {
  EXPECT_EQ(RedactConnectionString("postgresql://app:s3cret@db:5432/shop"),
            "postgresql://app:***@db:5432/shop");
}

TEST(RedactConnectionStringTest, MasksKeyValuePassword) {
  EXPECT_EQ(RedactConnectionString("host=db user=app password=s3cret"),
            "host=db user=app password=***");
}

TEST(RedactConnectionStringTest, LeavesUrlWithoutPasswordAlone) {
  EXPECT_EQ(RedactConnectionString("postgresql://app@127.0.0.1:5433/shop"),
            "postgresql://app@127.0.0.1:5433/shop");
}

}  // namespace
}  // namespace smartshop
