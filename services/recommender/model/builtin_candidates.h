// The hybrid prompt's candidates: the builtin ranker's top products for the
// shopper, with its reasons.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_BUILTIN_CANDIDATES_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_BUILTIN_CANDIDATES_H_

#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/model/candidate_source.h"

namespace smartshop::recommender {

class BuiltinCandidates : public CandidateSource {
 public:
  // `model` is not owned and must outlive this; `count` candidates at most.
  BuiltinCandidates(const InteractionModel* model, RankerOptions options,
                    int count)
      : model_(model), options_(options), count_(count) {}

  std::vector<PromptBuilder::Candidate> Candidates(
      const RankingRequest& request) const override;

 private:
  const InteractionModel* const model_;
  const RankerOptions options_;
  const int count_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_BUILTIN_CANDIDATES_H_
