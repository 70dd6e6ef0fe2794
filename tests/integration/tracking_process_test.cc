// The tracking binary as operators run it, and Postgres outages: a private
// Postgres per test (tools/dev/services.sh) so that stopping it disturbs no
// other test.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tracking/migrations.h"
#include "tests/integration/http_probe.h"
#include "tests/integration/service_health.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/private_postgres.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The tracking binary on `database_url`, as a child process with its
// stderr in a file. Authentication has tests of its own
// (auth_process_test.cc).
class TrackingProcess : public ServiceProcess {
 public:
  explicit TrackingProcess(const std::string& database_url,
                           std::vector<std::string> extra_args = {},
                           std::vector<std::string> extra_env = {})
      : ServiceProcess(TRACKING_BINARY, WithoutAuth(std::move(extra_args)),
                       WithDatabase(database_url, std::move(extra_env))) {}

 private:
  static std::vector<std::string> WithoutAuth(std::vector<std::string> args) {
    args.insert(args.begin(), "--insecure_no_auth");
    return args;
  }
  static std::vector<std::string> WithDatabase(const std::string& url,
                                               std::vector<std::string> env) {
    env.push_back(absl::StrCat("DATABASE_URL=", url));
    return env;
  }
};

constexpr char kTracking[] = "smartshop.v1.TrackingService";

bool WaitForHealth(int port, ServingStatus want) {
  return smartshop::testing::WaitForHealth(port, kTracking, want);
}

grpc::StatusCode TrackOnce(int port) {
  auto stub = smartshop::v1::TrackingService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  smartshop::v1::TrackRequest request;
  request.mutable_interaction()->set_session_key("s");
  request.mutable_interaction()->set_type(smartshop::v1::VIEW_PRODUCT);
  request.mutable_interaction()->set_product_id(1);
  smartshop::v1::TrackResponse response;
  return stub
      ->Track(TrackingHarness::Context(absl::Seconds(10)).get(), request,
              &response)
      .error_code();
}

TEST(TrackingProcessTest, ServesHealthAndDrainsOnSigterm) {
  TestDatabase db;
  TrackingProcess tracking(db.url());
  const int port = tracking.WaitForPort();
  ASSERT_GT(port, 0) << tracking.log();
  EXPECT_TRUE(
      WaitForHealth(port, grpc::health::v1::HealthCheckResponse::SERVING))
      << tracking.log();
  EXPECT_EQ(TrackOnce(port), grpc::StatusCode::OK);
  tracking.Terminate();
  EXPECT_EQ(tracking.WaitForExit(absl::Seconds(30)), 0) << tracking.log();
  EXPECT_THAT(tracking.log(), HasSubstr(R"("event":"stopped")"));
  // The URL's host is logged; a password never is (there is none here, but
  // the redaction is unit-tested in common/json_log_test.cc).
  EXPECT_THAT(tracking.log(), HasSubstr(R"("event":"started")"));
}

TEST(TrackingProcessTest, ServesMetricsThatPromtoolAccepts) {
  TestDatabase db;
  TrackingProcess tracking(db.url());
  const int port = tracking.WaitForPort();
  ASSERT_GT(port, 0) << tracking.log();
  const int admin = tracking.AdminPort();
  ASSERT_GT(admin, 0) << tracking.log();
  ASSERT_TRUE(
      WaitForHealth(port, grpc::health::v1::HealthCheckResponse::SERVING));
  EXPECT_EQ(TrackOnce(port), grpc::StatusCode::OK);

  HttpReply metrics = HttpGet(admin, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(
      metrics.body,
      HasSubstr("smartshop_tracking_events_total{outcome=\"stored\"} 1"));
  EXPECT_THAT(
      metrics.body,
      HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method="
                "\"/smartshop.v1.TrackingService/Track\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("grpc_server_handling_seconds_bucket"));
  EXPECT_THAT(metrics.body,
              HasSubstr("smartshop_tracking_db_pool_max_connections 8"));
  EXPECT_THAT(metrics.body,
              HasSubstr("smartshop_tracking_group_commit_queued_events 0"));
  EXPECT_THAT(metrics.body,
              HasSubstr("smartshop_tracking_group_commit_refused_total 0"));
  // Asked of the database on each scrape; nothing holds the feed back here.
  EXPECT_THAT(metrics.body,
              HasSubstr("smartshop_tracking_subscribe_horizon_lag_seconds 0"));
  PromtoolResult check = PromtoolCheckMetrics(metrics.body);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << metrics.body;

  EXPECT_EQ(HttpGet(admin, "/healthz").status, 200);
  EXPECT_EQ(HttpGet(admin, "/readyz").status, 200);
  EXPECT_EQ(HttpGet(admin, "/nothing").status, 404);
  // The admin port shows no data and no secrets.
  EXPECT_THAT(metrics.body, Not(HasSubstr("postgresql://")));
}

TEST(TrackingProcessTest, MigrateOnlyAppliesTheSchemaAndExits) {
  TestDatabase db;
  TrackingProcess tracking(db.url(), {"--migrate_only"});
  EXPECT_EQ(tracking.WaitForExit(absl::Seconds(30)), 0) << tracking.log();
  // Every migration compiled in, and nothing else.
  EXPECT_EQ(QueryScalar(db.url(), "SELECT count(*) FROM schema_migrations"),
            absl::StrCat(tracking::EmbeddedMigrations().size()));
}

TEST(TrackingProcessTest, BadConfigurationExitsWithAClearMessage) {
  TestDatabase db;
  TrackingProcess tracking(db.url(), {}, {"TRACKING_DB_POOL_SIZE=0"});
  EXPECT_EQ(tracking.WaitForExit(absl::Seconds(10)), 1);
  EXPECT_THAT(tracking.log(), HasSubstr("db_pool_size=0 is out of range"));
}

TEST(TrackingProcessTest, StartsWithoutPostgresAndRecoversWhenItComes) {
  PrivatePostgres postgres;
  postgres.Stop();
  TrackingProcess tracking(postgres.url());
  const int port = tracking.WaitForPort();
  ASSERT_GT(port, 0) << tracking.log();
  EXPECT_TRUE(
      WaitForHealth(port, grpc::health::v1::HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(TrackOnce(port), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HttpGet(tracking.AdminPort(), "/readyz").status, 503);
  // Liveness stays SERVING: a restart would not bring Postgres back.
  EXPECT_EQ(Health(port, "smartshop.liveness"),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(HttpGet(tracking.AdminPort(), "/healthz").status, 200);
  postgres.Start();
  EXPECT_TRUE(
      WaitForHealth(port, grpc::health::v1::HealthCheckResponse::SERVING))
      << tracking.log();
  EXPECT_EQ(TrackOnce(port), grpc::StatusCode::OK);
}

TEST(PostgresOutageTest, CallsFailUnavailableAndRecoverByThemselves) {
  PrivatePostgres postgres;
  TrackingHarness server(postgres.url());
  smartshop::v1::TrackRequest request;
  request.mutable_interaction()->set_user_id("u");
  request.mutable_interaction()->set_type(smartshop::v1::VIEW_PRODUCT);
  request.mutable_interaction()->set_product_id(1);
  smartshop::v1::TrackResponse response;
  ASSERT_TRUE(server.tracking()
                  .Track(TrackingHarness::Context().get(), request, &response)
                  .ok());
  // Several pooled connections, so that all go stale with the restart.
  smartshop::v1::ListInteractionsResponse listed;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        server.tracking()
            .ListInteractions(TrackingHarness::Context().get(), {}, &listed)
            .ok());
  }

  postgres.Stop();
  for (int i = 0; i < 3; ++i) {
    grpc::Status status = server.tracking().Track(
        TrackingHarness::Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << status.error_message();
  }
  smartshop::v1::TrackBatchRequest batch;
  *batch.add_interactions() = request.interaction();
  smartshop::v1::TrackBatchResponse batch_response;
  EXPECT_EQ(
      server.tracking()
          .TrackBatch(TrackingHarness::Context().get(), batch, &batch_response)
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);

  postgres.Start();
  grpc::Status after = server.tracking().Track(TrackingHarness::Context().get(),
                                               request, &response);
  EXPECT_TRUE(after.ok()) << after.error_message();
  EXPECT_EQ(QueryScalar(postgres.url(), "SELECT count(*) FROM interactions"),
            "2");
}

}  // namespace
}  // namespace smartshop::testing
