// The rules every answer obeys when it leaves the engine, whichever ranker
// made it and whether it was computed now or read from the cache: only
// products the current catalog has active, never one whose stock is known
// to be 0, nothing excluded, nothing twice; then topped up with the next
// top sellers those rules allow, and cut to the count asked for. So an
// answer has `count` items whenever the catalog has that many products the
// rules allow, and a product deactivated or sold out after an answer was
// cached is no longer served from it.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_RULES_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_RULES_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/top_sellers.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

struct AnswerRules {
  int count = 8;
  // Never returned (the caller's exclusions, recently ordered products).
  const absl::flat_hash_set<int64_t>* exclude = nullptr;
  // Top-ups only of this category; 0 = any.
  int64_t category_id = 0;
  // Top-ups never score above this (the ranker's gap-fill score).
  double max_fill_score = kGapFillScore;
  // False: no top-ups (a shopper's recently viewed products are theirs).
  bool fill = true;
  // > 0: the cart's diversity rule over what is kept and topped up: an
  // item past its category's share goes after the others, while others
  // are left (as the rankers order it, so that an exclusion or a sell-out
  // at serving time cannot bring a fifth of one category up).
  int max_per_category = 0;
};

// Applies `rules` to `answer` in place. Items keep their order (but for
// the diversity rule), score (at most the one before, under that rule) and
// reason; their product data is refreshed from `catalog`. Top-ups are
// GAP_FILL items scored like the lowest item kept, at most max_fill_score.
void ApplyAnswerRules(const CatalogSnapshot& catalog, const AnswerRules& rules,
                      smartshop::v1::Recommendations& answer);

// Where an item may go under KeepCategoriesVaried.
enum class VariedPlace : uint8_t {
  kFree,   // wherever the rule puts it
  kFixed,  // its own position (a merchandising pin's); takes its share first
  kLast,   // after every free item, in its order (a buried one); never held
};

// The diversity rule over `answer`'s items (best first), as ApplyAnswerRules
// applies it: the ranked items within their categories' shares of
// `max_per_category`, then the ranked ones held back, then the top-ups
// (GAP_FILL) within the shares left, then those held back; so a ranked
// candidate never goes after a top seller. Fixed items keep their
// positions and count toward their categories' shares before any other;
// the free items, then the last ones, fill the places left in that order.
// Products of no category (0) are never held back. Scores kept best first.
// An item without an entry in `places` is free.
void KeepCategoriesVaried(int max_per_category,
                          const std::vector<VariedPlace>& places,
                          smartshop::v1::Recommendations& answer);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_RULES_H_
