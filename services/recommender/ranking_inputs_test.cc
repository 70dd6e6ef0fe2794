#include "services/recommender/ranking_inputs.h"

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::testing::UnorderedElementsAre;

const absl::Time kInputsNow = absl::FromUnixSeconds(1'800'000'000);

smartshop::v1::Interaction InputEvent(smartshop::v1::InteractionType type,
                                      std::string user, int64_t product,
                                      absl::Duration ago) {
  smartshop::v1::Interaction event;
  event.set_type(type);
  event.set_user_id(std::move(user));
  event.set_product_id(product);
  SetTimestamp(kInputsNow - ago, event.mutable_timestamp());
  return event;
}

RequestContext ContextForUser(std::string user) {
  RequestContext context;
  context.request.set_user_id(user);
  context.shopper.user_id = std::move(user);
  return context;
}

class RankingInputsTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kInputsNow};
  absl::StatusOr<RankingInputs> Read(const RequestContext& context,
                                     bool recent_orders = true) {
    return reader_.Read(context, catalog_, absl::Now() + absl::Seconds(5),
                        recent_orders);
  }

  testing::FakeTrackingReader tracking_;
  // Knows product 5 only.
  const CatalogSnapshot catalog_{{[] {
                                   smartshop::v1::Product p;
                                   p.set_id(5);
                                   p.set_is_active(true);
                                   return p;
                                 }()},
                                 kInputsNow};
  RankingInputReader reader_{&tracking_, EngineOptions(), clock_};
};

TEST_F(RankingInputsTest, NoInteractionsAtAllIsNoData) {
  auto inputs = Read(ContextForUser("42"));
  ASSERT_TRUE(inputs.ok());
  EXPECT_TRUE(inputs->no_data);
  EXPECT_TRUE(inputs->summary.empty());
}

TEST_F(RankingInputsTest, ACategoryPageIsRankedEvenWithoutData) {
  RequestContext context = ContextForUser("42");
  context.request.set_category_id(4);
  auto inputs = Read(context);
  ASSERT_TRUE(inputs.ok());
  EXPECT_FALSE(inputs->no_data);
  EXPECT_EQ(inputs->builtin.category_id, 4);
  EXPECT_EQ(inputs->builtin.count, 16);
}

TEST_F(RankingInputsTest, TheShoppersEventsAndExclusionsReachTheRankers) {
  tracking_.SetInteractions(
      {InputEvent(smartshop::v1::ADD_TO_CART, "42", 5, absl::Minutes(1)),
       InputEvent(smartshop::v1::ORDER_PLACED, "42", 6, absl::Hours(24 * 40)),
       InputEvent(smartshop::v1::ORDER_PLACED, "42", 7, absl::Hours(24 * 2)),
       InputEvent(smartshop::v1::VIEW_PRODUCT, "other", 8, absl::Minutes(2))});
  RequestContext context = ContextForUser("42");
  context.request.add_exclude_product_ids(9);
  auto inputs = Read(context);
  ASSERT_TRUE(inputs.ok());
  EXPECT_TRUE(inputs->personalised);
  ASSERT_EQ(inputs->builtin.own.size(), 3u);
  EXPECT_EQ(inputs->builtin.own[0].product_id, 5);
  EXPECT_EQ(inputs->builtin.own[0].signal, Signal::kCart);
  // Ordered within 30 days: 7, not 6.
  EXPECT_THAT(inputs->builtin.exclude, UnorderedElementsAre(7, 9));
  // The aggregation names the products the catalog knows.
  ASSERT_EQ(inputs->summary.size(), 1u);
  EXPECT_EQ(inputs->summary[0].product_id, 5);
  EXPECT_EQ(inputs->summary[0].cart_adds, 1);

  auto without_rule = Read(context, /*recent_orders=*/false);
  ASSERT_TRUE(without_rule.ok());
  EXPECT_THAT(without_rule->builtin.exclude, UnorderedElementsAre(9));
}

TEST_F(RankingInputsTest, ATrackingFailureIsReturned) {
  tracking_.FailWith(absl::UnavailableError("tracking down"));
  EXPECT_EQ(Read(ContextForUser("42")).status(),
            absl::UnavailableError("tracking down"));
}

}  // namespace
}  // namespace smartshop::recommender
