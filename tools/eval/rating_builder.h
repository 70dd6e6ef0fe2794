// Ratings as the evaluation's tests write them: R(user, movie, stars, time).
#ifndef SMARTSHOP_TOOLS_EVAL_RATING_BUILDER_H_
#define SMARTSHOP_TOOLS_EVAL_RATING_BUILDER_H_

#include <cstdint>

#include "tools/eval/dataset.h"

namespace smartshop::eval {

inline Rating R(int64_t user, int64_t movie, double stars, int64_t time) {
  return {
      .user_id = user, .movie_id = movie, .rating = stars, .timestamp = time};
}

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_RATING_BUILDER_H_
