// smartshop_recommend: asks the recommender for a user's (or an anonymous
// visitor's) recommendations and prints them as a table or as JSON. Kept
// for tools/demo.sh; `smartshop recommend` does the same.
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "common/bearer_channel.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tools/cli/recommendations_view.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "recommender host:port");
ABSL_FLAG(std::string, user_id, "", "logged-in user; empty = anonymous");
ABSL_FLAG(std::string, session_key, "", "the visitor's session key");
ABSL_FLAG(int, limit, 0, "items, 1 to 8; 0 = 8");
ABSL_FLAG(bool, json, false, "print the reply as JSON");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of the call");

int main(int argc, char** argv) {
  // --help lists the flags of files named like the program by default;
  // this one is recommend_main.cc.
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/cli/recommend_main");
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(
      "Asks the SmartShop recommender for recommendations.\n"
      "  smartshop_recommend --target=HOST:PORT [--user_id=ID] [--json]");
  absl::ParseCommandLine(argc, argv);
  auto stub = smartshop::v1::RecommenderService::NewStub(
      smartshop::CreateToolChannel(absl::GetFlag(FLAGS_target)));
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
  std::cout << (absl::GetFlag(FLAGS_json)
                    ? smartshop::cli::ToJson(reply)
                    : smartshop::cli::RecommendationsTable(reply));
  return 0;
}
