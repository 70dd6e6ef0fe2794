#include "tests/testing/interaction_builders.h"

#include "common/proto_time.h"

namespace smartshop::testing {

smartshop::v1::Interaction ShopperEvent(smartshop::v1::InteractionType type,
                                        const std::string& user,
                                        const std::string& session,
                                        int64_t product, absl::Time at) {
  smartshop::v1::Interaction event;
  event.set_type(type);
  event.set_user_id(user);
  event.set_session_key(session);
  event.set_product_id(product);
  if (type == smartshop::v1::ADD_TO_CART ||
      type == smartshop::v1::REMOVE_FROM_CART) {
    event.set_quantity(1);
  }
  if (type == smartshop::v1::ORDER_PLACED) event.set_order_id(product);
  if (at != absl::InfinitePast()) SetTimestamp(at, event.mutable_timestamp());
  return event;
}

smartshop::v1::Interaction UserView(const std::string& user, int64_t product,
                                    absl::Time at) {
  return ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", product, at);
}

}  // namespace smartshop::testing
