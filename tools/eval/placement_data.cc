#include "tools/eval/placement_data.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace smartshop::eval {
namespace {

void SortByTime(std::vector<ShopEvent>& events) {
  std::stable_sort(
      events.begin(), events.end(),
      [](const ShopEvent& a, const ShopEvent& b) { return a.time < b.time; });
}

}  // namespace

ShopData FromMovieLens(const Dataset& dataset) {
  ShopData shop{.name = "movielens", .products = dataset.catalog.products};
  std::vector<Rating> ratings = dataset.data.ratings;
  std::stable_sort(ratings.begin(), ratings.end(), EventOrder);
  // (user, day) -> basket, numbered from 1 in event order.
  absl::flat_hash_map<std::pair<int64_t, int64_t>, int64_t> baskets;
  for (const Rating& r : ratings) {
    ShopEvent view{.actor = absl::StrCat("u:", r.user_id),
                   .product_id = r.movie_id,
                   .time = r.timestamp,
                   .origin = r.timestamp};
    shop.events.push_back(view);
    if (!IsPurchase(r)) continue;
    const std::pair<int64_t, int64_t> day{r.user_id, r.timestamp / kBasketDay};
    view.signal = recommender::Signal::kPurchase;
    view.basket =
        baskets.try_emplace(day, static_cast<int64_t>(baskets.size()) + 1)
            .first->second;
    shop.events.push_back(std::move(view));
  }
  return shop;
}

ShopData FromRetail(const import::RetailImport& read) {
  ShopData shop{.name = "online_retail", .products = read.catalog.Products()};
  // The events of one row: its view, then its order.
  absl::flat_hash_map<int64_t, int64_t> origin_of_row;
  for (size_t i = 0; i < read.events.size(); ++i) {
    const smartshop::v1::Interaction& e = read.events[i];
    const bool purchase = e.type() == smartshop::v1::ORDER_PLACED;
    const int64_t origin =
        origin_of_row.try_emplace(read.event_rows[i], e.timestamp().seconds())
            .first->second;
    shop.events.push_back({.actor = recommender::InteractionModel::ActorKey(e),
                           .has_shopper = !e.user_id().empty(),
                           .product_id = e.product_id(),
                           .signal = purchase ? recommender::Signal::kPurchase
                                              : recommender::Signal::kView,
                           .time = e.timestamp().seconds(),
                           .origin = std::min(origin, e.timestamp().seconds()),
                           .basket = purchase ? e.order_id() : 0});
  }
  SortByTime(shop.events);
  return shop;
}

}  // namespace smartshop::eval
