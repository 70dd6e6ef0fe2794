#include "tools/cli/recommendations_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "tools/import/text_table.h"

namespace smartshop::cli {
namespace {

using import::Ellipsize;
using import::TextTable;

std::string SourceName(smartshop::v1::RecommendationSource source) {
  switch (source) {
    case smartshop::v1::MODEL:
      return "model";
    case smartshop::v1::GAP_FILL:
      return "gap fill";
    case smartshop::v1::TOP_SELLERS_NO_DATA:
      return "top seller (no data)";
    case smartshop::v1::ERROR_FALLBACK:
      return "top seller (fallback)";
    case smartshop::v1::BUILTIN:
      return "builtin";
    case smartshop::v1::SIMILAR:
      return "similar";
    case smartshop::v1::RECENTLY_VIEWED:
      return "recently viewed";
    case smartshop::v1::TRENDING:
      return "trending";
    case smartshop::v1::MERCHANDISED:
      return "merchandised";
    default:
      return "?";
  }
}

}  // namespace

std::string RecommendationsTable(const smartshop::v1::Recommendations& reply) {
  std::string text = absl::StrCat(
      smartshop::v1::Placement_Name(reply.placement()),
      ", strategy: ", smartshop::v1::Strategy_Name(reply.strategy()),
      reply.cache_hit() ? " (from cache)" : "",
      reply.fallback_reason().empty()
          ? ""
          : absl::StrCat(", because ", reply.fallback_reason()),
      reply.routing_reason().empty()
          ? ""
          : absl::StrCat(", ", reply.routing_reason()),
      "\n");
  TextTable table({{"#", TextTable::Align::kRight},
                   {"id", TextTable::Align::kRight},
                   {"product"},
                   {"category"},
                   {"score", TextTable::Align::kRight},
                   {"source"},
                   {"reason"}});
  int rank = 0;
  for (const auto& item : reply.items()) {
    table.AddRow({absl::StrCat(++rank), absl::StrCat(item.product().id()),
                  Ellipsize(item.product().name(), 36),
                  Ellipsize(item.product().category_name(), 24),
                  absl::StrFormat("%.1f", item.relevance_score()),
                  SourceName(item.source()), Ellipsize(item.reason(), 48)});
  }
  return absl::StrCat(text, table.Render());
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  // Printing a message we built cannot fail; an empty string is the worst.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace smartshop::cli
