// Shop events as the placement tests write them: Buy(actor, product, time,
// basket) and View(actor, product, time), each its own record (origin =
// time).
#ifndef SMARTSHOP_TOOLS_EVAL_SHOP_EVENT_BUILDER_H_
#define SMARTSHOP_TOOLS_EVAL_SHOP_EVENT_BUILDER_H_

#include <cstdint>
#include <string>

#include "tools/eval/placement_data.h"

namespace smartshop::eval {

inline ShopEvent Buy(const std::string& actor, int64_t product, int64_t time,
                     int64_t basket, bool has_shopper = true) {
  return {.actor = actor,
          .has_shopper = has_shopper,
          .product_id = product,
          .signal = recommender::Signal::kPurchase,
          .time = time,
          .origin = time,
          .basket = basket};
}

inline ShopEvent View(const std::string& actor, int64_t product, int64_t time) {
  return {.actor = actor, .product_id = product, .time = time, .origin = time};
}

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_SHOP_EVENT_BUILDER_H_
