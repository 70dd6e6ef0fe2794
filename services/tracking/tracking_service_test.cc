// The edge policy as callers meet it: every method of the tracking services
// (found through their descriptors, so a new method is covered) refuses a
// call without a token, and answers UNAVAILABLE while the schema is not
// migrated. The handlers' own work is tested through the integration tests.
#include "services/tracking/tracking_service.h"

#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <future>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_server.h"
#include "common/status_util.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "services/tracking/catalog_service.h"
#include "services/tracking/insights_service.h"
#include "tests/testing/fake_interaction_store.h"

namespace smartshop::tracking {
namespace {

using google::protobuf::ServiceDescriptor;

class TrackingServicesEdgeTest : public ::testing::Test {
 protected:
  void Serve(std::shared_ptr<const CallerAuth> auth) {
    tracking_ = std::make_unique<TrackingServiceImpl>(
        &interactions_, &ready_, &Clock::Real(),
        TrackingServiceOptions{.auth = auth});
    // Never reached: every call stops at the edge.
    catalog_ = std::make_unique<CatalogServiceImpl>(
        nullptr, &ready_, CatalogServiceOptions{.auth = auth});
    insights_ = std::make_unique<InsightsServiceImpl>(
        nullptr, nullptr, &ready_, &Clock::Real(),
        InsightsServiceOptions{.auth = auth});
    absl::StatusOr<StartedServer> started =
        StartGrpcServer({}, {tracking_.get(), catalog_.get(), insights_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = std::make_unique<grpc::GenericStub>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // One call with an empty request message, as any method accepts.
  grpc::Status Call(const std::string& method) {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(absl::Seconds(10)));
    const grpc::Slice empty;  // an empty message: all fields unset
    grpc::ByteBuffer request(&empty, 1), response;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                     [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  }

  // Each method of both services: its name and its path.
  static std::vector<std::pair<std::string, std::string>> Methods() {
    std::vector<std::pair<std::string, std::string>> methods;
    for (const char* service_name :
         {smartshop::v1::TrackingService::service_full_name(),
          smartshop::v1::CatalogService::service_full_name(),
          smartshop::v1::InsightsService::service_full_name()}) {
      const ServiceDescriptor* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              service_name);
      for (int i = 0; i < service->method_count(); ++i) {
        const std::string& name = service->method(i)->name();
        methods.emplace_back(
            name, absl::StrCat("/", service->full_name(), "/", name));
      }
    }
    return methods;
  }

  testing::FakeInteractionStore interactions_;
  std::atomic<bool> ready_{true};
  std::unique_ptr<TrackingServiceImpl> tracking_;
  std::unique_ptr<CatalogServiceImpl> catalog_;
  std::unique_ptr<InsightsServiceImpl> insights_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

TEST_F(TrackingServicesEdgeTest, EveryMethodRefusesACallWithoutAToken) {
  Serve(CallerAuth::DenyAll());
  for (const auto& [name, path] : Methods()) {
    grpc::Status status = Call(path);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
    EXPECT_EQ(status.error_message(),
              absl::StrCat(name,
                           ": missing \"authorization: Bearer <token>\" "
                           "metadata"));
  }
}

TEST_F(TrackingServicesEdgeTest, EveryMethodIsUnavailableUntilMigrated) {
  ready_ = false;
  Serve(CallerAuth::Disabled());
  for (const auto& [name, path] : Methods()) {
    grpc::Status status = Call(path);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << name;
    EXPECT_EQ(status.error_message(),
              "tracking is starting: the database is not reachable or not "
              "migrated yet")
        << name;
  }
}

// Stored events that came with a recommendation_id are counted: kept, or
// stored without it because it was malformed.
TEST(TrackingServiceMetricsTest, CountsAttributedInteractions) {
  testing::FakeInteractionStore store;
  std::atomic<bool> ready{true};
  prometheus::Registry registry;
  TrackingMetrics metrics(registry);
  TrackingServiceImpl service(
      &store, &ready, &Clock::Real(),
      {.metrics = &metrics, .auth = CallerAuth::Disabled()});
  smartshop::v1::TrackBatchRequest request;
  for (const char* id : {"6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01",
                         "6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E02", "bad", ""}) {
    auto* event = request.add_interactions();
    event->set_session_key("s");
    event->set_type(smartshop::v1::VIEW_PRODUCT);
    event->set_product_id(4);
    event->set_recommendation_id(id);
  }
  grpc::ServerContext context;
  smartshop::v1::TrackBatchResponse response;
  ASSERT_TRUE(service.TrackBatch(&context, &request, &response).ok());
  EXPECT_EQ(response.stored(), 4);
  std::map<std::string, double> counted;
  for (const auto& family : registry.Collect()) {
    if (family.name != "smartshop_tracking_attributed_interactions_total") {
      continue;
    }
    for (const auto& metric : family.metric) {
      counted[metric.label.at(0).value] = metric.counter.value;
    }
  }
  EXPECT_EQ(counted, (std::map<std::string, double>{{"dropped_malformed", 1},
                                                    {"kept", 2}}));
}

}  // namespace
}  // namespace smartshop::tracking
