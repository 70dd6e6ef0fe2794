// The co-occurrence model: what one event teaches, bounded rows, decay that
// does not depend on arrival order, and what is ignored.
#include "services/recommender/builtin/interaction_model.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

absl::flat_hash_map<int64_t, float> Neighbours(const InteractionModel& model,
                                               int64_t product) {
  absl::flat_hash_map<int64_t, float> out;
  model.Read().ForEachNeighbour(product,
                                [&](int64_t id, float w) { out[id] = w; });
  return out;
}

TEST(InteractionModelTest, LaterProductsCountForwardMoreThanBackward) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kView, kT0);
  model.Observe("u:a", 2, Signal::kView, kT0 + absl::Seconds(1));
  EXPECT_FLOAT_EQ(Neighbours(model, 1)[2], 1.0f);
  EXPECT_FLOAT_EQ(Neighbours(model, 2)[1], 0.3f);
  EXPECT_DOUBLE_EQ(model.Read().Shoppers(1), 1);
  EXPECT_EQ(model.neighbour_entries(), 2);
}

TEST(InteractionModelTest, RepeatsInTheWindowOnlyUpgradeTheSignal) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kView, kT0);
  model.Observe("u:a", 2, Signal::kView, kT0);
  const double before = model.Read().Popularity(2);
  model.Observe("u:a", 2, Signal::kPurchase, kT0);
  EXPECT_FLOAT_EQ(Neighbours(model, 1)[2], 1.0f);  // not counted twice
  EXPECT_DOUBLE_EQ(model.Read().Shoppers(2), 1);
  EXPECT_GT(model.Read().Popularity(2), before);  // purchases weigh more
}

TEST(InteractionModelTest, SessionsAndUsersHaveSeparateHistories) {
  InteractionModel model;
  smartshop::v1::Interaction event;
  event.set_session_key("s1");
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(1);
  EXPECT_TRUE(model.Observe(event));
  event.set_user_id("u1");
  event.set_product_id(2);
  EXPECT_TRUE(model.Observe(event));  // keyed by the user, not the session
  EXPECT_TRUE(Neighbours(model, 1).empty());
  EXPECT_EQ(model.histories(), 2);
}

TEST(InteractionModelTest, IgnoresEventsWithoutProductActorOrSignal) {
  InteractionModel model;
  smartshop::v1::Interaction event;
  event.set_user_id("u1");
  event.set_type(smartshop::v1::SEARCH);
  event.set_product_id(1);
  EXPECT_FALSE(model.Observe(event));
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(0);
  EXPECT_FALSE(model.Observe(event));
  event.set_product_id(1);
  event.set_user_id("");
  EXPECT_FALSE(model.Observe(event));
  EXPECT_EQ(model.events_observed(), 0);
}

TEST(InteractionModelTest, RowsStayBoundedByTheNeighbourCap) {
  InteractionModel model({.window = 2, .max_neighbours = 4});
  // Product 1 co-occurs with 100 others, one shopper each.
  for (int i = 0; i < 100; ++i) {
    const std::string actor = absl::StrCat("u:", i);
    model.Observe(actor, 1, Signal::kView, kT0);
    model.Observe(actor, 1000 + i, Signal::kView, kT0);
    // One neighbour is seen by everyone: it must survive every prune.
    if (i % 2 == 0) model.Observe(actor, 7, Signal::kView, kT0);
  }
  const auto row = Neighbours(model, 1);
  EXPECT_LE(row.size(), 8u);
  EXPECT_TRUE(row.contains(7));
}

TEST(InteractionModelTest, ForgetsTheLeastRecentlyActiveShoppersBeyondTheCap) {
  InteractionModel model({.max_histories = 10});
  for (int i = 0; i < 11; ++i) {
    model.Observe(absl::StrCat("s:", i), 1, Signal::kView,
                  kT0 + absl::Minutes(i));
  }
  // Over the cap: the older half went, the newest stayed.
  EXPECT_LE(model.histories(), 6);
  EXPECT_FALSE(model.ForgetActor("s:0"));
  EXPECT_TRUE(model.ForgetActor("s:10"));
  EXPECT_EQ(model.Read().Shoppers(1), 11);  // aggregates are kept
}

TEST(InteractionModelTest, PopularityDecaysAndIgnoresArrivalOrder) {
  InteractionModel in_order({.popularity_half_life = absl::Hours(24)});
  InteractionModel reversed({.popularity_half_life = absl::Hours(24)});
  std::vector<std::tuple<std::string, int64_t, absl::Time>> events = {
      {"u:a", 1, kT0}, {"u:b", 1, kT0}, {"u:c", 2, kT0 + absl::Hours(24)}};
  for (const auto& [actor, product, at] : events) {
    in_order.Observe(actor, product, Signal::kView, at);
  }
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    reversed.Observe(std::get<0>(*it), std::get<1>(*it), Signal::kView,
                     std::get<2>(*it));
  }
  auto popularity = [](const InteractionModel& model, int64_t product) {
    return model.Read().Popularity(product);
  };
  // Two views a day old are worth one view today.
  EXPECT_NEAR(popularity(in_order, 1), popularity(in_order, 2), 1e-9);
  EXPECT_NEAR(popularity(in_order, 1), popularity(reversed, 1), 1e-9);
  EXPECT_GT(in_order.ApproximateBytes(), 0);
}

}  // namespace
}  // namespace smartshop::recommender
