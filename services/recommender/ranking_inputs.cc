#include "services/recommender/ranking_inputs.h"

#include <algorithm>

#include "common/json_log.h"
#include "common/proto_time.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

absl::StatusOr<RankingInputs> RankingInputReader::Read(
    const RequestContext& context, const CatalogSnapshot& catalog,
    absl::Time deadline, bool recent_orders) {
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
  for (const auto& event : activity->own) {
    if (std::optional<Signal> signal = SignalOf(event.type())) {
      input.own.push_back(
          {event.product_id(), *signal, ToTime(event.timestamp())});
    }
  }
  if (recent_orders) {
    input.exclude = RecentlyOrdered(request.user_id(), *activity, deadline);
  }
  input.exclude.insert(request.exclude_product_ids().begin(),
                       request.exclude_product_ids().end());
  input.category_id = request.category_id();
  input.count = kComputedItems;
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
