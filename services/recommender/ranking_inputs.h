// The candidates stage: what the rankers are given for one request, read
// from the tracking service — the shopper's recent events and everyone
// else's (the original windows), their aggregation, and the products never
// to return (the caller's exclusions and, where the builtin ranker ranks,
// what the user ordered recently). A new candidate source (recently viewed,
// trending, ...) adds what it reads here.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RANKING_INPUTS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RANKING_INPUTS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/engine_options.h"
#include "services/recommender/ranker.h"
#include "services/recommender/request_context.h"
#include "services/recommender/shopper_activity.h"
#include "services/recommender/tracking_reader.h"

namespace smartshop::recommender {

struct RankingInputs {
  // No interactions at all (and not a category page): the original answers
  // top sellers; nothing else below is filled in.
  bool no_data = false;
  // True for a user or a session with events of its own.
  bool personalised = false;
  // The original aggregation (the shopper's own products first).
  std::vector<ProductActivity> summary;
  // The builtin ranker's view: own events, exclusions, category, count.
  RankingInput builtin;
  // The other placements' (unset for the home page).
  std::optional<PlacementInput> placement;
  // Set when the answer could not use all it should (a placement whose
  // shopper's events could not be read ranks without them): why.
  std::string degraded;
  bool exclude_purchased = false;

  // Valid while this and `catalog` are.
  RankingRequest For(const CatalogSnapshot& catalog) const {
    return {.catalog = catalog,
            .summary = summary,
            .personalised = personalised,
            .builtin = builtin,
            .placement = placement ? &*placement : nullptr,
            .exclude_purchased = exclude_purchased};
  }
};

class RankingInputReader {
 public:
  // `tracking` is not owned and must outlive this; of `options` the
  // tracking timeout, the reply margin and the recent-orders window;
  // `clock` is the shop's "now" (the recent-orders window).
  RankingInputReader(TrackingReader* tracking, const EngineOptions& options,
                     const Clock& clock)
      : tracking_(tracking), options_(options), clock_(clock) {}

  // The tracking call's error when the shopper's window cannot be read. A
  // failed recent-orders read only logs: the orders in the window still
  // count. `recent_orders` applies the recent-orders rule (only the builtin
  // ranker has it).
  absl::StatusOr<RankingInputs> Read(const RequestContext& context,
                                     const CatalogSnapshot& catalog,
                                     absl::Time deadline, bool recent_orders);

 private:
  absl::Time CallDeadline(absl::Time deadline) const;
  // A placement's: only the shopper's own events, read only when there is
  // a shopper and the placement personalises.
  RankingInputs ReadPlacement(const RequestContext& context,
                              const CatalogSnapshot& catalog,
                              absl::Time deadline, bool recent_orders);
  absl::flat_hash_set<int64_t> RecentlyOrdered(const std::string& user_id,
                                               const ShopperActivity& activity,
                                               absl::Time deadline);

  TrackingReader* const tracking_;
  const EngineOptions options_;
  const Clock& clock_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RANKING_INPUTS_H_
