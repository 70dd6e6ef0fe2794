// Views of a Recommendations answer that tests compare against.
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

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_RECOMMENDATION_VIEWS_H_
