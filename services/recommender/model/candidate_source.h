// Where the products a prompt shows the model come from, each with why it
// is a candidate. Without one the model is shown the original prompt's
// first 50 catalog products; with one (the hybrid prompt) it chooses among
// these by id, so that mapping its answer cannot fail. A new source
// (trending, recently viewed, a product page's neighbours) is a new
// implementation.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_CANDIDATE_SOURCE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_CANDIDATE_SOURCE_H_

#include <vector>

#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/ranker.h"

namespace smartshop::recommender {

class CandidateSource {
 public:
  virtual ~CandidateSource() = default;
  // Best first; pointers into `request.catalog`. Thread-safe.
  virtual std::vector<PromptBuilder::Candidate> Candidates(
      const RankingRequest& request) const = 0;
  // The diversity rule these candidates' builtin ranking keeps (at most
  // this many of one category while others are left; 0 = none), kept on
  // the model's order too: a cart's "complete your order".
  virtual int MaxPerCategory() const { return 0; }
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_CANDIDATE_SOURCE_H_
