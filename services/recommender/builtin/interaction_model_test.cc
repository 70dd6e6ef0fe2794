// The co-occurrence model: what one event teaches, bounded rows, decay that
// does not depend on arrival order, what is ignored, and the history window
// (old events neither learnt nor kept, memory bounded as time moves).
#include "services/recommender/builtin/interaction_model.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

const absl::Time kModelT0 = absl::FromUnixSeconds(1'700'000'000);

absl::flat_hash_map<int64_t, float> Neighbours(const InteractionModel& model,
                                               int64_t product) {
  absl::flat_hash_map<int64_t, float> out;
  model.Read().ForEachNeighbour(product,
                                [&](int64_t id, float w) { out[id] = w; });
  return out;
}

TEST(InteractionModelTest, LaterProductsCountForwardMoreThanBackward) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kView, kModelT0);
  model.Observe("u:a", 2, Signal::kView, kModelT0 + absl::Seconds(1));
  EXPECT_FLOAT_EQ(Neighbours(model, 1)[2], 1.0f);
  EXPECT_FLOAT_EQ(Neighbours(model, 2)[1], 0.3f);
  EXPECT_DOUBLE_EQ(model.Read().Shoppers(1), 1);
  EXPECT_EQ(model.neighbour_entries(), 2);
}

TEST(InteractionModelTest, RepeatsInTheWindowOnlyUpgradeTheSignal) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kView, kModelT0);
  model.Observe("u:a", 2, Signal::kView, kModelT0);
  const double before = model.Read().Popularity(2);
  model.Observe("u:a", 2, Signal::kPurchase, kModelT0);
  EXPECT_FLOAT_EQ(Neighbours(model, 1)[2], 1.0f);  // not counted twice
  EXPECT_DOUBLE_EQ(model.Read().Shoppers(2), 1);
  EXPECT_GT(model.Read().Popularity(2), before);  // purchases weigh more
}

TEST(InteractionModelTest, ChangesCountWhatEachEventTaughtOfAProduct) {
  InteractionModel model;
  EXPECT_EQ(model.Read().Changes(1), 0u);  // unknown
  model.Observe("u:a", 1, Signal::kView, kModelT0);
  model.Observe("u:a", 2, Signal::kView, kModelT0);
  // 1's row gained 2, and 2 was learnt.
  EXPECT_EQ(model.Read().Changes(1), 2u);
  EXPECT_EQ(model.Read().Changes(2), 1u);
  model.Observe("u:a", 2, Signal::kView, kModelT0);  // teaches nothing new
  EXPECT_EQ(model.Read().Changes(2), 1u);
  model.Observe("u:a", 2, Signal::kPurchase, kModelT0);  // a stronger signal
  EXPECT_EQ(model.Read().Changes(2), 2u);
  model.Observe("u:b", 3, Signal::kView, kModelT0);  // someone else's
  EXPECT_EQ(model.Read().Changes(1), 2u);

  // Bought with: u:c viewed 9 and 10, bought 9, then 10.
  model.Observe("u:c", 9, Signal::kView, kModelT0);
  model.Observe("u:c", 10, Signal::kView, kModelT0);
  model.Observe("u:c", 9, Signal::kPurchase, kModelT0);
  const uint64_t nine = model.Read().Changes(9);
  model.Observe("u:c", 10, Signal::kPurchase, kModelT0);
  // 9's purchase co-occurrence changed with 10's purchase.
  EXPECT_EQ(model.Read().Changes(9), nine + 1);
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
    model.Observe(actor, 1, Signal::kView, kModelT0);
    model.Observe(actor, 1000 + i, Signal::kView, kModelT0);
    // One neighbour is seen by everyone: it must survive every prune.
    if (i % 2 == 0) model.Observe(actor, 7, Signal::kView, kModelT0);
  }
  const auto row = Neighbours(model, 1);
  EXPECT_LE(row.size(), 8u);
  EXPECT_TRUE(row.contains(7));
}

TEST(InteractionModelTest, ForgetsTheLeastRecentlyActiveShoppersBeyondTheCap) {
  InteractionModel model({.max_histories = 10});
  for (int i = 0; i < 11; ++i) {
    model.Observe(absl::StrCat("s:", i), 1, Signal::kView,
                  kModelT0 + absl::Minutes(i));
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
      {"u:a", 1, kModelT0},
      {"u:b", 1, kModelT0},
      {"u:c", 2, kModelT0 + absl::Hours(24)}};
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

TEST(InteractionModelTest, BatchesLearnWhatSingleEventsLearn) {
  InteractionModel one_by_one;
  InteractionModel batched;
  std::vector<smartshop::v1::Interaction> events;
  for (int i = 0; i < 30; ++i) {
    smartshop::v1::Interaction e;
    e.set_user_id(absl::StrCat("u", i % 4));
    e.set_type(i % 5 == 0 ? smartshop::v1::ORDER_PLACED
                          : smartshop::v1::VIEW_PRODUCT);
    e.set_product_id(1 + i % 7);
    e.mutable_timestamp()->set_seconds(1'700'000'000 + i);
    events.push_back(e);
  }
  events[3].set_product_id(0);  // taught nothing
  for (const auto& e : events) one_by_one.Observe(e);
  std::vector<const smartshop::v1::Interaction*> pointers;
  for (const auto& e : events) pointers.push_back(&e);
  EXPECT_EQ(batched.ObserveAll(pointers), 29);
  EXPECT_EQ(batched.events_observed(), one_by_one.events_observed());
  for (int64_t product = 1; product <= 7; ++product) {
    EXPECT_EQ(Neighbours(batched, product), Neighbours(one_by_one, product));
    EXPECT_DOUBLE_EQ(batched.Read().Popularity(product),
                     one_by_one.Read().Popularity(product));
  }
}

TEST(InteractionModelTest, WindowForgetsWholeBucketsAsTimeMoves) {
  InteractionModel model(
      {.history_window = absl::Hours(8), .window_buckets = 8});
  model.Observe("u:a", 1, Signal::kView, kModelT0);
  model.Observe("u:a", 2, Signal::kView, kModelT0 + absl::Minutes(1));
  model.AdvanceTo(kModelT0 + absl::Hours(7));  // still inside
  EXPECT_FLOAT_EQ(Neighbours(model, 1)[2], 1.0f);
  EXPECT_EQ(model.Read().Shoppers(1), 1);
  model.AdvanceTo(kModelT0 + absl::Hours(10));  // the bucket left the window
  EXPECT_TRUE(Neighbours(model, 1).empty());
  EXPECT_EQ(model.Read().Shoppers(1), 0);
  EXPECT_EQ(model.Read().Popularity(1), 0);
  EXPECT_EQ(model.neighbour_entries(), 0);
  EXPECT_EQ(model.buckets(), 0);
  EXPECT_EQ(model.histories(), 0);  // nothing pairs with the old products
  EXPECT_EQ(model.Read().Changes(1), 0u);  // with its bucket
  model.Observe("u:a", 3, Signal::kView, kModelT0 + absl::Hours(10));
  EXPECT_TRUE(Neighbours(model, 3).empty());
}

TEST(InteractionModelTest, EventsOlderThanTheWindowAreNotLearnt) {
  InteractionModel model({.history_window = absl::Hours(24)});
  EXPECT_TRUE(model.Observe("u:a", 1, Signal::kView, kModelT0));
  EXPECT_FALSE(
      model.Observe("u:b", 2, Signal::kView, kModelT0 - absl::Hours(25)));
  EXPECT_TRUE(
      model.Observe("u:b", 3, Signal::kView, kModelT0 - absl::Hours(23)));
  EXPECT_EQ(model.Read().Shoppers(2), 0);
  EXPECT_EQ(model.events_observed(), 2);
  // The clock alone moves the window too (a quiet shop still forgets).
  model.AdvanceTo(kModelT0 + absl::Hours(30));
  EXPECT_EQ(model.Read().Shoppers(1), 0);
  EXPECT_FALSE(model.Observe("u:c", 1, Signal::kView, kModelT0));
}

// A shop running for 20 windows: what the model holds levels off once
// events start ageing out, while without a window it keeps growing.
TEST(InteractionModelTest, MemoryStopsGrowingOnceEventsAgeOut) {
  InteractionModel windowed({.history_window = absl::Hours(24)});
  InteractionModel unbounded;
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  std::vector<int64_t> entries_by_day;
  std::vector<int64_t> bytes_by_day;
  for (int day = 0; day < 20; ++day) {
    for (int i = 0; i < 5000; ++i) {
      const absl::Time at =
          kModelT0 + absl::Hours(24) * day + absl::Seconds(i * 17);
      // Shoppers come and go: each day has its own.
      const std::string actor = absl::StrCat("s:", day, "-", next() % 500);
      const int64_t product = 1 + static_cast<int64_t>(next() % 2000);
      windowed.Observe(actor, product, Signal::kView, at);
      unbounded.Observe(actor, product, Signal::kView, at);
    }
    entries_by_day.push_back(windowed.neighbour_entries());
    bytes_by_day.push_back(windowed.ApproximateBytes());
  }
  EXPECT_LE(windowed.buckets(), 9);
  // Level from day 2 on (a window and a bucket held), within noise.
  EXPECT_LT(entries_by_day[19], entries_by_day[3] * 1.3);
  EXPECT_LT(bytes_by_day[19], bytes_by_day[3] * 1.5);
  EXPECT_GT(unbounded.neighbour_entries(), 3 * entries_by_day[19]);
}

TEST(InteractionModelTest, BoughtWithCountsOnlyPurchasesOfOneShopper) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kPurchase, kModelT0);
  model.Observe("u:a", 2, Signal::kView, kModelT0 + absl::Seconds(1));
  model.Observe("u:a", 3, Signal::kPurchase, kModelT0 + absl::Seconds(2));
  // A view bought later counts as bought with both, once.
  model.Observe("u:a", 2, Signal::kPurchase, kModelT0 + absl::Seconds(3));
  model.Observe("u:b", 4, Signal::kPurchase, kModelT0);
  absl::flat_hash_map<int64_t, float> bought;
  model.Read().ForEachBoughtWith(1,
                                 [&](int64_t id, float w) { bought[id] = w; });
  EXPECT_EQ(bought, (absl::flat_hash_map<int64_t, float>{{2, 1}, {3, 1}}));
}

TEST(InteractionModelTest, TrendComparesTheWindowWithItsOwnBaseline) {
  InteractionModel model;
  // Steady: one new shopper an hour for four weeks (the day's baseline,
  // a week's half-life, has settled by then).
  for (int hour = 0; hour < 24 * 28; ++hour) {
    model.Observe(absl::StrCat("u:s", hour), 1, Signal::kView,
                  kModelT0 + absl::Hours(hour));
  }
  const Trend steady = model.Read().TrendOf(1, TrendWindow::kDay);
  // About 24 a day, against a baseline of about 24 a day.
  EXPECT_NEAR(steady.recent, 24 / std::log(2.0), 3);
  EXPECT_NEAR(steady.recent / steady.baseline, 1, 0.1);
  // A burst of 50 in the last hour lifts the hour far above its day.
  for (int i = 0; i < 50; ++i) {
    model.Observe(absl::StrCat("u:b", i), 1, Signal::kView,
                  kModelT0 + absl::Hours(24 * 28));
  }
  const Trend burst = model.Read().TrendOf(1, TrendWindow::kHour);
  EXPECT_GT(burst.recent, 5 * burst.baseline);
  EXPECT_EQ(model.Read().TrendOf(99, TrendWindow::kHour).recent, 0);
}

TEST(InteractionModelTest, TrendAllowsForWhatAShortWindowForgot) {
  // A day's window forgets most of a week's baseline: a steady product
  // must still not look rising.
  InteractionModel model({.history_window = absl::Hours(24)});
  for (int hour = 0; hour < 24 * 4; ++hour) {
    model.Observe(absl::StrCat("u:s", hour), 1, Signal::kView,
                  kModelT0 + absl::Hours(hour));
  }
  const Trend steady = model.Read().TrendOf(1, TrendWindow::kDay);
  EXPECT_NEAR(steady.recent / steady.baseline, 1, 0.3);
}

TEST(InteractionModelTest, RecentPurchasesDecay) {
  InteractionModel model;
  model.Observe("u:a", 1, Signal::kPurchase, kModelT0);
  model.Observe("u:b", 1, Signal::kView, kModelT0);
  EXPECT_NEAR(model.Read().RecentPurchases(1), 1, 1e-9);
  // A half-life later (the newest event is the model's now).
  model.Observe("u:c", 2, Signal::kView, kModelT0 + absl::Hours(24 * 7));
  EXPECT_NEAR(model.Read().RecentPurchases(1), 0.5, 1e-9);
  EXPECT_EQ(model.Read().RecentPurchases(2), 0);
}

}  // namespace
}  // namespace smartshop::recommender
