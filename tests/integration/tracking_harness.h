// The tracking service in-process on a loopback port, over a fresh test
// database, reached through real gRPC stubs.
#ifndef SMARTSHOP_TESTS_INTEGRATION_TRACKING_HARNESS_H_
#define SMARTSHOP_TESTS_INTEGRATION_TRACKING_HARNESS_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/grpc_server.h"
#include "common/pg_pool.h"
#include "services/tracking/catalog_service.h"
#include "services/tracking/insights_service.h"
#include "services/tracking/pg_catalog_store.h"
#include "services/tracking/pg_insights_store.h"
#include "services/tracking/pg_interaction_store.h"
#include "services/tracking/tracking_service.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/insights.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"

namespace smartshop::testing {

class TrackingHarness {
 public:
  struct Options {
    int max_batch_size = 1000;
    int max_merchandising_rules = 10'000;
    int max_stream_results = 10'000;
    bool migrate = true;
    // Loopback port to listen on; 0 = any free one.
    int port = 0;
    // Plaintext unless set.
    ServerTlsFiles tls = {};
    // Connections of the main pool (ingest, ListInteractions).
    int pool_size = 8;
    // Subscribe reads over a pool of its own of this size, as the service
    // does; 0 = over the main pool.
    int subscription_pool_size = 0;
  };
  // Migrates `database_url` (unless told not to) and starts the server.
  explicit TrackingHarness(const std::string& database_url)
      : TrackingHarness(database_url, Options()) {}
  TrackingHarness(const std::string& database_url, Options options);
  ~TrackingHarness();

  smartshop::v1::TrackingService::Stub& tracking() { return *tracking_; }
  smartshop::v1::CatalogService::Stub& catalog() { return *catalog_; }
  // InsightsService without a reader (GetInsights: UNIMPLEMENTED).
  smartshop::v1::InsightsService::Stub& insights() { return *insights_; }
  tracking::PgInsightsStore& insights_store() { return insights_store_; }
  PgPool& pool() { return pool_; }
  // Null unless Options::subscription_pool_size was set.
  PgPool* subscription_pool() { return subscription_pool_.get(); }
  std::atomic<bool>& ready() { return ready_; }
  int port() const { return port_; }
  // Ends open Subscribe streams, as the service's drain does.
  void StopSubscriptions() { tracking_service_.StopSubscriptions(); }

  // A context whose deadline is `timeout` from now.
  static std::unique_ptr<grpc::ClientContext> Context(
      absl::Duration timeout = absl::Seconds(10));

 private:
  PgPool pool_;
  std::unique_ptr<PgPool> subscription_pool_;
  std::unique_ptr<tracking::PgInteractionStore> subscription_log_;
  std::atomic<bool> ready_{false};
  tracking::PgInteractionStore interactions_;
  tracking::PgCatalogStore catalog_store_;
  tracking::PgInsightsStore insights_store_;
  tracking::TrackingServiceImpl tracking_service_;
  tracking::CatalogServiceImpl catalog_service_;
  tracking::InsightsServiceImpl insights_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<smartshop::v1::TrackingService::Stub> tracking_;
  std::unique_ptr<smartshop::v1::CatalogService::Stub> catalog_;
  std::unique_ptr<smartshop::v1::InsightsService::Stub> insights_;
};

// Holds one connection of a pool from construction until Release() (or
// destruction), as a long read would: how a test exhausts a pool.
class HeldConnection {
 public:
  explicit HeldConnection(PgPool& pool);
  ~HeldConnection();
  void Release();

 private:
  absl::Notification taken_;
  absl::Notification release_;
  std::thread holder_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_TRACKING_HARNESS_H_
