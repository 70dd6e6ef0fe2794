// Secrets never leak: both binaries run with a known database password, an
// OpenAI key that the (fake) API refuses while echoing it back, a Redis
// password that Redis refuses, and callers' bearer tokens (one of them
// wrong); after real traffic, none of them appears in the logs, the
// metrics, the health endpoints or any reply.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/bearer_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tests/integration/http_probe.h"
#include "tests/integration/https_fake_openai.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kDbPassword[] = "LEAKCHECK-db-44d0e1";
constexpr char kOpenAiKey[] = "sk-test-LEAKCHECK-openai-7f3a90";
constexpr char kRedisPassword[] = "LEAKCHECK-redis-91c2b7";
constexpr char kShopToken[] = "LEAKCHECK-shop-token-0123456789abcdef";
constexpr char kTrackingToken[] = "LEAKCHECK-recommender-0123456789abcdef";
constexpr char kWrongToken[] = "LEAKCHECK-wrong-token-0123456789abcdef";

void ExpectNoSecret(const std::string& where, const std::string& text) {
  for (const char* secret : {kDbPassword, kOpenAiKey, kRedisPassword,
                             kShopToken, kTrackingToken, kWrongToken}) {
    EXPECT_THAT(text, ::testing::Not(HasSubstr(secret)))
        << where << " leaks a secret";
  }
}

TEST(SecretsTest, NoSecretReachesLogsMetricsOrReplies) {
  TestDatabase db;
  TempDir dir;
  // Postgres trusts loopback here, so a password in the URL is accepted
  // and ignored: it is still a secret the service must not print.
  const std::string url = absl::StrReplaceAll(
      db.url(), {{"postgres@", absl::StrCat("postgres:", kDbPassword, "@")}});
  ASSERT_NE(url, db.url());
  const std::string tracking_tokens =
      dir.Write("tracking", absl::StrCat("shop read,write ", kShopToken,
                                         "\nrecommender read,record ",
                                         kTrackingToken, "\n"));
  const std::string recommender_tokens = dir.Write(
      "recommender", absl::StrCat("shop read,write ", kShopToken, "\n"));
  ServiceProcess tracking(
      TRACKING_BINARY, {absl::StrCat("--auth_tokens_file=", tracking_tokens)},
      {absl::StrCat("DATABASE_URL=", url)});
  const int tracking_port = tracking.WaitForPort();
  ASSERT_GT(tracking_port, 0) << tracking.log();

  // Refuses the key and, unlike OpenAI, echoes it in full.
  HttpsFakeOpenAi fake(fake_openai::FakeReply::Error(
      401, absl::StrCat("Incorrect API key provided: ", kOpenAiKey)));
  std::vector<std::string> env = fake.Env(kOpenAiKey);
  env.push_back(absl::StrCat("REDIS_PASSWORD=", kRedisPassword));
  env.push_back(absl::StrCat("TRACKING_TOKEN=", kTrackingToken));

  ServiceProcess recommender(
      RECOMMENDER_BINARY,
      {absl::StrCat("--tracking_target=127.0.0.1:", tracking_port),
       absl::StrCat("--redis_url=", ReadTestEnv()["REDIS_URL"]),
       "--catalog_refresh_interval=1s",
       absl::StrCat("--auth_tokens_file=", recommender_tokens)},
      env);
  const int recommender_port = recommender.WaitForPort();
  ASSERT_GT(recommender_port, 0) << recommender.log();

  // Traffic: a catalog, events, and recommendations that call the model.
  auto channel = CreateChannelWithToken(
      absl::StrCat("127.0.0.1:", tracking_port),
      grpc::InsecureChannelCredentials(), {}, kShopToken);
  auto catalog = smartshop::v1::CatalogService::NewStub(channel);
  smartshop::v1::UpsertProductsRequest products = NumberedProducts(10);
  smartshop::v1::UpsertProductsResponse upserted;
  grpc::Status status = grpc::Status::CANCELLED;
  for (int attempt = 0; attempt < 100 && !status.ok(); ++attempt) {
    status = catalog->UpsertProducts(TrackingHarness::Context().get(), products,
                                     &upserted);  // after migration
    if (!status.ok()) absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto tracking_stub = smartshop::v1::TrackingService::NewStub(channel);
  smartshop::v1::TrackRequest track;
  track.mutable_interaction()->set_user_id("u1");
  track.mutable_interaction()->set_type(smartshop::v1::VIEW_PRODUCT);
  track.mutable_interaction()->set_product_id(3);
  smartshop::v1::TrackResponse tracked;
  ASSERT_TRUE(
      tracking_stub->Track(TrackingHarness::Context().get(), track, &tracked)
          .ok());

  auto recommender_stub =
      smartshop::v1::RecommenderService::NewStub(CreateChannelWithToken(
          absl::StrCat("127.0.0.1:", recommender_port),
          grpc::InsecureChannelCredentials(), {}, kShopToken));
  std::string replies;
  {  // a wrong token is refused, and not repeated back
    auto wrong =
        smartshop::v1::RecommenderService::NewStub(CreateChannelWithToken(
            absl::StrCat("127.0.0.1:", recommender_port),
            grpc::InsecureChannelCredentials(), {}, kWrongToken));
    smartshop::v1::Recommendations reply;
    grpc::Status refused =
        wrong->GetRecommendations(TrackingHarness::Context().get(), {}, &reply);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    replies += refused.error_message();
  }
  for (int i = 0; i < 20; ++i) {
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id("u1");
    smartshop::v1::Recommendations reply;
    grpc::Status got = recommender_stub->GetRecommendations(
        TrackingHarness::Context().get(), request, &reply);
    replies += got.error_message() + reply.DebugString();
    if (got.ok() && reply.items_size() > 0 &&
        fake.server().requests().size() > 0)
      break;
    absl::SleepFor(absl::Milliseconds(200));  // until the catalog is loaded
  }
  EXPECT_GT(fake.server().requests().size(), 0u)
      << "the model was never called";
  EXPECT_THAT(replies, HasSubstr("invalid API key"));
  ExpectNoSecret("replies", replies);

  for (ServiceProcess* process : {&tracking, &recommender}) {
    const int admin = process->AdminPort();
    ASSERT_GT(admin, 0);
    for (const char* path : {"/metrics", "/healthz", "/readyz"}) {
      ExpectNoSecret(path, HttpGet(admin, path).body);
    }
  }
  recommender.Terminate();
  tracking.Terminate();
  EXPECT_EQ(recommender.WaitForExit(absl::Seconds(30)), 0);
  EXPECT_EQ(tracking.WaitForExit(absl::Seconds(30)), 0);
  const std::string logs = tracking.log() + recommender.log();
  EXPECT_THAT(recommender.log(), HasSubstr("model_invalid_key"));
  ExpectNoSecret("the logs", logs);
}

}  // namespace
}  // namespace smartshop::testing
