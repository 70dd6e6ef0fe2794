#include "tools/import/movielens_import.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "tools/import/event_mapping.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;

constexpr int64_t kOrderIdTimeSpan = 10'000'000'000;  // 10^10 seconds

}  // namespace

std::string MovieLensEventId(const MovieLensRating& rating,
                             absl::string_view kind) {
  return NameUuid(absl::StrCat("movielens:", rating.user_id, ":",
                               rating.movie_id, ":", rating.timestamp, ":",
                               kind));
}

std::optional<int64_t> MovieLensOrderId(const MovieLensRating& rating) {
  constexpr int64_t kMaxUser =
      (std::numeric_limits<int64_t>::max() - kOrderIdTimeSpan) /
      kOrderIdTimeSpan;
  if (rating.user_id <= 0 || rating.user_id > kMaxUser ||
      rating.timestamp < 0 || rating.timestamp >= kOrderIdTimeSpan) {
    return std::nullopt;
  }
  return rating.user_id * kOrderIdTimeSpan + rating.timestamp;
}

std::variant<std::vector<Interaction>, RowIssue> MovieLensEvents(
    const MovieLensRating& rating) {
  Interaction view;
  view.set_event_id(MovieLensEventId(rating, kViewKind));
  view.set_user_id(absl::StrCat(kMovieLensUserPrefix, rating.user_id));
  view.set_type(smartshop::v1::VIEW_PRODUCT);
  view.set_product_id(rating.movie_id);
  view.mutable_timestamp()->set_seconds(rating.timestamp);
  std::vector<Interaction> events = {view};
  if (!IsPurchase(rating)) return events;
  const std::optional<int64_t> order_id = MovieLensOrderId(rating);
  if (!order_id) {
    return RowIssue{"userId or timestamp too large for an order id",
                    absl::StrCat("userId ", rating.user_id, ", timestamp ",
                                 rating.timestamp)};
  }
  Interaction order = std::move(view);
  order.set_event_id(MovieLensEventId(rating, kOrderKind));
  order.set_type(smartshop::v1::ORDER_PLACED);
  order.set_order_id(*order_id);
  order.set_quantity(1);
  events.push_back(std::move(order));
  return events;
}

MovieLensImport BuildMovieLensImport(const MovieLensData& data) {
  MovieLensImport result;
  result.catalog = BuildMovieLensCatalog(data.movies);
  std::vector<size_t> order(data.ratings.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const MovieLensRating& x = data.ratings[a];
    const MovieLensRating& y = data.ratings[b];
    if (x.timestamp != y.timestamp) return x.timestamp < y.timestamp;
    if (x.user_id != y.user_id) return x.user_id < y.user_id;
    return x.movie_id < y.movie_id;
  });
  absl::flat_hash_map<int64_t, int64_t> sold;
  result.events.reserve(data.ratings.size() * 2);
  result.event_rows.reserve(data.ratings.size() * 2);
  for (size_t index : order) {
    const MovieLensRating& rating = data.ratings[index];
    auto events = MovieLensEvents(rating);
    if (const RowIssue* issue = std::get_if<RowIssue>(&events)) {
      result.skipped.Add(rating.row, *issue);
      continue;
    }
    for (Interaction& event : std::get<std::vector<Interaction>>(events)) {
      if (event.type() == smartshop::v1::ORDER_PLACED) {
        ++result.orders;
        ++sold[event.product_id()];
      } else {
        ++result.views;
      }
      result.events.push_back(std::move(event));
      result.event_rows.push_back(rating.row);
    }
  }
  for (smartshop::v1::Product& product : result.catalog.products) {
    auto it = sold.find(product.id());
    if (it != sold.end()) product.set_units_sold(it->second);
  }
  return result;
}

}  // namespace smartshop::import
