// The questions the placement protocols ask of a shop's history, as pure
// functions: "given this, is the held-out product among the 8?". Every
// question is asked of a method that has learnt every event strictly before
// the held-out purchase's time and nothing after it (the model is fed in
// event order, questions are asked as their time comes), and only purchases
// from the cut on are held out: the cut is the 80th percentile of purchase
// times (as the home page's global split), so that every method has learnt
// most of the history before it is judged.
//
// Product page: for each purchase from the cut on of a shopper (guest
// sessions have none) who bought another product before (by event order),
// given that previous product, the held-out one. A purchase of the product
// bought just before is no question (the page never lists its own product).
//
// Cart: for each basket whose first purchase is from the cut on, with 2 to
// kMaxCartItems distinct products, each product in turn held out, given the
// others (leave-one-out); learnt is everything before the basket's first
// purchase.
#ifndef SMARTSHOP_TOOLS_EVAL_PLACEMENT_SPLITS_H_
#define SMARTSHOP_TOOLS_EVAL_PLACEMENT_SPLITS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tools/eval/placement_data.h"

namespace smartshop::eval {

// A larger basket is no cart a shopper looks at (and asking of each of its
// n products costs n^2): skipped, and counted.
inline constexpr int kMaxCartItems = 30;

struct PlacementCase {
  // What may be learnt: events[0, learn_end), all before the held-out time.
  size_t learn_end = 0;
  // The previous product (product page) or the rest of the basket (cart),
  // in event order.
  std::vector<int64_t> given = {};
  int64_t held_out = 0;
};

struct PlacementCases {
  int64_t cut = 0;
  // By learn_end, then in event order.
  std::vector<PlacementCase> cases = {};
  // Purchases from the cut on that ask nothing: product page, a shopper's
  // first purchase, a guest's, or the product bought just before; cart, a
  // basket of one product.
  int64_t no_question = 0;
  // Cart: baskets from the cut on with more than kMaxCartItems products.
  int64_t baskets_too_large = 0;
  // Cart: baskets asked about.
  int64_t baskets = 0;
};

// GlobalCut (the 80th percentile) of the purchase times; 0 without any.
int64_t PurchaseCut(const std::vector<ShopEvent>& events);

// REQUIRES: `events` sorted by time (as ShopData holds them).
PlacementCases ProductPageCases(const std::vector<ShopEvent>& events);
PlacementCases CartCases(const std::vector<ShopEvent>& events,
                         int max_items = kMaxCartItems);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_PLACEMENT_SPLITS_H_
