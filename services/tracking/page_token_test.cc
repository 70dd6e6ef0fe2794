#include "services/tracking/page_token.h"

#include "gtest/gtest.h"

namespace smartshop::tracking {
namespace {

TEST(PageTokenTest, InteractionTokenRoundTrips) {
  const InteractionCursor cursor{1'700'000'000'123'456, 42};
  auto decoded = DecodeInteractionToken(EncodeInteractionToken(cursor));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, cursor);
}

TEST(PageTokenTest, RejectsForeignTokens) {
  for (const char* bad : {"garbage!", "aTE6eDox", ""}) {
    EXPECT_EQ(DecodeInteractionToken(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // Well formed, but no listing can have made them.
  for (const InteractionCursor& forged :
       {InteractionCursor{INT64_MAX, 1}, InteractionCursor{INT64_MIN, 1},
        InteractionCursor{1'700'000'000'000'000, -1}}) {
    EXPECT_EQ(
        DecodeInteractionToken(EncodeInteractionToken(forged)).status().code(),
        absl::StatusCode::kInvalidArgument)
        << forged.timestamp_micros;
  }
  ProductQuery query;
  EXPECT_FALSE(
      DecodeProductToken(EncodeInteractionToken(InteractionCursor{1, 2}), query)
          .ok());
}

TEST(PageTokenTest, ProductTokenIsTiedToItsListing) {
  ProductQuery by_sales;
  by_sales.active_only = true;
  by_sales.order = smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC;
  const std::string token = EncodeProductToken(by_sales, {500, 9});
  auto decoded = DecodeProductToken(token, by_sales);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (ProductCursor{500, 9}));
  ProductQuery by_id;
  by_id.active_only = true;
  auto mismatch = DecodeProductToken(token, by_id);
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace smartshop::tracking
