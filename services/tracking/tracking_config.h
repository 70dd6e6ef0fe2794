// The tracking service's configuration: flags, each with an environment
// variable as fallback (see kTrackingFlagEnv), checked at start-up.
#ifndef SMARTSHOP_SERVICES_TRACKING_TRACKING_CONFIG_H_
#define SMARTSHOP_SERVICES_TRACKING_TRACKING_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/env_flags.h"
#include "common/tls_files.h"

namespace smartshop::tracking {

struct TrackingConfig {
  std::string listen_address;  // host:port for gRPC
  std::string admin_address;   // host:port for /metrics, /healthz, /readyz
  std::string database_url;    // libpq URL; may hold a password: never log
  int db_pool_size;
  // Reads of ListInteractions and Subscribe (e.g. a streaming replica);
  // empty = database_url. May hold a password: never log.
  std::string database_read_url;
  int subscription_pool_size;  // connections Subscribe streams read over
  int max_batch_size;
  int server_threads;
  int max_message_bytes;
  int group_commit_writers;
  int max_queued_events;  // unary Track events waiting for a group commit
  absl::Duration drain_timeout;
  bool migrate_only;
  int pii_retention_days;  // 0 = keep IP addresses and user agents
  absl::Duration pii_retention_interval;
  int retention_months;  // 0 = keep every month of interactions
  // Served answers and impressions: months that ended longer ago are
  // dropped; 0 = keep every month.
  int insights_retention_days;
  // How often settled answers' facts are kept (PgOutcomeSettler); zero =
  // never.
  absl::Duration insights_settle_interval;
  ServerTlsFiles tls;  // plaintext when empty
  // Who may call (caller_auth.h); Disabled() only with --insecure_no_auth.
  std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll();
};

inline constexpr FlagEnv kTrackingFlagEnv[] = {
    {"listen", "TRACKING_LISTEN"},
    {"admin_listen", "TRACKING_ADMIN_LISTEN"},
    {"database_url", "DATABASE_URL"},
    {"db_pool_size", "TRACKING_DB_POOL_SIZE"},
    {"database_read_url", "DATABASE_READ_URL"},
    {"subscription_pool_size", "TRACKING_SUBSCRIPTION_POOL_SIZE"},
    {"max_batch_size", "TRACKING_MAX_BATCH_SIZE"},
    {"server_threads", "TRACKING_SERVER_THREADS"},
    {"max_message_bytes", "TRACKING_MAX_MESSAGE_BYTES"},
    {"pii_retention_days", "TRACKING_PII_RETENTION_DAYS"},
    {"tls_cert_file", "TRACKING_TLS_CERT_FILE"},
    {"tls_key_file", "TRACKING_TLS_KEY_FILE"},
    {"tls_client_ca_file", "TRACKING_TLS_CLIENT_CA_FILE"},
    {"pii_retention_interval", "TRACKING_PII_RETENTION_INTERVAL"},
    {"group_commit_writers", "TRACKING_GROUP_COMMIT_WRITERS"},
    {"max_queued_events", "TRACKING_MAX_QUEUED_EVENTS"},
    {"drain_timeout", "TRACKING_DRAIN_TIMEOUT"},
    {"auth_tokens_file", "TRACKING_AUTH_TOKENS_FILE"},
    {"retention_months", "TRACKING_RETENTION_MONTHS"},
    {"insights_retention_days", "TRACKING_INSIGHTS_RETENTION_DAYS"},
    {"insights_settle_interval", "TRACKING_INSIGHTS_SETTLE_INTERVAL"},
};

// Reads the parsed flags. INVALID_ARGUMENT naming the flag when a value is
// out of range.
absl::StatusOr<TrackingConfig> LoadTrackingConfig();

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_TRACKING_CONFIG_H_
