#include "tests/integration/tracking_harness.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/tracking/migrations.h"

namespace smartshop::testing {

TrackingHarness::TrackingHarness(const std::string& database_url,
                                 Options options)
    : pool_({.url = database_url, .size = options.pool_size}),
      subscription_pool_(options.subscription_pool_size > 0
                             ? std::make_unique<PgPool>(PgPoolOptions{
                                   .url = database_url,
                                   .size = options.subscription_pool_size})
                             : nullptr),
      subscription_log_(subscription_pool_ != nullptr
                            ? std::make_unique<tracking::PgInteractionStore>(
                                  subscription_pool_.get())
                            : nullptr),
      interactions_(&pool_),
      catalog_store_(&pool_),
      insights_store_(&pool_),
      tracking_service_(&interactions_, &ready_, &Clock::Real(),
                        {.max_batch_size = options.max_batch_size,
                         .max_stream_results = options.max_stream_results,
                         .subscription_store = subscription_log_.get(),
                         .insights = &insights_store_,
                         .auth = CallerAuth::Disabled()}),
      catalog_service_(
          &catalog_store_, &ready_,
          {.max_batch_size = options.max_batch_size,
           .max_merchandising_rules = options.max_merchandising_rules,
           .auth = CallerAuth::Disabled()}),
      insights_service_(&insights_store_, /*reader=*/nullptr, &ready_,
                        &Clock::Real(), {.auth = CallerAuth::Disabled()}) {
  if (options.migrate) {
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    EXPECT_TRUE(migrations.ok()) << migrations.status();
    auto applied = tracking::ApplyMigrations(pool_, *migrations,
                                             absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(applied.ok()) << applied.status();
    ready_ = applied.ok();
  }
  auto started = StartGrpcServer(
      {.listen_address = absl::StrCat("127.0.0.1:", options.port),
       .tls = options.tls},
      {&tracking_service_, &catalog_service_, &insights_service_});
  EXPECT_TRUE(started.ok()) << started.status();
  server_ = std::move(started->server);
  port_ = started->port;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                     grpc::InsecureChannelCredentials());
  tracking_ = smartshop::v1::TrackingService::NewStub(channel);
  catalog_ = smartshop::v1::CatalogService::NewStub(channel);
  insights_ = smartshop::v1::InsightsService::NewStub(channel);
}

TrackingHarness::~TrackingHarness() {
  tracking_service_.StopSubscriptions();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
}

std::unique_ptr<grpc::ClientContext> TrackingHarness::Context(
    absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

HeldConnection::HeldConnection(PgPool& pool)
    : holder_([this, &pool] {
        absl::Status held =
            pool.Run(absl::Now() + absl::Seconds(5), [this](PgConnection&) {
              taken_.Notify();
              release_.WaitForNotificationWithTimeout(absl::Seconds(30));
            });
        EXPECT_TRUE(held.ok()) << held;
        if (!taken_.HasBeenNotified()) taken_.Notify();
      }) {
  taken_.WaitForNotification();
}

HeldConnection::~HeldConnection() { Release(); }

void HeldConnection::Release() {
  if (!release_.HasBeenNotified()) release_.Notify();
  if (holder_.joinable()) holder_.join();
}

}  // namespace smartshop::testing
