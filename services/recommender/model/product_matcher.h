// Phase 5 of the original algorithm: the model's picks mapped onto active
// catalog products, done so that it cannot go wrong silently.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PRODUCT_MATCHER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PRODUCT_MATCHER_H_

#include <string>
#include <vector>

#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/model/response_parser.h"

namespace smartshop::recommender {

struct MatchedPick {
  const smartshop::v1::Product* product;
  double relevance_score;
  std::string reason;
};

struct MatchResult {
  std::vector<MatchedPick> matched;
  int unmatched = 0;   // picks naming no active product
  int duplicates = 0;  // picks naming a product already chosen
};

// For each pick, in order, the first of:
//   1. an active product whose "Name (Category)" equals the pick,
//   2. an active product whose name equals the pick without its trailing
//      " (Category)",
//   3. the original rule: the part before the first " (" found, ignoring
//      case, inside an active product's name (first by id).
// Matching ignores ASCII case. A pick whose match was already chosen is
// dropped (never the same product twice), as is one that matches nothing.
MatchResult MatchPicks(const std::vector<ModelPick>& picks,
                       const CatalogSnapshot& catalog);

// The hybrid prompt's mapping: each pick's product_id must be one of
// `candidates` (what the model was shown); anything else is unmatched.
MatchResult MatchPicksById(
    const std::vector<ModelPick>& picks,
    const std::vector<const smartshop::v1::Product*>& candidates);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PRODUCT_MATCHER_H_
