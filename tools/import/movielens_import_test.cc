#include "tools/import/movielens_import.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/import/event_mapping.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;

MovieLensRating Rating(int64_t user, int64_t movie, double stars, int64_t time,
                       int64_t row) {
  return {.user_id = user,
          .movie_id = movie,
          .rating = stars,
          .timestamp = time,
          .row = row};
}

std::vector<Interaction> Events(const MovieLensRating& rating) {
  auto events = MovieLensEvents(rating);
  EXPECT_TRUE(std::holds_alternative<std::vector<Interaction>>(events));
  return std::get<std::vector<Interaction>>(events);
}

TEST(MovieLensEventsTest, ARatingBelowFourIsAView) {
  const std::vector<Interaction> events =
      Events(Rating(1, 31, 2.5, 964982703, 2));
  ASSERT_EQ(events.size(), 1u);
  const Interaction& view = events[0];
  EXPECT_EQ(view.type(), smartshop::v1::VIEW_PRODUCT);
  EXPECT_EQ(view.user_id(), "ml-1");
  EXPECT_TRUE(view.session_key().empty());
  EXPECT_EQ(view.product_id(), 31);
  EXPECT_EQ(view.timestamp().seconds(), 964982703);
  EXPECT_EQ(view.timestamp().nanos(), 0);
  EXPECT_EQ(view.order_id(), 0);
  EXPECT_EQ(view.event_id(), NameUuid("movielens:1:31:964982703:view"));
}

TEST(MovieLensEventsTest, ARatingOfFourOrMoreIsAlsoAnOrderAtTheSameTime) {
  const std::vector<Interaction> events =
      Events(Rating(7, 1, 4.0, 964982703, 1));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type(), smartshop::v1::VIEW_PRODUCT);
  const Interaction& order = events[1];
  EXPECT_EQ(order.type(), smartshop::v1::ORDER_PLACED);
  EXPECT_EQ(order.user_id(), "ml-7");
  EXPECT_EQ(order.product_id(), 1);
  EXPECT_EQ(order.quantity(), 1);
  EXPECT_EQ(order.order_id(), 70'964'982'703);
  EXPECT_EQ(order.timestamp().seconds(), 964982703);
  EXPECT_EQ(order.event_id(), NameUuid("movielens:7:1:964982703:order"));
  EXPECT_NE(order.event_id(), events[0].event_id());
}

TEST(MovieLensEventsTest, EventIdsDependOnTheRatingNotItsRow) {
  const auto a = Events(Rating(1, 2, 5, 100, 1));
  const auto b = Events(Rating(1, 2, 5, 100, 999));
  EXPECT_EQ(a[0].event_id(), b[0].event_id());
  EXPECT_EQ(a[1].event_id(), b[1].event_id());
  EXPECT_NE(Events(Rating(1, 2, 5, 101, 1))[0].event_id(), a[0].event_id());
  EXPECT_NE(Events(Rating(2, 2, 5, 100, 1))[0].event_id(), a[0].event_id());
  EXPECT_NE(Events(Rating(1, 3, 5, 100, 1))[0].event_id(), a[0].event_id());
  // Not the Online Retail import's ids either.
  EXPECT_NE(a[0].event_id(), EventId(1, kViewKind));
}

TEST(MovieLensEventsTest, OrderIdNeedsToFit) {
  EXPECT_EQ(MovieLensOrderId(Rating(1, 1, 5, 0, 1)), 10'000'000'000);
  EXPECT_EQ(MovieLensOrderId(Rating(922'337'202, 1, 5, 9'999'999'999, 1)),
            int64_t{922'337'202} * 10'000'000'000 + 9'999'999'999);
  EXPECT_EQ(MovieLensOrderId(Rating(922'337'203, 1, 5, 0, 1)), std::nullopt);
  EXPECT_EQ(MovieLensOrderId(Rating(1, 1, 5, 10'000'000'000, 1)), std::nullopt);
  auto events = MovieLensEvents(Rating(1, 1, 5, 10'000'000'000, 1));
  ASSERT_TRUE(std::holds_alternative<RowIssue>(events));
  EXPECT_EQ(std::get<RowIssue>(events).reason,
            "userId or timestamp too large for an order id");
  // A view needs no order id.
  EXPECT_TRUE(std::holds_alternative<std::vector<Interaction>>(
      MovieLensEvents(Rating(1, 1, 3, 10'000'000'000, 1))));
}

TEST(BuildMovieLensImportTest, EventsInTimeOrderAndUnitsSoldFromPurchases) {
  MovieLensData data;
  data.movies = {{.movie_id = 1, .title = "A", .genre = "Drama"},
                 {.movie_id = 2, .title = "B", .genre = "Comedy"},
                 {.movie_id = 3, .title = "C", .genre = "Drama"}};
  data.ratings = {Rating(2, 1, 4.5, 300, 1), Rating(1, 2, 3.0, 200, 2),
                  Rating(1, 1, 5.0, 200, 3), Rating(3, 1, 1.0, 100, 4),
                  Rating(1, 3, 4.0, 10'000'000'000, 5)};
  const MovieLensImport mapped = BuildMovieLensImport(data);

  std::vector<std::string> order;
  for (const Interaction& e : mapped.events) {
    order.push_back(
        absl::StrCat(e.user_id(), "/", e.product_id(), "/",
                     smartshop::v1::InteractionType_Name(e.type())));
  }
  EXPECT_THAT(order, ElementsAre("ml-3/1/VIEW_PRODUCT", "ml-1/1/VIEW_PRODUCT",
                                 "ml-1/1/ORDER_PLACED", "ml-1/2/VIEW_PRODUCT",
                                 "ml-2/1/VIEW_PRODUCT", "ml-2/1/ORDER_PLACED"));
  EXPECT_THAT(mapped.event_rows, ElementsAre(4, 3, 3, 2, 1, 1));
  EXPECT_EQ(mapped.views, 4);
  EXPECT_EQ(mapped.orders, 2);
  EXPECT_EQ(mapped.skipped.total(), 1);

  ASSERT_EQ(mapped.catalog.categories.size(), 2u);
  ASSERT_EQ(mapped.catalog.products.size(), 3u);
  EXPECT_EQ(mapped.catalog.products[0].units_sold(), 2);
  EXPECT_EQ(mapped.catalog.products[1].units_sold(), 0);
  EXPECT_EQ(mapped.catalog.products[2].units_sold(), 0);  // its row skipped
  EXPECT_EQ(mapped.catalog.products[0].category_name(), "Drama");
}

}  // namespace
}  // namespace smartshop::import
