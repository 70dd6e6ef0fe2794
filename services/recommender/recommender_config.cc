#include "services/recommender/recommender_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/server_flags.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/shopper_activity.h"

SMARTSHOP_SERVER_FLAGS("RECOMMENDER", "127.0.0.1:50052", "127.0.0.1:9091");

ABSL_FLAG(std::string, tracking_target, "127.0.0.1:50051",
          "the tracking service, host:port (env TRACKING_TARGET)");
ABSL_FLAG(int, server_threads, 64,
          "threads serving gRPC calls (env RECOMMENDER_SERVER_THREADS)");
ABSL_FLAG(absl::Duration, catalog_refresh_interval, absl::Seconds(30),
          "how often the catalog snapshot is reloaded (env "
          "RECOMMENDER_CATALOG_REFRESH_INTERVAL)");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379",
          "Redis for cached answers, redis://host[:port][/db] (env "
          "REDIS_URL; password from REDIS_PASSWORD)");
ABSL_FLAG(std::string, cache_prefix, "ai_recommended_products_",
          "cache key prefix (env RECOMMENDER_CACHE_PREFIX)");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Hours(1),
          "how long a model answer is cached (env RECOMMENDER_CACHE_TTL)");
ABSL_FLAG(bool, model_answer_reuse, true,
          "answer a model request asked before, word for word (same "
          "instructions, catalog sample or candidates, shopper summary, model "
          "and parameters), from the model's stored reply in Redis without a "
          "call, for --model_reply_ttl (env RECOMMENDER_MODEL_ANSWER_REUSE)");
ABSL_FLAG(bool, new_users_share_anonymous, false,
          "a user with no event of their own yet gets the anonymous visitors' "
          "home page answer (their prompt is the same) instead of a model call "
          "each; needs --follow_events (env "
          "RECOMMENDER_NEW_USERS_SHARE_ANONYMOUS)");
ABSL_FLAG(absl::Duration, model_reply_ttl, absl::Hours(24),
          "how long a model reply is kept for reuse (env "
          "RECOMMENDER_MODEL_REPLY_TTL)");
ABSL_FLAG(absl::Duration, error_cache_ttl, absl::Seconds(60),
          "how long a fallback or no-data answer is cached (env "
          "RECOMMENDER_ERROR_CACHE_TTL)");
ABSL_FLAG(absl::Duration, tracking_timeout, absl::Seconds(2),
          "bound on each call to the tracking service (env "
          "RECOMMENDER_TRACKING_TIMEOUT)");
ABSL_FLAG(std::string, openai_base_url, "https://api.openai.com/v1",
          "Chat Completions base URL (env OPENAI_BASE_URL; key from "
          "OPENAI_API_KEY)");
ABSL_FLAG(std::string, openai_model, "gpt-4o-mini",
          "model name (env OPENAI_MODEL)");
ABSL_FLAG(std::string, openai_fallback_model, "",
          "a secondary (cheaper) model asked with the same prompt when the "
          "model fails (error, timeout, paused, unusable reply) before the "
          "builtin ranker; not after a budget refusal; empty = none (env "
          "OPENAI_FALLBACK_MODEL)");
ABSL_FLAG(std::string, openai_prices, "",
          "prices of models the service does not know, or other prices: "
          "model=input/cached_input/output[,...] in US dollars per million "
          "tokens; known: gpt-4o-mini, gpt-4o, gpt-4.1, gpt-4.1-mini, "
          "gpt-4.1-nano at list prices (env OPENAI_PRICES)");
ABSL_FLAG(double, openai_primary_timeout_share, 0.5,
          "with --openai_fallback_model: the model's call is bounded by this "
          "share of --openai_timeout, leaving the secondary the rest; "
          "more than 0, at most 1 (env OPENAI_PRIMARY_TIMEOUT_SHARE)");
ABSL_FLAG(int, model_route_max_history, 0,
          "routing: a shopper with more than this many interactions of "
          "their own (of the latest 50 read) is ranked by the builtin "
          "ranker without a model call; 0 = off, every shopper goes to the "
          "model; at most 49 (env RECOMMENDER_MODEL_ROUTE_MAX_HISTORY)");
ABSL_FLAG(std::string, openai_ca_file, "",
          "extra CA certificates to trust, PEM (env OPENAI_CA_FILE)");
ABSL_FLAG(absl::Duration, openai_timeout, absl::Seconds(20),
          "bound on one model call (env OPENAI_TIMEOUT)");
ABSL_FLAG(absl::Duration, local_cache_ttl, absl::Seconds(2),
          "how long a replica serves an answer from its own memory without "
          "asking Redis (it does not see other replicas' invalidations "
          "meanwhile); 0 = off, at most 60s (env "
          "RECOMMENDER_LOCAL_CACHE_TTL)");
ABSL_FLAG(int, local_cache_mb, 64,
          "memory bound of that in-process cache, MiB (env "
          "RECOMMENDER_LOCAL_CACHE_MB)");
ABSL_FLAG(absl::Duration, builtin_cache_ttl, absl::Minutes(10),
          "how long a builtin ranker answer is cached (env "
          "RECOMMENDER_BUILTIN_CACHE_TTL)");
ABSL_FLAG(absl::Duration, session_cache_ttl, absl::Minutes(5),
          "how long an anonymous session's answer is cached (env "
          "RECOMMENDER_SESSION_CACHE_TTL)");
ABSL_FLAG(int, recently_ordered_days, 30,
          "products a user ordered within this many days are not "
          "recommended again; 0 = no such rule (env "
          "RECOMMENDER_RECENTLY_ORDERED_DAYS)");
ABSL_FLAG(std::string, tracking_ca_file, "",
          "reach the tracking service over TLS, trusting this CA (PEM); empty "
          "= plaintext (env TRACKING_CA_FILE)");
ABSL_FLAG(std::string, tracking_client_cert_file, "",
          "this recommender's client certificate for tracking's mutual TLS "
          "(env TRACKING_CLIENT_CERT_FILE)");
ABSL_FLAG(std::string, tracking_client_key_file, "",
          "its private key (env TRACKING_CLIENT_KEY_FILE)");
ABSL_FLAG(std::string, tracking_server_name, "",
          "the name to check tracking's certificate against when it is not "
          "the target's host (env TRACKING_SERVER_NAME)");
ABSL_FLAG(std::string, model_prompt, "original",
          "what the model is shown: \"original\" (the original prompt: the "
          "first 50 catalog products, answered by name) or \"hybrid\" (the "
          "builtin ranker's top 20 candidates with ids, answered by id) "
          "(env RECOMMENDER_MODEL_PROMPT)");
ABSL_FLAG(std::string, model_prompt_version, "v2",
          "prompt templates (prompts/*_<version>.txt): v1 is the original's "
          "text, v2 the same with the stable part (instructions, catalog or "
          "candidates) first and the shopper's data last, for OpenAI's "
          "prompt caching (env RECOMMENDER_MODEL_PROMPT_VERSION)");
ABSL_FLAG(std::string, openai_structured_output, "auto",
          "ask for structured output (response_format json_schema, strict): "
          "auto = when the model is known to support it, on, off; a server "
          "that rejects it is asked without from then on (env "
          "OPENAI_STRUCTURED_OUTPUT)");
ABSL_FLAG(bool, follow_events, true,
          "build the builtin ranker's model from the tracking service's "
          "history and keep it current from its Subscribe stream (env "
          "RECOMMENDER_FOLLOW_EVENTS)");
ABSL_FLAG(absl::Duration, model_window, absl::InfiniteDuration(),
          "the builtin model learns and keeps only events this recent (by "
          "event time; e.g. 4320h = 180 days), forgetting older ones as "
          "time moves; inf = the whole history (env "
          "RECOMMENDER_MODEL_WINDOW)");
ABSL_FLAG(bool, placement_model, false,
          "let the model reorder the product page's and the cart's builtin "
          "candidates (by id) for the answers anonymous visitors share, one "
          "call per page per --cache_ttl; off: placements cost no model "
          "call (env RECOMMENDER_PLACEMENT_MODEL)");
ABSL_FLAG(absl::Duration, placement_cache_ttl, absl::Minutes(10),
          "how long a builtin product page or cart answer is cached (env "
          "RECOMMENDER_PLACEMENT_CACHE_TTL)");
ABSL_FLAG(absl::Duration, trending_cache_ttl, absl::Minutes(5),
          "how long a trending answer is cached (env "
          "RECOMMENDER_TRENDING_CACHE_TTL)");
ABSL_FLAG(bool, session_model, false,
          "let anonymous sessions use the model (within "
          "--session_model_interval and --session_model_calls); off: "
          "sessions are ranked by the builtin ranker, no model call (env "
          "RECOMMENDER_SESSION_MODEL)");
ABSL_FLAG(absl::Duration, session_model_interval, absl::Minutes(10),
          "with --session_model: at most one model call per session this "
          "often (env RECOMMENDER_SESSION_MODEL_INTERVAL)");
ABSL_FLAG(int, session_model_calls, 3,
          "with --session_model: at most this many model calls per session "
          "(env RECOMMENDER_SESSION_MODEL_CALLS)");
ABSL_FLAG(int, max_computations, 16,
          "shared computations (model calls) running at once; a miss past "
          "it is answered by the builtin ranker at once (env "
          "RECOMMENDER_MAX_COMPUTATIONS)");
ABSL_FLAG(int, max_waiting_callers, 0,
          "callers waiting for shared computations at once; past it a miss "
          "takes what there is at once; 0 = half of --server_threads (env "
          "RECOMMENDER_MAX_WAITING_CALLERS)");
ABSL_FLAG(bool, served_log, true,
          "record every served answer in the tracking service "
          "(InsightsService.RecordServed, batched) for attribution and "
          "experiment reports (env RECOMMENDER_SERVED_LOG)");
ABSL_FLAG(int64_t, served_log_max_pending, 100'000,
          "served answers held while tracking cannot take them; past it "
          "new ones are dropped and counted (env "
          "RECOMMENDER_SERVED_LOG_MAX_PENDING)");
ABSL_FLAG(std::string, experiments_file, "",
          "A/B experiments to run: the text format of "
          "smartshop.v1.ExperimentsConfig (docs/experiments.md); empty = "
          "none (env RECOMMENDER_EXPERIMENTS_FILE)");
ABSL_FLAG(double, model_daily_budget_usd, 0,
          "most US dollars the model may cost per day (UTC), all replicas "
          "together (counted in Redis); past it the builtin ranker answers "
          "(\"model: budget reached\"); 0 = no cap (env "
          "RECOMMENDER_MODEL_DAILY_BUDGET_USD)");
ABSL_FLAG(int64_t, model_calls_per_minute, 0,
          "most model calls per minute, all replicas together; past it the "
          "builtin ranker answers; 0 = no cap (env "
          "RECOMMENDER_MODEL_CALLS_PER_MINUTE)");

namespace smartshop::recommender {
namespace {

// Input tokens held per call besides max_tokens of output: the original
// prompt (instructions, a summary, 50 products) is about 2 000; the hold
// is settled at the call's real cost afterwards.
constexpr int64_t kPromptTokensEstimate = 4000;

// The prices of the configured model and secondary model, which must be
// known: a model priced wrongly would make the spend and its cap wrong.
absl::Status LoadPrices(RecommenderConfig& c) {
  absl::StatusOr<ModelPrices> prices =
      WithPrices(ListPrices(), absl::GetFlag(FLAGS_openai_prices));
  if (!prices.ok()) return prices.status();
  c.openai.prices = *std::move(prices);
  for (const auto& [flag, model] :
       {std::pair<absl::string_view, absl::string_view>{"--openai_model",
                                                        c.model},
        {"--openai_fallback_model", c.fallback_model}}) {
    if (model.empty() || PricesFor(c.openai.prices, model).ok()) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        flag, "=", model, " has no known price: give it with --openai_prices=",
        model, "=input/cached_input/output (US dollars per million tokens)"));
  }
  return absl::OkStatus();
}

// The most a call can cost: the dearer of the two models.
double DearestCallCostUsd(const RecommenderConfig& c) {
  double worst = 0;
  for (absl::string_view model : {c.model, c.fallback_model}) {
    if (model.empty()) continue;
    const TokenPrices prices =
        PricesFor(c.openai.prices, model).value_or(TokenPrices{});
    worst = std::max(worst, WorstCaseCallCostUsd(PromptSettings{}.max_tokens,
                                                 kPromptTokensEstimate,
                                                 prices.input_per_million,
                                                 prices.output_per_million));
  }
  return worst;
}

absl::Status LoadModelBudget(double worst_call_usd,
                             ModelBudgetOptions& budget) {
  budget.daily_spend_cap_usd = absl::GetFlag(FLAGS_model_daily_budget_usd);
  if (!std::isfinite(budget.daily_spend_cap_usd) ||
      budget.daily_spend_cap_usd < 0 || budget.daily_spend_cap_usd > 1e6) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_daily_budget_usd must be 0 (no cap) to 1000000 US dollars, "
        "got ",
        budget.daily_spend_cap_usd));
  }
  budget.calls_per_minute_cap = absl::GetFlag(FLAGS_model_calls_per_minute);
  if (budget.calls_per_minute_cap < 0 ||
      budget.calls_per_minute_cap > 1'000'000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_calls_per_minute must be 0 (no cap) to 1000000, got ",
        budget.calls_per_minute_cap));
  }
  budget.reserve_per_call_usd = worst_call_usd;
  if (budget.daily_spend_cap_usd > 0 &&
      budget.daily_spend_cap_usd < budget.reserve_per_call_usd) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_daily_budget_usd=", budget.daily_spend_cap_usd,
        " is below the worst-case cost of one model call (",
        budget.reserve_per_call_usd, " US dollars): no call could be made"));
  }
  return ValidateModelBudgetOptions(budget);
}

absl::StatusOr<std::shared_ptr<const experiments::ExperimentSet>>
LoadExperiments(const std::string& path) {
  if (path.empty()) return std::make_shared<experiments::ExperimentSet>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--experiments_file: cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<smartshop::v1::ExperimentsConfig> config =
      experiments::ParseExperimentsConfig(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", config.status().message()));
  }
  absl::StatusOr<experiments::ExperimentSet> set =
      experiments::ExperimentSet::Create(*std::move(config));
  if (!set.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", set.status().message()));
  }
  return std::make_shared<const experiments::ExperimentSet>(*std::move(set));
}

std::string SecretFromEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

absl::Status Positive(absl::string_view flag, absl::Duration value) {
  if (value <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be positive"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecommenderConfig> LoadRecommenderConfig() {
  RecommenderConfig c;
  absl::StatusOr<ServerFlags> server = ReadServerFlags();
  if (!server.ok()) return server.status();
  c.listen_address = server->listen_address;
  c.admin_address = server->admin_address;
  c.tracking_target = absl::GetFlag(FLAGS_tracking_target);
  c.server_threads = absl::GetFlag(FLAGS_server_threads);
  c.drain_timeout = server->drain_timeout;
  c.catalog_refresh_interval = absl::GetFlag(FLAGS_catalog_refresh_interval);
  c.model = absl::GetFlag(FLAGS_openai_model);
  c.openai.api_key = SecretFromEnv("OPENAI_API_KEY");
  c.openai.base_url = absl::GetFlag(FLAGS_openai_base_url);
  c.openai.ca_file = absl::GetFlag(FLAGS_openai_ca_file);
  c.openai.request_timeout = absl::GetFlag(FLAGS_openai_timeout);
  c.redis.url = absl::GetFlag(FLAGS_redis_url);
  c.redis.password = SecretFromEnv("REDIS_PASSWORD");
  c.tracking_token = SecretFromEnv("TRACKING_TOKEN");
  c.engine.cache_prefix = absl::GetFlag(FLAGS_cache_prefix);
  c.engine.cache_ttl = absl::GetFlag(FLAGS_cache_ttl);
  c.engine.model_answer_reuse = absl::GetFlag(FLAGS_model_answer_reuse);
  c.engine.model_reply_ttl = absl::GetFlag(FLAGS_model_reply_ttl);
  c.engine.new_users_share_anonymous =
      absl::GetFlag(FLAGS_new_users_share_anonymous);
  c.engine.short_ttl = absl::GetFlag(FLAGS_error_cache_ttl);
  c.engine.tracking_timeout = absl::GetFlag(FLAGS_tracking_timeout);
  c.engine.model_timeout = c.openai.request_timeout;
  c.fallback_model = absl::GetFlag(FLAGS_openai_fallback_model);
  c.engine.fallback_model = c.fallback_model;
  c.engine.primary_timeout_share =
      absl::GetFlag(FLAGS_openai_primary_timeout_share);
  if (!(c.engine.primary_timeout_share > 0 &&
        c.engine.primary_timeout_share <= 1)) {
    return absl::InvalidArgumentError(
        "--openai_primary_timeout_share must be more than 0 and at most 1");
  }
  c.engine.model_route_max_history =
      absl::GetFlag(FLAGS_model_route_max_history);
  if (c.engine.model_route_max_history < 0 ||
      c.engine.model_route_max_history >= kOwnWindowSize) {
    // 50 or more would route nobody: no more than 50 events are read.
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_route_max_history must be 0 (off) to ", kOwnWindowSize - 1));
  }
  c.engine.builtin_ttl = absl::GetFlag(FLAGS_builtin_cache_ttl);
  c.engine.session_ttl = absl::GetFlag(FLAGS_session_cache_ttl);
  c.engine.placement_ttl = absl::GetFlag(FLAGS_placement_cache_ttl);
  c.engine.trending_ttl = absl::GetFlag(FLAGS_trending_cache_ttl);
  c.engine.placement_model = absl::GetFlag(FLAGS_placement_model);
  c.engine.local_cache.ttl = absl::GetFlag(FLAGS_local_cache_ttl);
  if (c.engine.local_cache.ttl < absl::ZeroDuration() ||
      c.engine.local_cache.ttl > absl::Seconds(60)) {
    return absl::InvalidArgumentError("--local_cache_ttl must be 0 to 60s");
  }
  const int local_cache_mb = absl::GetFlag(FLAGS_local_cache_mb);
  if (local_cache_mb < 1 || local_cache_mb > 65'536) {
    return absl::InvalidArgumentError("--local_cache_mb must be 1 to 65536");
  }
  c.engine.local_cache.max_bytes = int64_t{local_cache_mb} << 20;
  const int recently_ordered_days = absl::GetFlag(FLAGS_recently_ordered_days);
  if (recently_ordered_days < 0 || recently_ordered_days > 3650) {
    return absl::InvalidArgumentError(
        "--recently_ordered_days must be 0 to 3650");
  }
  c.engine.recently_ordered = absl::Hours(24) * recently_ordered_days;
  c.engine.session_model = absl::GetFlag(FLAGS_session_model);
  c.engine.session_model_budget.min_interval =
      absl::GetFlag(FLAGS_session_model_interval);
  c.engine.session_model_budget.max_calls =
      absl::GetFlag(FLAGS_session_model_calls);
  if (c.engine.session_model_budget.max_calls < 1 ||
      c.engine.session_model_budget.max_calls > 1000) {
    return absl::InvalidArgumentError(
        "--session_model_calls must be 1 to 1000");
  }
  if (c.engine.session_model_budget.min_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--session_model_interval must not be negative");
  }
  c.engine.max_computations = absl::GetFlag(FLAGS_max_computations);
  if (c.engine.max_computations < 1 || c.engine.max_computations > 1000) {
    return absl::InvalidArgumentError("--max_computations must be 1 to 1000");
  }
  c.follow_events = absl::GetFlag(FLAGS_follow_events);
  c.model_window = absl::GetFlag(FLAGS_model_window);
  if (c.model_window < absl::Hours(1)) {
    return absl::InvalidArgumentError(
        "--model_window must be at least 1h (or inf: the whole history)");
  }
  c.tls = server->tls;
  c.tracking_tls = {.ca_file = absl::GetFlag(FLAGS_tracking_ca_file),
                    .cert_file = absl::GetFlag(FLAGS_tracking_client_cert_file),
                    .key_file = absl::GetFlag(FLAGS_tracking_client_key_file),
                    .server_name = absl::GetFlag(FLAGS_tracking_server_name)};
  const std::string model_prompt = absl::GetFlag(FLAGS_model_prompt);
  if (model_prompt != "original" && model_prompt != "hybrid") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_prompt=", model_prompt, " must be original or hybrid"));
  }
  c.engine.hybrid_prompt = model_prompt == "hybrid";
  c.prompt_version = absl::GetFlag(FLAGS_model_prompt_version);
  absl::StatusOr<StructuredOutput> structured =
      ParseStructuredOutput(absl::GetFlag(FLAGS_openai_structured_output),
                            "--openai_structured_output");
  if (!structured.ok()) return structured.status();
  c.structured_output = *structured;
  if (c.engine.placement_model && !c.follow_events) {
    return absl::InvalidArgumentError(
        "--placement_model needs --follow_events (the builtin model)");
  }
  if (c.engine.hybrid_prompt && !c.follow_events) {
    return absl::InvalidArgumentError(
        "--model_prompt=hybrid needs --follow_events (the builtin model)");
  }

  for (const auto& [name, value] :
       {std::pair<absl::string_view, const std::string*>{"listen",
                                                         &c.listen_address},
        {"tracking_target", &c.tracking_target}}) {
    if (value->find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, "=", *value, " is not host:port"));
    }
  }
  if (c.server_threads < 4 || c.server_threads > 10'000) {
    return absl::InvalidArgumentError("--server_threads must be 4 to 10000");
  }
  c.engine.max_waiting_callers = absl::GetFlag(FLAGS_max_waiting_callers);
  if (c.engine.max_waiting_callers == 0) {
    c.engine.max_waiting_callers = c.server_threads / 2;
  }
  if (c.engine.max_waiting_callers < 1 ||
      c.engine.max_waiting_callers >= c.server_threads) {
    return absl::InvalidArgumentError(
        "--max_waiting_callers must be 1 to --server_threads - 1 (cache "
        "hits need threads too)");
  }
  c.served_log = absl::GetFlag(FLAGS_served_log);
  c.served_log_options.max_pending =
      absl::GetFlag(FLAGS_served_log_max_pending);
  if (c.served_log_options.max_pending < 1'000 ||
      c.served_log_options.max_pending > 10'000'000) {
    return absl::InvalidArgumentError(
        "--served_log_max_pending must be 1000 to 10000000");
  }
  if (auto loaded = LoadExperiments(absl::GetFlag(FLAGS_experiments_file));
      loaded.ok()) {
    c.experiments = *std::move(loaded);
  } else {
    return loaded.status();
  }
  if (c.engine.cache_prefix.empty()) {
    return absl::InvalidArgumentError("--cache_prefix must not be empty");
  }
  if (c.model.empty()) {
    return absl::InvalidArgumentError("--openai_model must not be empty");
  }
  if (c.fallback_model == c.model) {
    return absl::InvalidArgumentError(
        "--openai_fallback_model must differ from --openai_model");
  }
  for (const absl::Status& s :
       {Positive("cache_ttl", c.engine.cache_ttl),
        Positive("model_reply_ttl", c.engine.model_reply_ttl),
        Positive("error_cache_ttl", c.engine.short_ttl),
        Positive("builtin_cache_ttl", c.engine.builtin_ttl),
        Positive("session_cache_ttl", c.engine.session_ttl),
        Positive("placement_cache_ttl", c.engine.placement_ttl),
        Positive("trending_cache_ttl", c.engine.trending_ttl),
        Positive("tracking_timeout", c.engine.tracking_timeout),
        Positive("openai_timeout", c.openai.request_timeout),
        Positive("catalog_refresh_interval", c.catalog_refresh_interval),
        ValidateRedisCacheOptions(c.redis), ValidateOpenAiOptions(c.openai)}) {
    if (!s.ok()) return s;
  }
  if (absl::Status prices = LoadPrices(c); !prices.ok()) return prices;
  if (absl::Status budget =
          LoadModelBudget(DearestCallCostUsd(c), c.model_budget);
      !budget.ok()) {
    return budget;
  }
  if (absl::StatusOr<std::shared_ptr<const CallerAuth>> auth =
          server->LoadAuth();
      auth.ok()) {
    c.auth = *std::move(auth);
  } else {
    return auth.status();
  }
  if (!IsBearerTokenText(c.tracking_token)) {
    return absl::InvalidArgumentError(
        "TRACKING_TOKEN must be visible ASCII (no spaces or newlines)");
  }
  return c;
}

}  // namespace smartshop::recommender
