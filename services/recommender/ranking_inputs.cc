#include "services/recommender/ranking_inputs.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "common/proto_time.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

namespace {

std::vector<ShopperEvent> ShopperEvents(
    const std::vector<smartshop::v1::Interaction>& events) {
  std::vector<ShopperEvent> own;
  for (const auto& event : events) {
    if (std::optional<Signal> signal = SignalOf(event.type())) {
      own.push_back({event.product_id(), *signal, ToTime(event.timestamp())});
    }
  }
  return own;
}

TrendWindow TrendWindowOf(smartshop::v1::TrendingWindow window) {
  switch (window) {
    case smartshop::v1::TRENDING_WINDOW_HOUR:
      return TrendWindow::kHour;
    case smartshop::v1::TRENDING_WINDOW_WEEK:
      return TrendWindow::kWeek;
    default:
      return TrendWindow::kDay;
  }
}

}  // namespace

absl::StatusOr<RankingInputs> RankingInputReader::Read(
    const RequestContext& context, const CatalogSnapshot& catalog,
    absl::Time deadline, bool recent_orders) {
  if (!context.home()) {
    return ReadPlacement(context, catalog, deadline, recent_orders);
  }
  const auto& request = context.request;
  absl::StatusOr<ShopperActivity> activity =
      ReadShopperActivity(*tracking_, context.shopper, CallDeadline(deadline));
  if (!activity.ok()) return activity.status();
  std::vector<smartshop::v1::Interaction> window = activity->own;
  window.insert(window.end(), activity->others.begin(), activity->others.end());
  RankingInputs inputs;
  // "No data" means no interactions, as in the original: events of
  // products the catalog replica does not know yet still go to the model.
  if (window.empty() && request.category_id() == 0) {
    inputs.no_data = true;
    return inputs;
  }
  inputs.summary = Aggregate(window, catalog);
  inputs.personalised = !activity->own.empty();
  RankingInput& input = inputs.builtin;
  input.own = ShopperEvents(activity->own);
  if (recent_orders) {
    input.exclude = RecentlyOrdered(request.user_id(), *activity, deadline);
  }
  input.exclude.insert(request.exclude_product_ids().begin(),
                       request.exclude_product_ids().end());
  input.category_id = request.category_id();
  input.count = kComputedItems;
  return inputs;
}

RankingInputs RankingInputReader::ReadPlacement(const RequestContext& context,
                                                const CatalogSnapshot& catalog,
                                                absl::Time deadline,
                                                bool recent_orders) {
  const auto& request = context.request;
  RankingInputs inputs;
  inputs.exclude_purchased = request.exclude_purchased();
  // What the model is told the visitor engaged with: the page's product,
  // the cart's products.
  for (int64_t id : context.PageProducts()) {
    if (const smartshop::v1::Product* product = catalog.Find(id)) {
      const bool page = id == request.product_id();
      inputs.summary.push_back({.key = DisplayName(*product),
                                .product_id = id,
                                .views = page ? 1 : 0,
                                .cart_adds = page ? 0 : 1});
    }
  }
  PlacementInput& input = inputs.placement.emplace();
  input.product_id = request.product_id();
  input.cart.assign(request.cart_product_ids().begin(),
                    request.cart_product_ids().end());
  input.exclude.insert(request.exclude_product_ids().begin(),
                       request.exclude_product_ids().end());
  input.category_id = request.category_id();
  input.trend_window = TrendWindowOf(request.trending_window());
  input.count = kComputedItems;
  // Trending is the shop's, the same for everyone.
  if (context.placement() == smartshop::v1::PLACEMENT_TRENDING) return inputs;
  absl::StatusOr<std::vector<smartshop::v1::Interaction>> own =
      ReadOwnActivity(*tracking_, context.shopper, CallDeadline(deadline));
  if (!own.ok()) {
    // A product page or a cart still ranks, without the shopper.
    inputs.degraded = absl::StrCat("tracking: ", own.status().message());
    Log(LogLevel::kWarning, "placement_without_shopper",
        {{"error", own.status().ToString()}});
    return inputs;
  }
  inputs.personalised = !own->empty();
  input.own = ShopperEvents(*own);
  if (recent_orders &&
      context.placement() != smartshop::v1::PLACEMENT_RECENTLY_VIEWED) {
    ShopperActivity activity{.own = *std::move(own)};
    absl::flat_hash_set<int64_t> ordered =
        RecentlyOrdered(request.user_id(), activity, deadline);
    input.exclude.insert(ordered.begin(), ordered.end());
  }
  return inputs;
}

absl::Time RankingInputReader::CallDeadline(absl::Time deadline) const {
  return std::min(deadline - options_.reply_margin,
                  absl::Now() + options_.tracking_timeout);
}

absl::flat_hash_set<int64_t> RankingInputReader::RecentlyOrdered(
    const std::string& user_id, const ShopperActivity& activity,
    absl::Time deadline) {
  absl::flat_hash_set<int64_t> ordered;
  if (options_.recently_ordered <= absl::ZeroDuration()) return ordered;
  const absl::Time since = clock_.Now() - options_.recently_ordered;
  for (const auto& event : activity.own) {
    if (event.type() == smartshop::v1::ORDER_PLACED &&
        ToTime(event.timestamp()) >= since) {
      ordered.insert(event.product_id());
    }
  }
  if (user_id.empty()) return ordered;
  auto orders = RecentlyOrderedProducts(*tracking_, user_id, since,
                                        CallDeadline(deadline));
  if (!orders.ok()) {
    // The orders in the user's window above still count.
    Log(LogLevel::kWarning, "recent_orders_unavailable",
        {{"error", orders.status().ToString()}});
    return ordered;
  }
  ordered.insert(orders->begin(), orders->end());
  return ordered;
}

}  // namespace smartshop::recommender
