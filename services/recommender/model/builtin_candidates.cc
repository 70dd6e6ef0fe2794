#include "services/recommender/model/builtin_candidates.h"

namespace smartshop::recommender {

std::vector<PromptBuilder::Candidate> BuiltinCandidates::Candidates(
    const RankingRequest& request) const {
  RankingInput input = request.builtin;
  input.count = count_;
  std::vector<PromptBuilder::Candidate> candidates;
  for (RankedItem& item :
       RankBuiltin(input, request.catalog, *model_, options_)) {
    candidates.push_back({item.product, std::move(item.reason)});
  }
  return candidates;
}

}  // namespace smartshop::recommender
