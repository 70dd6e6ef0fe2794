// smartshop_recommend: asks the recommender for a user's (or an anonymous
// visitor's) recommendations and prints them as a table or as JSON.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tools/import/text_table.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "recommender host:port");
ABSL_FLAG(std::string, user_id, "", "logged-in user; empty = anonymous");
ABSL_FLAG(std::string, session_key, "", "the visitor's session key");
ABSL_FLAG(int, limit, 0, "items, 1 to 8; 0 = 8");
ABSL_FLAG(bool, json, false, "print the reply as JSON");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of the call");

namespace {

using smartshop::import::TextTable;

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
    default:
      return "?";
  }
}

std::string StrategyName(smartshop::v1::Strategy strategy) {
  return smartshop::v1::Strategy_Name(strategy);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Asks the SmartShop recommender for recommendations.\n"
      "  smartshop_recommend --target=HOST:PORT [--user_id=ID] [--json]");
  absl::ParseCommandLine(argc, argv);
  auto stub = smartshop::v1::RecommenderService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id(absl::GetFlag(FLAGS_user_id));
  request.set_session_key(absl::GetFlag(FLAGS_session_key));
  request.set_limit(absl::GetFlag(FLAGS_limit));
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  smartshop::v1::Recommendations reply;
  grpc::Status status = stub->GetRecommendations(&context, request, &reply);
  if (!status.ok()) {
    std::cerr << "smartshop_recommend: " << absl::GetFlag(FLAGS_target) << ": "
              << status.error_code() << " " << status.error_message() << "\n";
    return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 2 : 1;
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(reply, &json, options);
    std::cout << json;
    return 0;
  }
  std::cout << "strategy: " << StrategyName(reply.strategy())
            << (reply.cache_hit() ? " (from cache)" : "")
            << (reply.fallback_reason().empty()
                    ? ""
                    : absl::StrCat(", because ", reply.fallback_reason()))
            << "\n";
  TextTable table({{"#", TextTable::Align::kRight},
                   {"id", TextTable::Align::kRight},
                   {"product"},
                   {"category"},
                   {"score", TextTable::Align::kRight},
                   {"source"},
                   {"reason"}});
  int rank = 0;
  for (const auto& item : reply.items()) {
    table.AddRow(
        {absl::StrCat(++rank), absl::StrCat(item.product().id()),
         smartshop::import::Ellipsize(item.product().name(), 36),
         smartshop::import::Ellipsize(item.product().category_name(), 24),
         absl::StrFormat("%.1f", item.relevance_score()),
         SourceName(item.source()),
         smartshop::import::Ellipsize(item.reason(), 48)});
  }
  std::cout << table.Render();
  return 0;
}
