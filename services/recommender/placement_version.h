// The version of what a shared placement answer (the product page or the
// basket anonymous visitors share) is computed from, for its cache key: an
// event or a catalog change that changes the answer changes the key, so the
// next request computes a fresh answer and the old entry expires by its
// TTL. No delete per event, no scan of Redis.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_VERSION_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_VERSION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/catalog_snapshot.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// A generation of what the model learnt of one product (its
// InteractionModel::Reader::Changes): a new one for each change while it
// has fewer than twenty, then once they grew by a tenth. So a product
// with little data gets a fresh answer at each event (each one moves it),
// and a best seller's, which an event barely moves, lives out its TTL
// unless its data grew by 10 %.
int64_t LearntGeneration(uint64_t changes);

// For the product page (the page's product) and the cart (each product in
// it): their generations, their own catalog records (name, active) and
// their categories' fingerprints (CatalogSnapshot::CategoryFingerprint: a
// product added to, renamed in, sold out of or removed from the category),
// hashed to 16 hex digits. `model` and `catalog` may be null (no builtin
// model, no catalog yet: those parts are left out). "" for the other
// placements: trending moves with every event, so its short TTL is its
// refresh; recently viewed is never shared. Without `may_wait`, nullopt
// instead of waiting while the model is learning.
//
// Every replica computes the same version from the same model and catalog:
// with the default infinite history window, from the same event log. With
// a window, a replica started later has not seen what its peers learnt
// before its replay began, so its model and keys may differ: each computes
// its own entry, which costs a miss, never a wrong answer. What else an
// answer reads (its candidates' own counts) moves its version only through
// its products' changes.
std::optional<std::string> PlacementInputsVersion(
    const smartshop::v1::GetRecommendationsRequest& request,
    const InteractionModel* model, const CatalogSnapshot* catalog,
    bool may_wait = true);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_VERSION_H_
