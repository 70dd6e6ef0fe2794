// The recommender's configuration: flags, each with an environment variable
// as fallback (see kRecommenderFlagEnv), checked at start-up. Secrets
// (OPENAI_API_KEY, REDIS_PASSWORD) come from the environment only.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_CONFIG_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/env_flags.h"
#include "common/tls_files.h"
#include "services/recommender/cache/redis_options.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/model/model_budget.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/openai/openai_options.h"
#include "services/recommender/recommendation_engine.h"
#include "services/recommender/served_log.h"

namespace smartshop::recommender {

struct RecommenderConfig {
  std::string listen_address;
  std::string admin_address;    // host:port for /metrics, /healthz, /readyz
  std::string tracking_target;  // host:port of the tracking service
  int server_threads;
  absl::Duration drain_timeout;
  absl::Duration catalog_refresh_interval;
  std::string model;  // OPENAI_MODEL
  // OPENAI_FALLBACK_MODEL, also engine.fallback_model; empty = none.
  std::string fallback_model;
  OpenAiOptions openai;                 // api_key empty = no model
  std::string prompt_version = "v2";    // --model_prompt_version
  StructuredOutput structured_output =  // --openai_structured_output
      StructuredOutput::kAuto;
  RedisCacheOptions redis;
  EngineOptions engine;
  // The model's caps (--model_daily_budget_usd, --model_calls_per_minute)
  // and the hold per call; main.cc makes the budget and sets
  // engine.model_budget.
  ModelBudgetOptions model_budget;
  // Follow the event log (the builtin ranker's model, live invalidation).
  bool follow_events = true;
  // The builtin model's history window (ModelOptions::history_window).
  absl::Duration model_window = absl::InfiniteDuration();
  ServerTlsFiles tls;           // this server; plaintext when empty
  ClientTlsFiles tracking_tls;  // the channel to tracking; plaintext when empty
  // Sent to tracking as "authorization: Bearer"; from TRACKING_TOKEN.
  std::string tracking_token;
  // Record every served answer in tracking (served_log.h); off = no
  // attribution.
  bool served_log = true;
  ServedLogOptions served_log_options;
  // The A/B experiments to run (--experiments_file); empty without one.
  std::shared_ptr<const experiments::ExperimentSet> experiments =
      std::make_shared<experiments::ExperimentSet>();
  // Who may call (caller_auth.h); Disabled() only with --insecure_no_auth.
  std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll();
};

inline constexpr FlagEnv kRecommenderFlagEnv[] = {
    {"listen", "RECOMMENDER_LISTEN"},
    {"admin_listen", "RECOMMENDER_ADMIN_LISTEN"},
    {"tracking_target", "TRACKING_TARGET"},
    {"server_threads", "RECOMMENDER_SERVER_THREADS"},
    {"drain_timeout", "RECOMMENDER_DRAIN_TIMEOUT"},
    {"catalog_refresh_interval", "RECOMMENDER_CATALOG_REFRESH_INTERVAL"},
    {"redis_url", "REDIS_URL"},
    {"cache_prefix", "RECOMMENDER_CACHE_PREFIX"},
    {"cache_ttl", "RECOMMENDER_CACHE_TTL"},
    {"error_cache_ttl", "RECOMMENDER_ERROR_CACHE_TTL"},
    {"tracking_timeout", "RECOMMENDER_TRACKING_TIMEOUT"},
    {"openai_base_url", "OPENAI_BASE_URL"},
    {"openai_model", "OPENAI_MODEL"},
    {"openai_ca_file", "OPENAI_CA_FILE"},
    {"openai_timeout", "OPENAI_TIMEOUT"},
    {"builtin_cache_ttl", "RECOMMENDER_BUILTIN_CACHE_TTL"},
    {"session_cache_ttl", "RECOMMENDER_SESSION_CACHE_TTL"},
    {"local_cache_ttl", "RECOMMENDER_LOCAL_CACHE_TTL"},
    {"local_cache_mb", "RECOMMENDER_LOCAL_CACHE_MB"},
    {"recently_ordered_days", "RECOMMENDER_RECENTLY_ORDERED_DAYS"},
    {"follow_events", "RECOMMENDER_FOLLOW_EVENTS"},
    {"model_window", "RECOMMENDER_MODEL_WINDOW"},
    {"model_prompt", "RECOMMENDER_MODEL_PROMPT"},
    {"model_prompt_version", "RECOMMENDER_MODEL_PROMPT_VERSION"},
    {"openai_structured_output", "OPENAI_STRUCTURED_OUTPUT"},
    {"openai_fallback_model", "OPENAI_FALLBACK_MODEL"},
    {"openai_prices", "OPENAI_PRICES"},
    {"openai_primary_timeout_share", "OPENAI_PRIMARY_TIMEOUT_SHARE"},
    {"model_route_max_history", "RECOMMENDER_MODEL_ROUTE_MAX_HISTORY"},
    {"tls_cert_file", "RECOMMENDER_TLS_CERT_FILE"},
    {"tls_key_file", "RECOMMENDER_TLS_KEY_FILE"},
    {"tls_client_ca_file", "RECOMMENDER_TLS_CLIENT_CA_FILE"},
    {"tracking_ca_file", "TRACKING_CA_FILE"},
    {"tracking_client_cert_file", "TRACKING_CLIENT_CERT_FILE"},
    {"tracking_client_key_file", "TRACKING_CLIENT_KEY_FILE"},
    {"tracking_server_name", "TRACKING_SERVER_NAME"},
    {"session_model", "RECOMMENDER_SESSION_MODEL"},
    {"session_model_interval", "RECOMMENDER_SESSION_MODEL_INTERVAL"},
    {"session_model_calls", "RECOMMENDER_SESSION_MODEL_CALLS"},
    {"max_computations", "RECOMMENDER_MAX_COMPUTATIONS"},
    {"max_waiting_callers", "RECOMMENDER_MAX_WAITING_CALLERS"},
    {"served_log", "RECOMMENDER_SERVED_LOG"},
    {"experiments_file", "RECOMMENDER_EXPERIMENTS_FILE"},
    {"served_log_max_pending", "RECOMMENDER_SERVED_LOG_MAX_PENDING"},
    {"auth_tokens_file", "RECOMMENDER_AUTH_TOKENS_FILE"},
    {"placement_model", "RECOMMENDER_PLACEMENT_MODEL"},
    {"placement_cache_ttl", "RECOMMENDER_PLACEMENT_CACHE_TTL"},
    {"trending_cache_ttl", "RECOMMENDER_TRENDING_CACHE_TTL"},
    {"model_answer_reuse", "RECOMMENDER_MODEL_ANSWER_REUSE"},
    {"model_reply_ttl", "RECOMMENDER_MODEL_REPLY_TTL"},
    {"new_users_share_anonymous", "RECOMMENDER_NEW_USERS_SHARE_ANONYMOUS"},
    {"model_daily_budget_usd", "RECOMMENDER_MODEL_DAILY_BUDGET_USD"},
    {"model_calls_per_minute", "RECOMMENDER_MODEL_CALLS_PER_MINUTE"},
};

// Reads the parsed flags and the secret environment variables.
// INVALID_ARGUMENT naming the flag or variable when a value is unusable.
absl::StatusOr<RecommenderConfig> LoadRecommenderConfig();

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_CONFIG_H_
