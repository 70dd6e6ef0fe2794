// What smartshop_import --format=movielens sends: the MovieLens catalog
// with units_sold, and the ratings as interactions in time order. Each
// rating is a VIEW_PRODUCT at its timestamp, and a rating >= 4 also an
// ORDER_PLACED at the same time, with event ids derived from the rating, so
// that importing the same files again stores nothing new.
#ifndef SMARTSHOP_TOOLS_IMPORT_MOVIELENS_IMPORT_H_
#define SMARTSHOP_TOOLS_IMPORT_MOVIELENS_IMPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/import/movielens.h"
#include "tools/import/skip_tally.h"

namespace smartshop::import {

// user_id = "ml-<userId>": MovieLens users kept apart from a shop's own.
inline constexpr absl::string_view kMovieLensUserPrefix = "ml-";

// NameUuid("movielens:<userId>:<movieId>:<timestamp>:<kind>"), kind "view"
// or "order": the rating itself names its events, wherever it is in the
// file.
std::string MovieLensEventId(const MovieLensRating& rating,
                             absl::string_view kind);

// userId * 10^10 + timestamp: a user's purchases in the same second form
// one order, and the id says whose and when. nullopt when it would not fit
// (userId above 922 337 202 or a timestamp past the year 2286).
std::optional<int64_t> MovieLensOrderId(const MovieLensRating& rating);

// The events of one rating, oldest first: the view, then the order (quantity
// 1) when IsPurchase(rating). A RowIssue when there is no order id for it.
std::variant<std::vector<smartshop::v1::Interaction>, RowIssue> MovieLensEvents(
    const MovieLensRating& rating);

struct MovieLensImport {
  // Categories and products of BuildMovieLensCatalog; units_sold = the
  // movie's ratings >= 4 among those imported.
  MovieLensCatalog catalog;
  // By (timestamp, userId, movieId), each view before its order.
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_rows;  // ratings.csv data row of each event
  int64_t views = 0;
  int64_t orders = 0;
  // Ratings the reader kept that still yield no events.
  SkipTally skipped;
};

MovieLensImport BuildMovieLensImport(const MovieLensData& data);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_MOVIELENS_IMPORT_H_
