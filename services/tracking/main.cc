// The tracking service: wiring only. See tracking_config.h for settings.
#include <atomic>
#include <cstdlib>
#include <limits>
#include <optional>
#include <thread>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/admin_http_server.h"
#include "common/grpc_server.h"
#include "common/health_monitor.h"
#include "common/json_log.h"
#include "common/pg_pool.h"
#include "services/tracking/catalog_service.h"
#include "services/tracking/insights_service.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_catalog_store.h"
#include "services/tracking/pg_insights_reader.h"
#include "services/tracking/pg_insights_store.h"
#include "services/tracking/pg_interaction_store.h"
#include "services/tracking/pg_outcome_settler.h"
#include "services/tracking/pii_retention.h"
#include "services/tracking/tracking_config.h"
#include "services/tracking/tracking_metrics.h"
#include "services/tracking/tracking_service.h"

namespace smartshop::tracking {
namespace {

int Fail(absl::string_view event, const absl::Status& status) {
  Log(LogLevel::kError, event, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

// Applies migrations, retrying with backoff while the database is away, so
// that the service starts (NOT_SERVING) and becomes ready by itself.
void MigrateUntilDone(PgPool& pool, const std::vector<Migration>& migrations,
                      std::atomic<bool>& ready, absl::Notification& stop) {
  absl::Duration backoff = absl::Milliseconds(250);
  while (true) {
    absl::StatusOr<int> applied =
        ApplyMigrations(pool, migrations, absl::Now() + absl::Seconds(60));
    if (applied.ok()) {
      Log(LogLevel::kInfo, "migrations_applied",
          {{"count", int64_t{*applied}}});
      ready = true;
      return;
    }
    Log(LogLevel::kWarning, "migrations_retry",
        {{"error", applied.status().ToString()},
         {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    if (stop.WaitForNotificationWithTimeout(backoff)) return;
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

int Run(const TrackingConfig& config) {
  absl::StatusOr<std::vector<Migration>> migrations =
      ParseMigrations(EmbeddedMigrations());
  if (!migrations.ok()) return Fail("bad_migrations", migrations.status());
  PgPool pool({.url = config.database_url, .size = config.db_pool_size});

  if (config.migrate_only) {
    absl::StatusOr<int> applied =
        // Long: a migration that rewrites the interactions table (0003)
        // takes about 40 s per million rows on two cores.
        ApplyMigrations(pool, *migrations, absl::Now() + absl::Hours(1));
    if (!applied.ok()) return Fail("migrations_failed", applied.status());
    Log(LogLevel::kInfo, "migrations_applied", {{"count", int64_t{*applied}}});
    return EXIT_SUCCESS;
  }

  std::atomic<bool> ready{false};
  auto registry = std::make_shared<prometheus::Registry>();
  TrackingMetrics metrics(*registry);
  PgInteractionStore interactions(&pool);
  PgCatalogStore catalog(&pool);
  PgInsightsStore insights(&pool);
  // Reads of the log and of ListInteractions go to the read URL if given;
  // subscriptions always over their own pool (see the flags).
  const std::string& read_url = config.database_read_url.empty()
                                    ? config.database_url
                                    : config.database_read_url;
  PgPool subscription_pool(
      {.url = read_url, .size = config.subscription_pool_size});
  PgInteractionStore subscription_log(&subscription_pool);
  std::optional<PgPool> read_pool;
  std::optional<PgInteractionStore> read_interactions;
  if (!config.database_read_url.empty()) {
    read_pool.emplace(
        PgPoolOptions{.url = read_url, .size = config.db_pool_size});
    read_interactions.emplace(&*read_pool);
  }
  TrackingServiceImpl tracking_service(
      &interactions, &ready, &Clock::Real(),
      {.max_batch_size = config.max_batch_size,
       .group_commit_writers = config.group_commit_writers,
       .max_queued_events = config.max_queued_events,
       .subscription_store = &subscription_log,
       .read_store = read_interactions ? &*read_interactions : nullptr,
       .metrics = &metrics,
       .insights = &insights,
       .auth = config.auth});
  // Reports (GetInsights: up to seconds each) over two connections of
  // their own, on the read URL when given, so that they never take the
  // ingest's connections.
  PgPool insights_pool({.url = read_url, .size = 2});
  PgInsightsReader insights_reader(&insights_pool);
  InsightsServiceImpl insights_service(
      &insights, &insights_reader, &ready, &Clock::Real(),
      {.metrics = &metrics, .auth = config.auth});
  CatalogServiceImpl catalog_service(
      &catalog, &ready,
      {.max_batch_size = config.max_batch_size, .auth = config.auth});
  absl::StatusOr<StartedServer> started =
      StartGrpcServer({.listen_address = config.listen_address,
                       .max_threads = config.server_threads,
                       .max_message_bytes = config.max_message_bytes,
                       .registry = registry,
                       .tls = config.tls},
                      {&tracking_service, &catalog_service, &insights_service});
  if (!started.ok()) return Fail("listen_failed", started.status());
  auto readiness = [&]() -> absl::Status {
    if (!ready) return absl::UnavailableError("schema not migrated yet");
    return pool.Ping(absl::Now() + absl::Seconds(2));
  };
  auto admin = AdminHttpServer::Start(
      {.listen_address = config.admin_address,
       .registry = registry,
       .before_scrape =
           [&] {
             metrics.Pool(pool.in_use(), pool.size());
             metrics.GroupCommitQueue(tracking_service.queued_events());
             // One index probe, bounded: a scrape never waits long on a
             // stalled database.
             // Measured where subscriptions read: on a replica it
             // includes the replication delay.
             absl::StatusOr<absl::Duration> lag =
                 ready ? subscription_log.LogHorizonLag(absl::Now() +
                                                        absl::Milliseconds(500))
                       : absl::UnavailableError("schema not migrated yet");
             metrics.SubscribeHorizonLag(
                 lag.ok() ? absl::ToDoubleSeconds(*lag)
                          : std::numeric_limits<double>::quiet_NaN());
           },
       .readiness = readiness});
  if (!admin.ok()) return Fail("listen_failed", admin.status());

  absl::Notification stopping;
  PiiRetention retention(
      &interactions, &interactions,
      {.retention = absl::Hours(24) * config.pii_retention_days,
       .interval = config.pii_retention_interval,
       .retention_months = config.retention_months,
       .insights_partitions = &insights,
       .insights_retention = absl::Hours(24) * config.insights_retention_days});
  PgOutcomeSettler settler(&pool,
                           {.interval = config.insights_settle_interval});
  // Always started, once the schema is there: it also makes the months ahead.
  std::thread migrator([&] {
    MigrateUntilDone(pool, *migrations, ready, stopping);
    if (!ready) return;
    retention.Start();
    if (config.insights_settle_interval > absl::ZeroDuration()) {
      settler.Start();
    }
  });
  {
    HealthMonitor health(
        started->server->GetHealthCheckService(),
        {"smartshop.v1.TrackingService", "smartshop.v1.CatalogService",
         "smartshop.v1.InsightsService"},
        readiness, absl::Seconds(2));
    Log(LogLevel::kInfo, "started",
        {{"service", "tracking"},
         {"port", int64_t{started->port}},
         {"listen", config.listen_address},
         {"admin_port", int64_t{(*admin)->port()}},
         {"database", RedactConnectionString(config.database_url)},
         {"db_pool_size", int64_t{config.db_pool_size}},
         {"subscription_pool_size", int64_t{config.subscription_pool_size}},
         {"read_database",
          config.database_read_url.empty()
              ? std::string("primary")
              : RedactConnectionString(config.database_read_url)},
         {"max_batch_size", int64_t{config.max_batch_size}},
         {"server_threads", int64_t{config.server_threads}},
         {"max_queued_events", int64_t{config.max_queued_events}},
         {"retention_months", int64_t{config.retention_months}},
         {"insights_retention_days", int64_t{config.insights_retention_days}},
         {"insights_settle_interval",
          absl::FormatDuration(config.insights_settle_interval)},
         {"auth_callers", int64_t{config.auth->caller_count()}}});
    if (!config.auth->enabled()) {
      Log(LogLevel::kWarning, "authentication_off",
          {{"why", "--insecure_no_auth: every caller may read and write"}});
    }
    const int signal_number = WaitForTerminationSignal();
    Log(LogLevel::kInfo, "draining",
        {{"signal", int64_t{signal_number}},
         {"drain_timeout_ms",
          absl::ToInt64Milliseconds(config.drain_timeout)}});
    stopping.Notify();
    tracking_service.StopSubscriptions();
    DrainAndStop(*started->server, config.drain_timeout);
  }
  migrator.join();
  Log(LogLevel::kInfo, "stopped", {{"service", "tracking"}});
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::tracking

int main(int argc, char** argv) {
  using namespace smartshop;
  BlockTerminationSignals();
  // Debian's Abseil is built with deadlock detection on, which costs a
  // global lock and graph bookkeeping in every Mutex (gRPC's too); the
  // tests keep it, the binaries do not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "SmartShop tracking service: ingests shop interactions into Postgres "
      "and serves the catalog replica over gRPC.");
  if (absl::Status env = ApplyEnvironmentToFlags(tracking::kTrackingFlagEnv);
      !env.ok()) {
    return tracking::Fail("bad_config", env);
  }
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<tracking::TrackingConfig> config =
      tracking::LoadTrackingConfig();
  if (!config.ok()) return tracking::Fail("bad_config", config.status());
  return tracking::Run(*config);
}
