// The shop history the placement protocols (product page, cart) replay, one
// shape for both datasets: every view and purchase in event order, each
// purchase with its shopper and its basket.
//
//   MovieLens     every rating is a view, a rating >= 4 also a purchase (as
//                 the home page protocols); the shopper is the user; a
//                 basket is a user's purchases of one UTC day (ratings
//                 are no baskets: this is the nearest analogue).
//   Online Retail each sale line (not cancelled, quantity > 0) is a view a
//                 minute before a purchase at InvoiceDate, as the import
//                 maps it; a basket is an invoice; the shopper is the
//                 CustomerID, and an invoice without one is a guest
//                 session of its own (a basket without a shopper).
#ifndef SMARTSHOP_TOOLS_EVAL_PLACEMENT_DATA_H_
#define SMARTSHOP_TOOLS_EVAL_PLACEMENT_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/recommender/builtin/interaction_model.h"
#include "smartshop/v1/catalog.pb.h"
#include "tools/eval/dataset.h"
#include "tools/import/retail_import.h"

namespace smartshop::eval {

struct ShopEvent {
  // The model's key for the history: "u:<user>" or "s:<session>".
  std::string actor;
  // False for a guest session: its purchases are a basket, not a shopper's
  // sequence.
  bool has_shopper = true;
  int64_t product_id = 0;
  recommender::Signal signal = recommender::Signal::kView;
  int64_t time = 0;  // Unix seconds
  // The time of the first event made from the same record (a rating, a
  // sale line): a question about the purchase is asked before it, so
  // that the view the import puts a minute before each sale is no leak.
  int64_t origin = 0;
  // Purchases: the basket (> 0, unique across shoppers); views: 0.
  int64_t basket = 0;
};

inline bool IsPurchase(const ShopEvent& e) {
  return e.signal == recommender::Signal::kPurchase;
}

struct ShopData {
  std::string name;  // "movielens" / "online_retail", for flags and JSON
  // By time; events of one time in the order the data gives them.
  std::vector<ShopEvent> events = {};
  // The catalog, units_sold 0 (the protocols count purchases themselves).
  std::vector<smartshop::v1::Product> products = {};
};

// Seconds in the UTC day that makes a MovieLens basket.
inline constexpr int64_t kBasketDay = 24 * 3600;

ShopData FromMovieLens(const Dataset& dataset);

// The events of what ReadRetailCsv read (views and orders), as above.
ShopData FromRetail(const import::RetailImport& read);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_PLACEMENT_DATA_H_
