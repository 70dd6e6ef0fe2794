#include "services/tracking/tracking_config.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/server_flags.h"

SMARTSHOP_SERVER_FLAGS("TRACKING", "127.0.0.1:50051", "127.0.0.1:9090");

ABSL_FLAG(std::string, database_url,
          "postgresql://postgres@127.0.0.1:5432/smartshop",
          "Postgres connection URL (env DATABASE_URL)");
ABSL_FLAG(int, db_pool_size, 8,
          "most Postgres connections (env TRACKING_DB_POOL_SIZE)");
ABSL_FLAG(std::string, database_read_url, "",
          "Postgres URL that ListInteractions and Subscribe read from, e.g. "
          "a streaming replica; empty = --database_url (env "
          "DATABASE_READ_URL)");
ABSL_FLAG(int, subscription_pool_size, 4,
          "Postgres connections of Subscribe streams, apart from "
          "--db_pool_size so that replaying replicas never hold up ingest "
          "(env TRACKING_SUBSCRIPTION_POOL_SIZE)");
ABSL_FLAG(int, max_batch_size, 1000,
          "most events per TrackBatch call (env TRACKING_MAX_BATCH_SIZE)");
ABSL_FLAG(int, server_threads, 64,
          "threads serving gRPC calls; beyond, RESOURCE_EXHAUSTED "
          "(env TRACKING_SERVER_THREADS)");
ABSL_FLAG(int, max_message_bytes, 4 << 20,
          "largest gRPC message (env TRACKING_MAX_MESSAGE_BYTES)");
ABSL_FLAG(int, group_commit_writers, 4,
          "threads committing grouped Track calls "
          "(env TRACKING_GROUP_COMMIT_WRITERS)");
ABSL_FLAG(int, max_queued_events, 10'000,
          "most unary Track events waiting for their group commit; beyond, "
          "RESOURCE_EXHAUSTED (env TRACKING_MAX_QUEUED_EVENTS)");
ABSL_FLAG(bool, migrate_only, false, "apply the database migrations and exit");
ABSL_FLAG(int, pii_retention_days, 90,
          "clear IP addresses and user agents of interactions older than this "
          "many days; 0 = keep them (env TRACKING_PII_RETENTION_DAYS)");
ABSL_FLAG(absl::Duration, pii_retention_interval, absl::Hours(1),
          "how often the retention job runs (env "
          "TRACKING_PII_RETENTION_INTERVAL)");
ABSL_FLAG(int, retention_months, 0,
          "drop whole months of interactions (and their event ids) older "
          "than this many months before the current one, on the retention "
          "job's schedule; 0 = keep everything "
          "(env TRACKING_RETENTION_MONTHS)");
ABSL_FLAG(int, insights_retention_days, 400,
          "drop whole months of served answers and impressions "
          "(InsightsService) that ended more than this many days ago, on the "
          "retention job's schedule; 0 = keep everything "
          "(env TRACKING_INSIGHTS_RETENTION_DAYS)");
ABSL_FLAG(absl::Duration, insights_settle_interval, absl::Minutes(5),
          "how often served answers whose attribution can no longer change "
          "are settled (their facts kept for long-range insights); 0 = never "
          "(every read attributes its whole range) "
          "(env TRACKING_INSIGHTS_SETTLE_INTERVAL)");

namespace smartshop::tracking {
namespace {

absl::Status CheckRange(absl::string_view flag, int64_t value, int64_t low,
                        int64_t high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", value, " is out of range [", low, ", ", high, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrackingConfig> LoadTrackingConfig() {
  TrackingConfig c;
  absl::StatusOr<ServerFlags> server = ReadServerFlags();
  if (!server.ok()) return server.status();
  c.listen_address = server->listen_address;
  c.admin_address = server->admin_address;
  c.database_url = absl::GetFlag(FLAGS_database_url);
  c.db_pool_size = absl::GetFlag(FLAGS_db_pool_size);
  c.database_read_url = absl::GetFlag(FLAGS_database_read_url);
  c.subscription_pool_size = absl::GetFlag(FLAGS_subscription_pool_size);
  c.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  c.server_threads = absl::GetFlag(FLAGS_server_threads);
  c.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  c.group_commit_writers = absl::GetFlag(FLAGS_group_commit_writers);
  c.max_queued_events = absl::GetFlag(FLAGS_max_queued_events);
  c.drain_timeout = server->drain_timeout;
  c.migrate_only = absl::GetFlag(FLAGS_migrate_only);
  c.pii_retention_days = absl::GetFlag(FLAGS_pii_retention_days);
  c.tls = server->tls;
  c.pii_retention_interval = absl::GetFlag(FLAGS_pii_retention_interval);
  c.retention_months = absl::GetFlag(FLAGS_retention_months);
  c.insights_retention_days = absl::GetFlag(FLAGS_insights_retention_days);
  c.insights_settle_interval = absl::GetFlag(FLAGS_insights_settle_interval);
  if (c.listen_address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen=", c.listen_address, " is not host:port"));
  }
  if (c.database_url.empty()) {
    return absl::InvalidArgumentError("--database_url (DATABASE_URL) is empty");
  }
  for (const absl::Status& s :
       {CheckRange("db_pool_size", c.db_pool_size, 1, 1000),
        CheckRange("subscription_pool_size", c.subscription_pool_size, 1, 1000),
        CheckRange("max_batch_size", c.max_batch_size, 1, 100'000),
        CheckRange("server_threads", c.server_threads, 4, 10'000),
        CheckRange("max_message_bytes", c.max_message_bytes, 64 << 10, 1 << 30),
        CheckRange("group_commit_writers", c.group_commit_writers, 1, 1000),
        CheckRange("max_queued_events", c.max_queued_events, 1, 10'000'000),
        CheckRange("pii_retention_days", c.pii_retention_days, 0, 36'500),
        CheckRange("retention_months", c.retention_months, 0, 1200),
        CheckRange("insights_retention_days", c.insights_retention_days, 0,
                   36'500)}) {
    if (!s.ok()) return s;
  }
  if (c.pii_retention_interval < absl::Minutes(1)) {
    return absl::InvalidArgumentError(
        "--pii_retention_interval must be at least 1m");
  }
  if (c.insights_settle_interval != absl::ZeroDuration() &&
      c.insights_settle_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "--insights_settle_interval must be 0 (never) or at least 1s");
  }
  if (c.drain_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--drain_timeout must not be negative");
  }
  if (!c.migrate_only) {  // a migration serves no caller
    absl::StatusOr<std::shared_ptr<const CallerAuth>> auth = server->LoadAuth();
    if (!auth.ok()) return auth.status();
    c.auth = *std::move(auth);
  }
  return c;
}

}  // namespace smartshop::tracking
