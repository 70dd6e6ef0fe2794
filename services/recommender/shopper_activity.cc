#include "services/recommender/shopper_activity.h"

#include <algorithm>

#include "common/proto_time.h"

namespace smartshop::recommender {
namespace {

constexpr int kOwnWindow = kOwnWindowSize;
constexpr int kOthersWindow = 50;
constexpr int kAnonymousWindow = 100;
constexpr int kRecentOrdersLimit = 1000;

smartshop::v1::ListInteractionsRequest WindowRequest(int limit) {
  smartshop::v1::ListInteractionsRequest request;
  request.add_types(smartshop::v1::VIEW_PRODUCT);
  request.add_types(smartshop::v1::ADD_TO_CART);
  request.add_types(smartshop::v1::ORDER_PLACED);
  request.set_limit(limit);
  return request;
}

}  // namespace

absl::StatusOr<std::vector<smartshop::v1::Interaction>> ReadOwnActivity(
    TrackingReader& tracking, const Shopper& shopper, absl::Time deadline) {
  auto own_request = WindowRequest(kOwnWindow);
  if (!shopper.user_id.empty()) {
    own_request.set_user_id(shopper.user_id);
  } else if (!shopper.session_key.empty()) {
    own_request.set_session_key(shopper.session_key);
  } else {
    return std::vector<smartshop::v1::Interaction>{};
  }
  return tracking.ListInteractions(own_request, deadline);
}

absl::StatusOr<ShopperActivity> ReadShopperActivity(TrackingReader& tracking,
                                                    const Shopper& shopper,
                                                    absl::Time deadline) {
  ShopperActivity activity;
  if (!shopper.user_id.empty()) {
    auto own = ReadOwnActivity(tracking, shopper, deadline);
    if (!own.ok()) return own.status();
    auto others_request = WindowRequest(kOthersWindow);
    others_request.set_exclude_user_id(shopper.user_id);
    auto others = tracking.ListInteractions(others_request, deadline);
    if (!others.ok()) return others.status();
    activity.own = *std::move(own);
    activity.others = *std::move(others);
    return activity;
  }
  if (!shopper.session_key.empty()) {
    auto own = ReadOwnActivity(tracking, shopper, deadline);
    if (!own.ok()) return own.status();
    activity.own = *std::move(own);
  }
  // Anonymous: the last 100 overall (the original window); a session's own
  // events are left out of it, as they are already counted above.
  auto others = tracking.ListInteractions(
      WindowRequest(shopper.session_key.empty() ? kAnonymousWindow
                                                : kOthersWindow),
      deadline);
  if (!others.ok()) return others.status();
  for (auto& event : *others) {
    if (!shopper.session_key.empty() && event.user_id().empty() &&
        event.session_key() == shopper.session_key) {
      continue;
    }
    activity.others.push_back(std::move(event));
  }
  return activity;
}

absl::StatusOr<std::vector<int64_t>> RecentlyOrderedProducts(
    TrackingReader& tracking, const std::string& user_id, absl::Time since,
    absl::Time deadline) {
  smartshop::v1::ListInteractionsRequest request;
  request.set_user_id(user_id);
  request.add_types(smartshop::v1::ORDER_PLACED);
  request.set_limit(kRecentOrdersLimit);
  SetTimestamp(since, request.mutable_since());
  auto orders = tracking.ListInteractions(request, deadline);
  if (!orders.ok()) return orders.status();
  std::vector<int64_t> products;
  for (const auto& order : *orders) {
    if (order.product_id() > 0) products.push_back(order.product_id());
  }
  return products;
}

}  // namespace smartshop::recommender
