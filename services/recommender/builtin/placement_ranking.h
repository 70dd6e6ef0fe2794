// The builtin rankings of the placements other than the home page, over the
// same in-memory model (interaction_model.h): the product page ("often
// bought with", then similar products), the cart (what completes the basket
// as a whole) and trending (rising against the product's own baseline).
// Pure functions of the model, the catalog and the input, so the offline
// evaluation (tools/eval) runs exactly what the service runs. Each applies
// the shop's rules (active, not out of stock, not excluded) and returns at
// most `count` items, scored 60 to 99 (the best 99); the caller fills the
// rest (top sellers).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_PLACEMENT_RANKING_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_PLACEMENT_RANKING_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/catalog_snapshot.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

struct PlacementOptions {
  // The defaults were chosen by offline evaluation (tools/eval, the
  // README's placement table) on both MovieLens and the Online Retail
  // sample, the same data the table reports: no separate validation split.
  //
  // Weight of purchase co-occurrence ("bought with") added to the blended
  // co-occurrence of views, carts and purchases.
  double bought_with_weight = 1.0;
  // A product page candidate's co-occurrence is divided by its own
  // shoppers^this (a cosine-like normalisation: a blockbuster is
  // everybody's neighbour). Lighter than cosine's 0.5: what is bought next
  // is more often a popular product than cosine admits.
  double candidate_damping = 0.25;
  // The same for a cart's candidates: summed over several items, popular
  // products gather more, so they are damped more.
  double cart_candidate_damping = 0.4;
  // A cart item's neighbours are divided by its shoppers^this, so that
  // each item of the basket has its say.
  double source_damping = 0.5;
  // Cart items whose neighbours are summed, the last ones given first, so
  // that a request's work stays bounded whatever the cart (up to 100).
  int max_cart_sources = 30;
  // A product page keeps its last this many places for its product line
  // (the products of its category sharing the rarest words of its name)
  // even when co-occurrence would fill them.
  int product_line_places = 1;
  // A word of more than this share of a category's names, and of more
  // names than a page holds, tells no product line apart ("the", "set"):
  // it does not count as shared.
  double line_word_share = 0.1;
  // How much the shopper's own recent products shift a product page's or a
  // cart's order (0 = not at all): their co-occurrence with each candidate,
  // normalised, times this.
  double personal_weight = 0.3;
  // Trending: pseudo-events added to a window and its baseline, so that a
  // product seen twice for the first time does not outrank a steady riser.
  double trend_prior = 3.0;
  // Trending: a product needs this many (decayed) events in the window.
  double trend_min_events = 1.0;
  // The home page ranker's settings: the shopper's sources and their
  // weights (personalisation), and the per-category cap of the cart.
  RankerOptions ranker{};
};

// An item of a placement's answer.
struct PlacementItem {
  const smartshop::v1::Product* product = nullptr;
  double score = 0;
  std::string reason;
  // BUILTIN (co-occurrence), SIMILAR (a product page's fill) or TRENDING.
  smartshop::v1::RecommendationSource source = smartshop::v1::BUILTIN;
};

struct PlacementInput {
  // PLACEMENT_PRODUCT: the product the page shows; never returned.
  int64_t product_id = 0;
  // PLACEMENT_CART: the cart's products; none returned.
  std::vector<int64_t> cart = {};
  // The shopper's own recent events, newest first (may be empty): they
  // shift the order, they do not add candidates.
  std::vector<ShopperEvent> own = {};
  // Never returned.
  absl::flat_hash_set<int64_t> exclude = {};
  // Trending: only this category; 0 = any.
  int64_t category_id = 0;
  TrendWindow trend_window = TrendWindow::kDay;
  int count = 8;
};

// Products often bought, carted or viewed with `input.product_id`, the last
// place (PlacementOptions::product_line_places) kept for its product line:
// the products of its category sharing the rarest words of its name. Then,
// to fill, the rest of its product line and the category's most popular.
std::vector<PlacementItem> RankProductPage(
    const PlacementInput& input, const CatalogSnapshot& catalog,
    const InteractionModel& model, const PlacementOptions& options = {});

// What completes `input.cart`: each candidate scored by its co-occurrence
// with every item of the cart (summed, each item damped by its own
// shoppers), varied across categories (RankerOptions::max_per_category).
std::vector<PlacementItem> RankCart(const PlacementInput& input,
                                    const CatalogSnapshot& catalog,
                                    const InteractionModel& model,
                                    const PlacementOptions& options = {});

// Rising products: (events in the window + prior) / (baseline events per
// window + prior), above 1 only; ties by events in the window.
std::vector<PlacementItem> RankTrending(const PlacementInput& input,
                                        const CatalogSnapshot& catalog,
                                        const InteractionModel& model,
                                        const PlacementOptions& options = {});

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_PLACEMENT_RANKING_H_
