// The first stage of a recommendation: the request checked, and its context
// — who asks (a user, an anonymous session, an anonymous visitor), which
// page (the home page or a category), what to leave out and how many.
// A new placement (product page, cart, ...) adds its fields here.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_REQUEST_CONTEXT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_REQUEST_CONTEXT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/recommender/shopper_activity.h"
#include "smartshop/v1/experiments.pb.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// The id every anonymous visitor's cache key uses, so no user may have it.
inline constexpr char kAnonymousId[] = "anonymous";

struct RequestContext {
  // The request as it is answered (a session's key dropped when sessions
  // share the anonymous answer).
  smartshop::v1::GetRecommendationsRequest request;
  Shopper shopper{};
  // Who asked, as the shop names them (the session kept even when it
  // shares the anonymous answer): whom the served log records, and the
  // unit experiments assign. Empty for an anonymous visitor without one.
  Shopper visitor{};
  // The experiment running on the placement that assigned the visitor
  // (null: none), and their variant (null with an experiment: the
  // holdout, answered as without one). Owned by the engine's experiments.
  const smartshop::v1::Experiment* experiment = nullptr;
  const smartshop::v1::ExperimentVariant* variant = nullptr;
  // Category pages are ranked afresh each time: cheap, and no entry per
  // category to invalidate.
  bool cacheable = true;

  smartshop::v1::Placement placement() const { return request.placement(); }
  bool home() const { return placement() == smartshop::v1::PLACEMENT_HOME; }
  // The products the answer may never hold beyond exclude_product_ids: the
  // product page's product, the cart's products.
  std::vector<int64_t> PageProducts() const;
};

// The most products a cart may name.
inline constexpr int kMaxCartProducts = 100;

// The cart's products, ascending and distinct: the same basket in any
// order is one (its cache key, its version).
std::vector<int64_t> DistinctCartProducts(
    const smartshop::v1::GetRecommendationsRequest& request);

// INVALID_ARGUMENT naming the field for a bad request. Without
// `personal_sessions` (nothing can personalise a session without a model
// call) a session shares the anonymous answer, as every visitor did in the
// original.
absl::StatusOr<RequestContext> MakeRequestContext(
    const smartshop::v1::GetRecommendationsRequest& request,
    bool personal_sessions);

// The user an erasure or an invalidation names: 1 to 128 bytes, not
// "anonymous".
absl::Status CheckUserTarget(const std::string& user_id);
// The session an invalidation names: 1 to 128 bytes.
absl::Status CheckSessionTarget(const std::string& session_key);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_REQUEST_CONTEXT_H_
