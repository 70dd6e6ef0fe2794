#include "services/recommender/request_context.h"

#include <string>

#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;

absl::Status Rejection(const GetRecommendationsRequest& request) {
  return MakeRequestContext(request, true).status();
}

TEST(RequestContextTest, EachBadFieldIsRefusedWithItsName) {
  GetRecommendationsRequest r;
  r.set_user_id(std::string(129, 'u'));
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("user_id: longer than 128 bytes"));
  r.set_user_id("anonymous");
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("user_id: \"anonymous\" is reserved "
                                       "for the anonymous cache key"));
  r.set_user_id(std::string("a\0b", 3));
  EXPECT_EQ(Rejection(r), absl::InvalidArgumentError(
                              "user_id: must be UTF-8 without NUL characters"));
  r.clear_user_id();
  r.set_session_key("\xff");
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError(
                "session_key: must be UTF-8 without NUL characters"));
  r.set_session_key(std::string(129, 's'));
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("session_key: longer than 128 bytes"));
  r.clear_session_key();
  r.set_limit(9);
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("limit: must be 0 (= 8) to 8"));
  r.set_limit(0);
  r.set_category_id(-1);
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("category_id: must not be negative"));
  r.set_category_id(0);
  r.add_exclude_product_ids(0);
  EXPECT_EQ(Rejection(r), absl::InvalidArgumentError(
                              "exclude_product_ids: 0 is not a product id"));
  r.clear_exclude_product_ids();
  for (int i = 1; i <= 101; ++i) r.add_exclude_product_ids(i);
  EXPECT_EQ(Rejection(r),
            absl::InvalidArgumentError("exclude_product_ids: at most 100 ids"));
}

TEST(RequestContextTest, AUserIsTheShopperAndItsSessionKeyIsIgnored) {
  GetRecommendationsRequest r;
  r.set_user_id("42");
  r.set_session_key("s1");
  auto context = MakeRequestContext(r, true);
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->shopper.user_id, "42");
  EXPECT_EQ(context->shopper.session_key, "");
  EXPECT_TRUE(context->cacheable);
}

TEST(RequestContextTest, SessionsShareTheAnonymousAnswerUnlessPersonal) {
  GetRecommendationsRequest r;
  r.set_session_key("s1");
  auto personal = MakeRequestContext(r, true);
  ASSERT_TRUE(personal.ok());
  EXPECT_TRUE(IsSession(personal->shopper));
  EXPECT_EQ(personal->request.session_key(), "s1");

  auto shared = MakeRequestContext(r, false);
  ASSERT_TRUE(shared.ok());
  EXPECT_FALSE(IsSession(shared->shopper));
  EXPECT_EQ(shared->shopper.session_key, "");
  EXPECT_EQ(shared->request.session_key(), "");
}

TEST(RequestContextTest, CategoryPagesAreNotCached) {
  GetRecommendationsRequest r;
  r.set_category_id(3);
  auto context = MakeRequestContext(r, true);
  ASSERT_TRUE(context.ok());
  EXPECT_FALSE(context->cacheable);
}

TEST(RequestContextTest, InvalidationTargetsAreChecked) {
  EXPECT_TRUE(CheckUserTarget("42").ok());
  const absl::Status bad_user = absl::InvalidArgumentError(
      "user_id: must be 1 to 128 bytes and not \"anonymous\"");
  EXPECT_EQ(CheckUserTarget(""), bad_user);
  EXPECT_EQ(CheckUserTarget("anonymous"), bad_user);
  EXPECT_EQ(CheckUserTarget(std::string(129, 'u')), bad_user);
  EXPECT_TRUE(CheckSessionTarget("s1").ok());
  EXPECT_EQ(CheckSessionTarget(""),
            absl::InvalidArgumentError("session_key: must be 1 to 128 bytes"));
}

}  // namespace
}  // namespace smartshop::recommender
