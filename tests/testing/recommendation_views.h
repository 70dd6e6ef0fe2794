// Views of a Recommendations answer that tests compare against, and
// answers made of product ids.
#ifndef SMARTSHOP_TESTS_TESTING_RECOMMENDATION_VIEWS_H_
#define SMARTSHOP_TESTS_TESTING_RECOMMENDATION_VIEWS_H_

#include <cstdint>
#include <vector>

#include "smartshop/v1/recommender.pb.h"

namespace smartshop::testing {

// The answer's product ids, in its order.
inline std::vector<int64_t> ProductIds(
    const smartshop::v1::Recommendations& answer) {
  std::vector<int64_t> ids;
  for (const auto& item : answer.items()) ids.push_back(item.product().id());
  return ids;
}

// An answer of `ids` in that order, as a ranker leaves it (products by id
// only), scored `first_score`, then one less for each next item.
inline smartshop::v1::Recommendations AnswerOf(
    const std::vector<int64_t>& ids, double first_score,
    smartshop::v1::RecommendationSource source) {
  smartshop::v1::Recommendations answer;
  double score = first_score;
  for (int64_t id : ids) {
    auto* item = answer.add_items();
    item->mutable_product()->set_id(id);
    item->set_relevance_score(score--);
    item->set_source(source);
  }
  return answer;
}

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_RECOMMENDATION_VIEWS_H_
