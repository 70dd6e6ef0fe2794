#include "common/proto_time.h"

#include "gtest/gtest.h"

namespace smartshop {
namespace {

TEST(ProtoTimeTest, RoundTripsToTheNanosecond) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1'700'000'000);
  ts.set_nanos(123'456'789);
  const absl::Time t = ToTime(ts);
  EXPECT_EQ(absl::ToUnixNanos(t), 1'700'000'000'123'456'789);
  google::protobuf::Timestamp back = ToTimestamp(t);
  EXPECT_EQ(back.seconds(), ts.seconds());
  EXPECT_EQ(back.nanos(), ts.nanos());
}

TEST(ProtoTimeTest, TimesBefore1970KeepNanosPositive) {
  const absl::Time t = absl::FromUnixNanos(-1'500'000'000);  // -1.5 s
  google::protobuf::Timestamp ts = ToTimestamp(t);
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500'000'000);
  EXPECT_EQ(ToTime(ts), t);
}

}  // namespace
}  // namespace smartshop
