#include "tools/eval/placement_splits.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "tools/eval/splits.h"

namespace smartshop::eval {
namespace {

// The first event at or after `time`: what is learnt before it.
size_t LearnEnd(const std::vector<ShopEvent>& events, int64_t time) {
  return static_cast<size_t>(std::partition_point(events.begin(), events.end(),
                                                  [time](const ShopEvent& e) {
                                                    return e.time < time;
                                                  }) -
                             events.begin());
}

// Questions come in event order, and origins precede their events by a
// minute at most; keep the promise whatever the data.
void SortByLearnEnd(std::vector<PlacementCase>& cases) {
  std::stable_sort(cases.begin(), cases.end(),
                   [](const PlacementCase& a, const PlacementCase& b) {
                     return a.learn_end < b.learn_end;
                   });
}

}  // namespace

int64_t PurchaseCut(const std::vector<ShopEvent>& events) {
  std::vector<int64_t> times;
  for (const ShopEvent& e : events) {
    if (IsPurchase(e)) times.push_back(e.time);
  }
  return GlobalCut(std::move(times));
}

PlacementCases ProductPageCases(const std::vector<ShopEvent>& events) {
  PlacementCases result{.cut = PurchaseCut(events)};
  absl::flat_hash_map<std::string, int64_t> previous;  // actor -> product
  for (const ShopEvent& e : events) {
    if (!IsPurchase(e)) continue;
    int64_t before = 0;
    if (e.has_shopper) {
      auto [it, first] = previous.try_emplace(e.actor, e.product_id);
      if (!first) before = std::exchange(it->second, e.product_id);
    }
    if (e.time < result.cut) continue;
    if (before == 0 || before == e.product_id) {
      ++result.no_question;
      continue;
    }
    result.cases.push_back({.learn_end = LearnEnd(events, e.origin),
                            .given = {before},
                            .held_out = e.product_id});
  }
  SortByLearnEnd(result.cases);
  return result;
}

PlacementCases CartCases(const std::vector<ShopEvent>& events, int max_items) {
  PlacementCases result{.cut = PurchaseCut(events)};
  struct Basket {
    int64_t first_time = 0;
    std::vector<int64_t> products = {};  // distinct, in event order
  };
  std::vector<Basket> baskets;  // in order of their first purchase
  absl::flat_hash_map<int64_t, size_t> index;
  for (const ShopEvent& e : events) {
    if (!IsPurchase(e)) continue;
    auto [it, added] = index.try_emplace(e.basket, baskets.size());
    if (added) baskets.push_back({.first_time = e.origin});
    Basket& basket = baskets[it->second];
    basket.first_time = std::min(basket.first_time, e.origin);
    std::vector<int64_t>& products = basket.products;
    if (std::find(products.begin(), products.end(), e.product_id) ==
        products.end()) {
      products.push_back(e.product_id);
    }
  }
  for (const Basket& basket : baskets) {
    if (basket.first_time < result.cut) continue;
    const int n = static_cast<int>(basket.products.size());
    if (n < 2) {
      ++result.no_question;
      continue;
    }
    if (n > max_items) {
      ++result.baskets_too_large;
      continue;
    }
    ++result.baskets;
    const size_t learn_end = LearnEnd(events, basket.first_time);
    for (int64_t held_out : basket.products) {
      PlacementCase& c = result.cases.emplace_back(
          PlacementCase{.learn_end = learn_end, .held_out = held_out});
      for (int64_t p : basket.products) {
        if (p != held_out) c.given.push_back(p);
      }
    }
  }
  SortByLearnEnd(result.cases);
  return result;
}

}  // namespace smartshop::eval
