// Caller authentication, end to end: both binaries run with tokens files as
// operators run them. Every method of every service refuses a call without
// a valid token (UNAUTHENTICATED) or with a token lacking the method's
// scope (PERMISSION_DENIED), and a refused write changes nothing; the
// recommender reads tracking with its own read,record token; health and
// reflection stay open for probes and grpcurl; a server will not start
// without a choice between a tokens file and --insecure_no_auth.
#include <grpcpp/generic/generic_stub.h>
#include <unistd.h>

#include <future>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/bearer_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tests/integration/service_health.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kShopToken[] = "shop-backend-token-0123456789abcdef01";
constexpr char kTrackingReadToken[] = "recommender-token-0123456789abcdef0";
constexpr char kWrongToken[] = "not-a-known-token-0123456789abcdef012";

// Write methods; every other method of the three services is a read. A
// method added later must be classified here (the test fails until it is).
const std::set<std::string>& WriteMethods() {
  static const auto* const methods = new std::set<std::string>{
      "smartshop.v1.TrackingService.Track",
      "smartshop.v1.TrackingService.TrackBatch",
      "smartshop.v1.TrackingService.StreamTrack",
      "smartshop.v1.TrackingService.DeleteUserData",
      "smartshop.v1.InsightsService.TrackImpressions",
      "smartshop.v1.CatalogService.UpsertCategories",
      "smartshop.v1.CatalogService.UpsertProducts",
      "smartshop.v1.CatalogService.UpsertMerchandisingRules",
      "smartshop.v1.CatalogService.DeleteMerchandisingRules",
      "smartshop.v1.RecommenderService.InvalidateRecommendations",
      "smartshop.v1.RecommenderService.DeleteUserData"};
  return *methods;
}
// Methods of the record scope (the recommender's served log): its
// read,record token is let in, as a writer is.
const std::set<std::string>& RecordMethods() {
  static const auto* const methods =
      new std::set<std::string>{"smartshop.v1.InsightsService.RecordServed"};
  return *methods;
}
const std::set<std::string>& ReadMethods() {
  static const auto* const methods = new std::set<std::string>{
      "smartshop.v1.TrackingService.ListInteractions",
      "smartshop.v1.TrackingService.Subscribe",
      "smartshop.v1.InsightsService.GetInsights",
      "smartshop.v1.CatalogService.ListProducts",
      "smartshop.v1.CatalogService.GetProducts",
      "smartshop.v1.CatalogService.ListMerchandisingRules",
      "smartshop.v1.RecommenderService.GetRecommendations"};
  return *methods;
}

std::string Address(int port) { return absl::StrCat("127.0.0.1:", port); }

std::shared_ptr<grpc::Channel> Channel(int port, const std::string& token) {
  return CreateChannelWithToken(Address(port),
                                grpc::InsecureChannelCredentials(), {}, token);
}

// Calls `method` with an empty request (every field at its default) through
// the generic stub, as a unary call whatever its streaming kind: enough to
// see whether the server lets the call in.
grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel,
                       const google::protobuf::MethodDescriptor& method) {
  grpc::GenericStub stub(channel);
  auto context = TrackingHarness::Context(absl::Seconds(2));
  grpc::Slice empty("", 0);  // a ByteBuffer must hold a slice to be sent
  const grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer reply;
  std::promise<grpc::Status> done;
  stub.UnaryCall(
      context.get(),
      absl::StrCat("/", method.service()->full_name(), "/", method.name()),
      grpc::StubOptions(), &request, &reply,
      [&done](grpc::Status status) { done.set_value(status); });
  return done.get_future().get();
}

bool WaitUntilServing(int port, const std::string& service) {
  return WaitForHealth(port, service,
                       grpc::health::v1::HealthCheckResponse::SERVING,
                       absl::Seconds(20));
}

class AuthProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tracking_tokens_ = dir_.Write(
        "tracking", absl::StrCat("# caller scopes token\n"
                                 "shop-backend read,write ",
                                 kShopToken, "\nrecommender read,record ",
                                 kTrackingReadToken, "\n"));
    recommender_tokens_ =
        dir_.Write("recommender", absl::StrCat("shop-backend read,write ",
                                               kShopToken, "\nstorefront read ",
                                               kTrackingReadToken, "\n"));
    tracking_ = std::make_unique<ServiceProcess>(
        TRACKING_BINARY,
        std::vector<std::string>{
            absl::StrCat("--auth_tokens_file=", tracking_tokens_)},
        std::vector<std::string>{absl::StrCat("DATABASE_URL=", db_.url())});
    tracking_port_ = tracking_->WaitForPort();
    ASSERT_GT(tracking_port_, 0) << tracking_->log();
    ASSERT_TRUE(WaitUntilServing(tracking_port_, "smartshop.v1.CatalogService"))
        << tracking_->log();
    smartshop::v1::UpsertProductsRequest products;
    for (int i = 1; i <= 3; ++i) {
      auto* p = products.add_products();
      p->set_id(i);
      p->set_name(absl::StrCat("Product ", i));
      p->set_is_active(true);
      p->set_stock(5);
    }
    smartshop::v1::UpsertProductsResponse upserted;
    ASSERT_TRUE(smartshop::v1::CatalogService::NewStub(
                    Channel(tracking_port_, kShopToken))
                    ->UpsertProducts(TrackingHarness::Context().get(), products,
                                     &upserted)
                    .ok());
  }

  // A recommender on this tracking service; `tracking_token` may be empty.
  std::unique_ptr<ServiceProcess> StartRecommender(
      const std::string& tracking_token) {
    std::vector<std::string> env = {
        absl::StrCat("REDIS_URL=", ReadTestEnv()["REDIS_URL"])};
    if (!tracking_token.empty()) {
      env.push_back(absl::StrCat("TRACKING_TOKEN=", tracking_token));
    }
    return std::make_unique<ServiceProcess>(
        RECOMMENDER_BINARY,
        std::vector<std::string>{
            absl::StrCat("--tracking_target=", Address(tracking_port_)),
            absl::StrCat("--auth_tokens_file=", recommender_tokens_),
            absl::StrCat("--cache_prefix=auth_test_", getpid(), "_"),
            "--catalog_refresh_interval=1s", "--follow_events=false"},
        env);
  }

  int64_t StoredInteractions(const std::string& user_id) {
    smartshop::v1::ListInteractionsRequest request;
    request.set_user_id(user_id);
    smartshop::v1::ListInteractionsResponse response;
    grpc::Status status =
        smartshop::v1::TrackingService::NewStub(
            Channel(tracking_port_, kShopToken))
            ->ListInteractions(TrackingHarness::Context().get(), request,
                               &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.interactions_size();
  }

  TestDatabase db_;
  TempDir dir_;
  std::string tracking_tokens_;
  std::string recommender_tokens_;
  std::unique_ptr<ServiceProcess> tracking_;
  int tracking_port_ = 0;
};

TEST_F(AuthProcessTest, EveryMethodNeedsAValidTokenWithItsScope) {
  auto recommender = StartRecommender(kTrackingReadToken);
  const int recommender_port = recommender->WaitForPort();
  ASSERT_GT(recommender_port, 0) << recommender->log();

  std::set<std::string> seen;
  for (const auto& [service_name, port] :
       std::vector<std::pair<std::string, int>>{
           {"smartshop.v1.TrackingService", tracking_port_},
           {"smartshop.v1.CatalogService", tracking_port_},
           {"smartshop.v1.InsightsService", tracking_port_},
           {"smartshop.v1.RecommenderService", recommender_port}}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor& method = *service->method(m);
      const std::string name = method.full_name();
      seen.insert(name);
      const bool write = WriteMethods().count(name) > 0;
      ASSERT_TRUE(write || ReadMethods().count(name) > 0 ||
                  RecordMethods().count(name) > 0)
          << name << " is neither a read, a write nor a record method: "
          << "classify it";
      for (const std::string& token : {std::string(), std::string(kWrongToken),
                                       std::string(kShopToken) + "x"}) {
        grpc::Status status = CallEmpty(Channel(port, token), method);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << name << " with token \"" << token
            << "\": " << status.error_message();
        EXPECT_THAT(status.error_message(), Not(HasSubstr(kWrongToken)));
      }
      // The recommender's read,record caller is let into reads and records
      // and kept out of writes.
      grpc::Status read_only =
          CallEmpty(Channel(port, kTrackingReadToken), method);
      if (write) {
        EXPECT_EQ(read_only.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name << ": " << read_only.error_message();
      } else {
        EXPECT_NE(read_only.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << name;
        EXPECT_NE(read_only.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name;
      }
      grpc::Status full = CallEmpty(Channel(port, kShopToken), method);
      EXPECT_NE(full.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
      EXPECT_NE(full.error_code(), grpc::StatusCode::PERMISSION_DENIED) << name;
    }
  }
  std::set<std::string> expected = WriteMethods();
  expected.insert(ReadMethods().begin(), ReadMethods().end());
  expected.insert(RecordMethods().begin(), RecordMethods().end());
  EXPECT_EQ(seen, expected);
  const std::string logs = tracking_->log() + recommender->log();
  for (const char* token : {kShopToken, kTrackingReadToken, kWrongToken}) {
    EXPECT_THAT(logs, Not(HasSubstr(token)));
  }
}

TEST_F(AuthProcessTest, RefusedWritesChangeNothing) {
  smartshop::v1::TrackRequest track;
  track.mutable_interaction()->set_user_id("auth-user");
  track.mutable_interaction()->set_type(smartshop::v1::VIEW_PRODUCT);
  track.mutable_interaction()->set_product_id(1);
  smartshop::v1::TrackResponse tracked;
  for (const std::string& token : {std::string(), std::string(kWrongToken)}) {
    EXPECT_EQ(
        smartshop::v1::TrackingService::NewStub(Channel(tracking_port_, token))
            ->Track(TrackingHarness::Context().get(), track, &tracked)
            .error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(smartshop::v1::TrackingService::NewStub(
                Channel(tracking_port_, kTrackingReadToken))
                ->Track(TrackingHarness::Context().get(), track, &tracked)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StoredInteractions("auth-user"), 0);

  // With the writer's token the same event is stored; a read-only caller
  // cannot erase it.
  ASSERT_TRUE(smartshop::v1::TrackingService::NewStub(
                  Channel(tracking_port_, kShopToken))
                  ->Track(TrackingHarness::Context().get(), track, &tracked)
                  .ok());
  EXPECT_EQ(StoredInteractions("auth-user"), 1);
  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id("auth-user");
  smartshop::v1::DeleteUserDataResponse erased;
  EXPECT_EQ(
      smartshop::v1::TrackingService::NewStub(
          Channel(tracking_port_, kTrackingReadToken))
          ->DeleteUserData(TrackingHarness::Context().get(), erase, &erased)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StoredInteractions("auth-user"), 1);

  // A refused catalog upsert leaves the product as it was.
  smartshop::v1::UpsertProductsRequest rename;
  auto* product = rename.add_products();
  product->set_id(1);
  product->set_name("Renamed by an intruder");
  product->set_is_active(true);
  smartshop::v1::UpsertProductsResponse upserted;
  EXPECT_EQ(
      smartshop::v1::CatalogService::NewStub(Channel(tracking_port_, ""))
          ->UpsertProducts(TrackingHarness::Context().get(), rename, &upserted)
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  smartshop::v1::GetProductsRequest get;
  get.add_ids(1);
  smartshop::v1::GetProductsResponse got;
  ASSERT_TRUE(smartshop::v1::CatalogService::NewStub(
                  Channel(tracking_port_, kTrackingReadToken))
                  ->GetProducts(TrackingHarness::Context().get(), get, &got)
                  .ok());
  ASSERT_EQ(got.products_size(), 1);
  EXPECT_EQ(got.products(0).name(), "Product 1");
}

TEST_F(AuthProcessTest, RecommenderReadsTrackingWithItsOwnToken) {
  auto recommender = StartRecommender(kTrackingReadToken);
  const int port = recommender->WaitForPort();
  ASSERT_GT(port, 0) << recommender->log();
  // Ready means its catalog came from tracking, through the token.
  ASSERT_TRUE(WaitUntilServing(port, "smartshop.v1.RecommenderService"))
      << recommender->log();
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id("auth-user");
  smartshop::v1::Recommendations answer;
  grpc::Status status =
      smartshop::v1::RecommenderService::NewStub(Channel(port, kShopToken))
          ->GetRecommendations(TrackingHarness::Context().get(), request,
                               &answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answer.items_size(), 3);
}

TEST_F(AuthProcessTest, ErasureThroughTheRecommenderUsesTheCallersToken) {
  // The recommender's own token only reads tracking: the erasure goes on
  // with the erasing caller's token, so tracking judges that caller.
  auto recommender = StartRecommender(kTrackingReadToken);
  const int port = recommender->WaitForPort();
  ASSERT_GT(port, 0) << recommender->log();
  smartshop::v1::TrackRequest track;
  track.mutable_interaction()->set_user_id("erase-me");
  track.mutable_interaction()->set_type(smartshop::v1::VIEW_PRODUCT);
  track.mutable_interaction()->set_product_id(2);
  smartshop::v1::TrackResponse tracked;
  ASSERT_TRUE(smartshop::v1::TrackingService::NewStub(
                  Channel(tracking_port_, kShopToken))
                  ->Track(TrackingHarness::Context().get(), track, &tracked)
                  .ok());
  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id("erase-me");
  smartshop::v1::DeleteUserDataResponse erased;
  // "storefront" may read the recommender, not erase.
  EXPECT_EQ(
      smartshop::v1::RecommenderService::NewStub(
          Channel(port, kTrackingReadToken))
          ->DeleteUserData(TrackingHarness::Context().get(), erase, &erased)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StoredInteractions("erase-me"), 1);
  grpc::Status status =
      smartshop::v1::RecommenderService::NewStub(Channel(port, kShopToken))
          ->DeleteUserData(TrackingHarness::Context().get(), erase, &erased);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n"
                           << recommender->log();
  EXPECT_EQ(erased.deleted_interactions(), 1);
  EXPECT_EQ(StoredInteractions("erase-me"), 0);
}

TEST_F(AuthProcessTest, RecommenderWithoutATokenIsRefusedByTracking) {
  auto recommender = StartRecommender("");
  const int port = recommender->WaitForPort();
  ASSERT_GT(port, 0) << recommender->log();
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = absl::StrContains(recommender->log(), "UNAUTHENTICATED");
    if (!refused) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(refused) << recommender->log();
  // Without a catalog it is not ready, so no traffic is sent its way.
  EXPECT_EQ(Health(port, "smartshop.v1.RecommenderService"),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
}

TEST_F(AuthProcessTest, HealthAndReflectionNeedNoToken) {
  EXPECT_EQ(Health(tracking_port_, "smartshop.v1.TrackingService"),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(tracking_port_, "smartshop.liveness"),
            grpc::health::v1::HealthCheckResponse::SERVING);
  // grpcurl's first call: ServerReflectionInfo, here with list_services.
  // The request is built by hand (field 7, an empty string) to keep the
  // test free of the reflection stubs; any reply means it was let in.
  grpc::GenericStub stub(Channel(tracking_port_, ""));
  auto context = TrackingHarness::Context(absl::Seconds(2));
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(
      context.get(),
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(queue.Next(&tag, &ok) && ok);
  const char list_services[] = {0x3a, 0x00};  // field 7, length 0
  grpc::Slice slice(list_services, sizeof(list_services));
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(queue.Next(&tag, &ok) && ok);
  grpc::ByteBuffer reply;
  call->Read(&reply, reinterpret_cast<void*>(3));
  ASSERT_TRUE(queue.Next(&tag, &ok));
  EXPECT_TRUE(ok) << "reflection refused a call without a token";
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  EXPECT_THAT(bytes, HasSubstr("smartshop.v1.TrackingService"));
  context->TryCancel();
  grpc::Status finished;
  call->Finish(&finished, reinterpret_cast<void*>(4));
  while (queue.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
}

TEST(AuthStartupTest, RefusesToStartWithoutAChoice) {
  TestDatabase db;
  TempDir dir;
  const std::string bad_tokens = dir.Write(
      "bad", "shop-backend read,admin some-token-0123456789abcdef01\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c :
       std::vector<Case>{{{}, "--auth_tokens_file is required"},
                         {{absl::StrCat("--auth_tokens_file=", bad_tokens)},
                          "line 1: unknown scope \\\"admin\\\""},
                         {{absl::StrCat("--auth_tokens_file=", bad_tokens),
                           "--insecure_no_auth"},
                          "exclude each other"},
                         {{"--auth_tokens_file=/nonexistent/tokens"},
                          "cannot read tokens file /nonexistent/tokens"}}) {
    ServiceProcess tracking(TRACKING_BINARY, c.args,
                            {absl::StrCat("DATABASE_URL=", db.url())});
    EXPECT_NE(tracking.WaitForExit(absl::Seconds(20)), 0);
    EXPECT_THAT(tracking.log(), HasSubstr(c.message));
    EXPECT_THAT(tracking.log(), Not(HasSubstr("some-token-0123456789")));
  }
}

}  // namespace
}  // namespace smartshop::testing
