// The builtin ranker: no model API, a few milliseconds, explainable. For a
// shopper's recent products (purchases weigh most, then cart adds, then
// views; newer more), it scores products often seen together with them in
// other shoppers' histories, blends in what is trending, applies the shop's
// rules (active, not out of stock, not just bought, not excluded, in the
// category asked for) and keeps the final list varied across categories.
// The same function serves requests and the offline evaluation (tools/eval).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/catalog_snapshot.h"

namespace smartshop::recommender {

struct RankerOptions {
  // The shopper's newest distinct products that drive the ranking.
  int sources = 10;
  // Weight of the k-th newest source: position_decay^k times its signal's
  // weight.
  double position_decay = 0.9;
  double purchase_weight = 1.0;
  double cart_weight = 0.75;
  double view_weight = 0.5;
  // Co-occurrence counts are divided by the source's shoppers^this, so that
  // a blockbuster's neighbours do not drown everything.
  double source_damping = 0.75;
  // Personal scores fade by half per this much time since the shopper's
  // last event (measured on the shop's clock: the newest event seen), so a
  // returning visitor weeks later sees what is trending now.
  absl::Duration freshness_half_life = absl::Hours(24);
  // Weight of trending popularity against personal co-occurrence (each
  // normalised to at most 1).
  double popularity_weight = 0.2;
  // At most this many items of one category in the answer while others are
  // available; 0 = no limit.
  int max_per_category = 4;
};

// One past event of the shopper: what the ranker needs of it.
struct ShopperEvent {
  int64_t product_id = 0;
  Signal signal = Signal::kView;
  absl::Time at;
};

struct RankingInput {
  // The shopper's own recent events (a user's, or an anonymous session's),
  // newest first. Empty for an anonymous visitor without a session.
  std::vector<ShopperEvent> own = {};
  // Never recommended: what the caller excludes and what the shopper
  // bought recently. The shopper's own products are left out as well.
  absl::flat_hash_set<int64_t> exclude = {};
  // Only this category; 0 = any.
  int64_t category_id = 0;
  int count = 8;
  // The moment to rank for; unset = the shop's clock (the newest event the
  // model has seen). Offline evaluation sets each user's own cut-off.
  std::optional<absl::Time> now = std::nullopt;
};

struct RankedItem {
  const smartshop::v1::Product* product = nullptr;
  // 60 to 99: the best item of the answer scores 99.
  double score = 0;
  // For the shopper: "Often bought with <product>", "Trending in <category>".
  std::string reason;
  // True when it came from the shopper's own history rather than from
  // popularity alone.
  bool personal = false;
};

// One of the shopper's newest distinct products, with its strongest signal
// and its weight in a ranking (RankerOptions: signal weight times
// position_decay^k for the k-th newest).
struct ShopperSource {
  int64_t product_id = 0;
  Signal signal = Signal::kView;
  double weight = 0;
};
// At most `options.sources`, newest first.
std::vector<ShopperSource> ShopperSources(const std::vector<ShopperEvent>& own,
                                          const RankerOptions& options);

// A product's name as a reason quotes it: at most 150 bytes, cut at a
// character boundary.
std::string ShortName(const std::string& name);

// The diversity rule: the first `count` of `ranked` (best first) with at
// most `max_per_category` of one category (0 = no limit; products without
// a category are never held back) while others are left; the held-back
// ones after, in their order. `T` points to something with a `product`.
template <typename T>
std::vector<T> Diversify(const std::vector<T>& ranked, int count,
                         int max_per_category) {
  std::vector<T> chosen;
  std::vector<T> held_back;
  absl::flat_hash_map<int64_t, int> per_category;
  for (const T& c : ranked) {
    if (static_cast<int>(chosen.size()) == count) break;
    const int64_t category = c->product->category_id();
    int& n = per_category[category];
    if (max_per_category > 0 && category != 0 && n >= max_per_category) {
      held_back.push_back(c);
      continue;
    }
    ++n;
    chosen.push_back(c);
  }
  for (const T& c : held_back) {
    if (static_cast<int>(chosen.size()) == count) break;
    chosen.push_back(c);
  }
  return chosen;
}

// Up to `input.count` items, best first. Fewer only when fewer products
// pass the rules; the caller fills the rest (top sellers).
std::vector<RankedItem> RankBuiltin(const RankingInput& input,
                                    const CatalogSnapshot& catalog,
                                    const InteractionModel& model,
                                    const RankerOptions& options = {});

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKER_H_
