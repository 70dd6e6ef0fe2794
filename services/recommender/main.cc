// The recommender service: wiring only. See recommender_config.h.
#include <cstdlib>
#include <optional>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/admin_http_server.h"
#include "common/clock.h"
#include "common/grpc_server.h"
#include "common/health_monitor.h"
#include "common/json_log.h"
#include "common/tls_files.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/cache/redis_model_reply_store.h"
#include "services/recommender/cache/redis_pool.h"
#include "services/recommender/cache/redis_recommendation_cache.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/dashboard/dashboard_page.h"
#include "services/recommender/dashboard/insights_dashboard_source.h"
#include "services/recommender/event_feed.h"
#include "services/recommender/experiment_service.h"
#include "services/recommender/insights_client.h"
#include "services/recommender/model/model_budget.h"
#include "services/recommender/openai/openai_client.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "services/recommender/recommender_config.h"
#include "services/recommender/recommender_metrics.h"
#include "services/recommender/recommender_service.h"
#include "services/recommender/replica_readiness.h"
#include "services/recommender/tracking_reader.h"

namespace smartshop::recommender {
namespace {

int Fail(absl::string_view event, const absl::Status& status) {
  Log(LogLevel::kError, event, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

int Run(const RecommenderConfig& config) {
  auto cache = RedisRecommendationCache::Create(config.redis);
  if (!cache.ok()) return Fail("bad_config", cache.status());
  std::unique_ptr<OpenAiClient> openai;
  if (!config.openai.api_key.empty()) {
    auto client = OpenAiClient::Create(config.openai);
    if (!client.ok()) return Fail("bad_config", client.status());
    openai = std::move(*client);
  }
  PromptSettings prompt_settings;
  prompt_settings.model = config.model;
  prompt_settings.version = config.prompt_version;
  prompt_settings.structured_output = config.structured_output;
  auto prompt = PromptBuilder::Create(prompt_settings);
  if (!prompt.ok()) return Fail("bad_config", prompt.status());

  auto channel = MakeChannel(config.tracking_target, config.tracking_tls,
                             TrackingChannelArguments(), config.tracking_token);
  if (!channel.ok()) return Fail("bad_config", channel.status());
  std::shared_ptr<grpc::Channel> tracking_channel = *std::move(channel);
  GrpcTrackingReader tracking(tracking_channel);
  CatalogRefresher catalog(&tracking, config.catalog_refresh_interval,
                           config.engine.tracking_timeout * 5);
  catalog.Start();
  auto registry = std::make_shared<prometheus::Registry>();
  RecommenderMetrics metrics(*registry);
  // The model's budget: counted in the cache's Redis (its own few
  // connections), shared by every model ranker below.
  std::optional<RedisPool> budget_redis;
  std::optional<ModelBudget> budget;
  EngineOptions engine_options = config.engine;
  if (openai != nullptr) {
    RedisCacheOptions budget_redis_options = config.redis;
    budget_redis_options.pool_size = 4;
    absl::StatusOr<RedisAddress> address = ParseRedisUrl(config.redis.url);
    if (!address.ok()) return Fail("bad_config", address.status());
    budget_redis.emplace(*std::move(address), budget_redis_options);
    budget.emplace(config.model_budget, &*budget_redis, Clock::Real(),
                   &metrics);
    engine_options.model_budget = &*budget;
  }
  InteractionModel model({.history_window = config.model_window});
  // The model's replies, kept by request in the cache's Redis.
  RedisModelReplyStore replies(cache->get());
  engine_options.model_replies = &replies;
  // Without the event feed there is no builtin model to rank with.
  InteractionModel* const builtin = config.follow_events ? &model : nullptr;
  RecommendationEngine engine(
      &tracking, &catalog, cache->get(),
      MakeRankerChain(openai.get(), *prompt, engine_options, builtin, &metrics),
      engine_options, Clock::Real(), &metrics, builtin,
      MakePlacementChains(openai.get(), *prompt, engine_options, builtin,
                          &metrics));
  engine.set_builtin_ready(!config.follow_events);
  if (!config.experiments->config().experiments().empty()) {
    engine.set_experiments(config.experiments,
                           MakeVariantChains(openai.get(), *prompt,
                                             engine_options, builtin, &metrics),
                           MakePlacementChains(nullptr, *prompt, engine_options,
                                               builtin, &metrics));
  }
  GrpcInsightsClient insights(tracking_channel);
  ExperimentServiceImpl experiment_service(config.experiments, &insights,
                                           absl::Seconds(30), config.auth);
  GrpcServedSink served_sink(tracking_channel);
  std::optional<ServedLog> served_log;
  if (config.served_log) {
    served_log.emplace(&served_sink, config.served_log_options,
                       [&metrics](const char* outcome, int64_t n) {
                         metrics.ServedLog(outcome, n);
                       });
    engine.set_served_log(&*served_log);
  }
  // Learns the history, then every new event; drops stale cached answers.
  EventFeed feed(tracking_channel, &model,
                 [&engine](const smartshop::v1::Interaction& event) {
                   engine.OnLiveEvent(event);
                 },
                 {.on_caught_up = [&engine] { engine.set_builtin_ready(true); },
                  .model_window = config.model_window});
  if (config.follow_events) feed.Start();
  RecommenderServiceImpl service(&engine, absl::Seconds(30), config.auth,
                                 config.server_threads);
  auto started = StartGrpcServer({.listen_address = config.listen_address,
                                  .max_threads = config.server_threads,
                                  .registry = registry,
                                  .tls = config.tls},
                                 {&service, &experiment_service});
  if (!started.ok()) return Fail("listen_failed", started.status());
  // Warming (replaying the log) is not ready: answers would come from a
  // partial model, so traffic should go to replicas that have caught up.
  const EventFeed* followed = config.follow_events ? &feed : nullptr;
  auto readiness = [&]() -> absl::Status {
    return ReplicaReadiness(catalog.Current() != nullptr, followed);
  };
  // The dashboard: its page for anyone (it holds no data), its data for
  // callers with the read scope (the same tokens as the gRPC port's).
  InsightsDashboardSource dashboard(
      &insights, config.experiments, [&catalog]() -> int64_t {
        auto snapshot = catalog.Current();
        return snapshot ? static_cast<int64_t>(snapshot->active_by_id().size())
                        : 0;
      });
  auto admin = AdminHttpServer::Start(
      {.listen_address = config.admin_address,
       .registry = registry,
       .before_scrape =
           [&] {
             auto snapshot = catalog.Current();
             metrics.SetCatalogProducts(
                 snapshot ? static_cast<int64_t>(snapshot->size()) : 0);
             metrics.SetModel({.bytes = model.ApproximateBytes(),
                               .events = model.events_observed(),
                               .products = model.products(),
                               .feed_position = feed.last_sequence(),
                               .feed_connected = feed.connected(),
                               .caught_up = feed.caught_up(),
                               .warming = Warming(followed),
                               .replayed_events = feed.replayed_events()});
             metrics.SetServedLogPending(served_log ? served_log->pending()
                                                    : 0);
             metrics.SetRedisBreaker((*cache)->breaker_open(),
                                     (*cache)->stats().short_circuited);
             // Other replicas' spend and a new day show up here too.
             if (budget) {
               budget->SpendTodayUsd(absl::Now() + absl::Milliseconds(50));
             }
           },
       .readiness = readiness,
       // Reports take seconds at shop scale (README, "Scale"): the page
       // waits up to 30 s for a range it has not computed this period.
       .routes = DashboardRoutes(
           &dashboard,
           [auth = config.auth](absl::string_view a) {
             return auth->Authorize(a, Scope::kRead).ok();
           },
           absl::Seconds(30))});
  if (!admin.ok()) return Fail("listen_failed", admin.status());
  {
    HealthMonitor health(started->server->GetHealthCheckService(),
                         {"smartshop.v1.RecommenderService"}, readiness,
                         absl::Seconds(1));
    Log(LogLevel::kInfo, "started",
        {{"service", "recommender"},
         {"port", int64_t{started->port}},
         {"listen", config.listen_address},
         {"admin_port", int64_t{(*admin)->port()}},
         {"tracking", config.tracking_target},
         {"redis", (*cache)->address()},
         {"ranker", openai ? absl::string_view("model, builtin on failure")
                           : absl::string_view("builtin (no OPENAI_API_KEY)")},
         {"model",
          openai ? absl::string_view(config.model) : absl::string_view("none")},
         {"fallback_model", openai && !config.fallback_model.empty()
                                ? absl::string_view(config.fallback_model)
                                : absl::string_view("none")},
         {"model_route_max_history",
          int64_t{config.engine.model_route_max_history}},
         {"follow_events", config.follow_events},
         {"model_window_h", config.model_window == absl::InfiniteDuration()
                                ? int64_t{-1}
                                : absl::ToInt64Hours(config.model_window)},
         {"model_prompt", config.engine.hybrid_prompt ? "hybrid" : "original"},
         {"model_prompt_version", config.prompt_version},
         {"structured_output", prompt->structured()},
         {"openai_base_url", config.openai.base_url},
         {"model_daily_budget_usd", config.model_budget.daily_spend_cap_usd},
         {"model_calls_per_minute", config.model_budget.calls_per_minute_cap},
         {"cache_ttl_s", absl::ToInt64Seconds(config.engine.cache_ttl)},
         {"model_answer_reuse", config.engine.model_answer_reuse},
         {"error_cache_ttl_s", absl::ToInt64Seconds(config.engine.short_ttl)},
         {"auth_callers", int64_t{config.auth->caller_count()}}});
    if (!config.auth->enabled()) {
      Log(LogLevel::kWarning, "authentication_off",
          {{"why", "--insecure_no_auth: every caller may read and write"}});
    }
    const int signal_number = WaitForTerminationSignal();
    Log(LogLevel::kInfo, "draining", {{"signal", int64_t{signal_number}}});
    DrainAndStop(*started->server, config.drain_timeout);
  }
  Log(LogLevel::kInfo, "stopped", {{"service", "recommender"}});
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::recommender

int main(int argc, char** argv) {
  using namespace smartshop;
  BlockTerminationSignals();
  // As tracking does (its main.cc): no Mutex deadlock detection here.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "SmartShop recommender: eight products for a user or an anonymous "
      "visitor, over gRPC.");
  if (absl::Status env =
          ApplyEnvironmentToFlags(recommender::kRecommenderFlagEnv);
      !env.ok()) {
    return recommender::Fail("bad_config", env);
  }
  absl::ParseCommandLine(argc, argv);
  auto config = recommender::LoadRecommenderConfig();
  if (!config.ok()) return recommender::Fail("bad_config", config.status());
  return recommender::Run(*config);
}
