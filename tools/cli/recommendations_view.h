// Recommendations as a shell user reads them: a strategy line and a table,
// or the reply as proto JSON, for `smartshop recommend`.
#ifndef SMARTSHOP_TOOLS_CLI_RECOMMENDATIONS_VIEW_H_
#define SMARTSHOP_TOOLS_CLI_RECOMMENDATIONS_VIEW_H_

#include <string>

#include "google/protobuf/message.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::cli {

// "strategy: STRATEGY_MODEL (from cache)" and one row per item: rank, id,
// product, category, score, source, reason (long texts cut).
std::string RecommendationsTable(const smartshop::v1::Recommendations& reply);

// Proto JSON, indented, ending in a newline; all fields, so that a script
// can rely on them being there (cacheHit: false, ...).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_RECOMMENDATIONS_VIEW_H_
