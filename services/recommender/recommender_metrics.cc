#include "services/recommender/recommender_metrics.h"

#include <algorithm>

namespace smartshop::recommender {

RecommenderMetrics::RecommenderMetrics(prometheus::Registry& registry)
    : cache_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_cache_requests_total")
              .Help("Cache lookups by result (hit from Redis, local_hit from "
                    "memory, miss, error).")
              .Register(registry)),
      model_calls_(prometheus::BuildCounter()
                       .Name("smartshop_recommender_model_calls_total")
                       .Help("Model calls by outcome.")
                       .Register(registry)),
      model_latency_(
          prometheus::BuildHistogram()
              .Name("smartshop_recommender_model_latency_seconds")
              .Help("Time of a model call, whatever its outcome.")
              .Register(registry)
              .Add({},
                   prometheus::Histogram::BucketBoundaries{
                       0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30})),
      tokens_(prometheus::BuildCounter()
                  .Name("smartshop_recommender_model_tokens_total")
                  .Help("Tokens the model reported using, by kind: "
                        "cached_input (prompt tokens from OpenAI's prompt "
                        "cache), input (the rest of the prompt), output.")
                  .Register(registry)),
      cost_(prometheus::BuildCounter()
                .Name("smartshop_recommender_model_cost_usd_total")
                .Help("Estimated model cost in US dollars.")
                .Register(registry)
                .Add({})),
      replies_reused_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_model_replies_reused_total")
              .Help("Model answers made again from the stored reply to the "
                    "same request (model_reply_store.h): calls not made.")
              .Register(registry)
              .Add({})),
      fallbacks_(prometheus::BuildCounter()
                     .Name("smartshop_recommender_fallbacks_total")
                     .Help("Answers that fell back to top sellers, by reason.")
                     .Register(registry)),
      catalog_products_(prometheus::BuildGauge()
                            .Name("smartshop_recommender_catalog_products")
                            .Help("Products in the catalog snapshot.")
                            .Register(registry)
                            .Add({})),
      invalidations_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_event_invalidations_total")
              .Help("Cached answers dropped because of a new "
                    "event, by result (ok, error).")
              .Register(registry)),
      served_log_(prometheus::BuildCounter()
                      .Name("smartshop_recommender_served_log_total")
                      .Help("Served answers in the log sent to tracking, by "
                            "outcome (recorded, sent, dropped, rejected, "
                            "send_failed).")
                      .Register(registry)),
      served_log_pending_(Gauge(registry,
                                "smartshop_recommender_served_log_pending",
                                "Served answers waiting to be sent.")),
      assignments_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_experiment_assignments_total")
              .Help("Answers served in an experiment, by experiment "
                    "and variant (holdout included).")
              .Register(registry)),
      model_bytes_(Gauge(registry, "smartshop_recommender_builtin_model_bytes",
                         "Memory held by the builtin ranker's model "
                         "(estimated from its containers).")),
      model_events_(Gauge(registry,
                          "smartshop_recommender_builtin_model_events",
                          "Events the builtin ranker's model has learnt.")),
      model_products_(Gauge(registry,
                            "smartshop_recommender_builtin_model_products",
                            "Products the builtin ranker's model knows.")),
      feed_position_(Gauge(registry, "smartshop_recommender_feed_position",
                           "Largest event sequence the recommender "
                           "has learnt.")),
      feed_connected_(Gauge(registry, "smartshop_recommender_feed_connected",
                            "1 while the event subscription is open.")),
      model_caught_up_(Gauge(registry,
                             "smartshop_recommender_builtin_model_caught_up",
                             "1 once the history has been replayed into "
                             "the model.")),
      warming_(Gauge(registry, "smartshop_recommender_warming",
                     "1 while the replica replays the event log and has not "
                     "caught up: not ready, answers from top sellers and "
                     "what the model has learnt so far.")),
      replayed_events_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_feed_replayed_events_total")
              .Help("Events received while replaying the log at start-up.")
              .Register(registry)
              .Add({})),
      redis_breaker_open_(
          Gauge(registry, "smartshop_recommender_redis_breaker_open",
                "1 while Redis calls are paused after repeated timeouts.")),
      redis_short_circuited_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_redis_short_circuited_total")
              .Help("Redis calls refused at once while paused after "
                    "repeated timeouts.")
              .Register(registry)
              .Add({})),
      model_spend_today_(
          Gauge(registry, "smartshop_recommender_model_spend_today_usd",
                "Estimated model spend today (UTC), reservations of calls "
                "in flight included: all replicas' as Redis counts it, or "
                "this replica's estimate while Redis is out.")),
      model_daily_budget_(
          Gauge(registry, "smartshop_recommender_model_daily_budget_usd",
                "The daily model spend cap in US dollars; 0 = none.")),
      model_calls_per_minute_cap_(
          Gauge(registry, "smartshop_recommender_model_calls_per_minute_cap",
                "The cap on model calls per minute (all replicas); 0 = none.")),
      model_budget_refusals_(
          prometheus::BuildCounter()
              .Name("smartshop_recommender_model_budget_refusals_total")
              .Help("Model calls not made because a budget cap was reached, "
                    "by cap (daily_spend, calls_per_minute).")
              .Register(registry)),
      routing_(prometheus::BuildCounter()
                   .Name("smartshop_recommender_model_routing_total")
                   .Help("Home page requests routed by the shopper's history "
                         "length: to the model, or past it to the builtin "
                         "ranker (--model_route_max_history).")
                   .Register(registry)) {}

void RecommenderMetrics::ModelRoute(absl::string_view route) {
  routing_.Add({{"route", std::string(route)}}).Increment();
}

prometheus::Gauge& RecommenderMetrics::Gauge(prometheus::Registry& registry,
                                             const std::string& name,
                                             const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(
      {});
}

void RecommenderMetrics::ServedLog(absl::string_view outcome, int64_t records) {
  served_log_.Add({{"outcome", std::string(outcome)}})
      .Increment(static_cast<double>(records));
}

void RecommenderMetrics::SetServedLogPending(int64_t pending) {
  served_log_pending_.Set(static_cast<double>(pending));
}

void RecommenderMetrics::ExperimentAssignment(absl::string_view experiment,
                                              absl::string_view variant) {
  assignments_
      .Add({{"experiment", std::string(experiment)},
            {"variant", std::string(variant)}})
      .Increment();
}

void RecommenderMetrics::Invalidation(absl::string_view result) {
  invalidations_.Add({{"result", std::string(result)}}).Increment();
}

void RecommenderMetrics::SetModel(const ModelState& state) {
  model_bytes_.Set(static_cast<double>(state.bytes));
  model_events_.Set(static_cast<double>(state.events));
  model_products_.Set(static_cast<double>(state.products));
  feed_position_.Set(static_cast<double>(state.feed_position));
  feed_connected_.Set(state.feed_connected ? 1 : 0);
  model_caught_up_.Set(state.caught_up ? 1 : 0);
  warming_.Set(state.warming ? 1 : 0);
  const int64_t seen = replayed_events_seen_.exchange(
      state.replayed_events, std::memory_order_relaxed);
  if (state.replayed_events > seen) {
    replayed_events_.Increment(
        static_cast<double>(state.replayed_events - seen));
  }
}

void RecommenderMetrics::SetRedisBreaker(bool open,
                                         int64_t short_circuited_total) {
  redis_breaker_open_.Set(open ? 1 : 0);
  const int64_t seen = redis_short_circuited_seen_.exchange(
      short_circuited_total, std::memory_order_relaxed);
  if (short_circuited_total > seen) {
    redis_short_circuited_.Increment(
        static_cast<double>(short_circuited_total - seen));
  }
}

void RecommenderMetrics::SetModelBudget(double daily_cap_usd,
                                        int64_t calls_per_minute_cap) {
  model_daily_budget_.Set(daily_cap_usd);
  model_calls_per_minute_cap_.Set(static_cast<double>(calls_per_minute_cap));
  // Both series from the start (at 0), so that rate() sees the first one.
  for (const char* cap : {"daily_spend", "calls_per_minute"}) {
    model_budget_refusals_.Add({{"cap", cap}});
  }
}

void RecommenderMetrics::SetModelSpendToday(double usd) {
  model_spend_today_.Set(usd);
}

void RecommenderMetrics::ModelBudgetRefused(absl::string_view cap) {
  model_budget_refusals_.Add({{"cap", std::string(cap)}}).Increment();
}

void RecommenderMetrics::CacheResult(absl::string_view result) {
  cache_.Add({{"result", std::string(result)}}).Increment();
}

void RecommenderMetrics::ModelCall(absl::string_view outcome,
                                   absl::Duration latency) {
  model_calls_.Add({{"outcome", std::string(outcome)}}).Increment();
  model_latency_.Observe(absl::ToDoubleSeconds(latency));
}

void RecommenderMetrics::ModelUsage(int64_t prompt_tokens,
                                    int64_t cached_prompt_tokens,
                                    int64_t completion_tokens,
                                    double cost_usd) {
  // Each token counted once, by the price it is charged at.
  const int64_t cached = std::clamp<int64_t>(
      cached_prompt_tokens, 0, std::max<int64_t>(0, prompt_tokens));
  tokens_.Add({{"kind", "cached_input"}})
      .Increment(static_cast<double>(cached));
  tokens_.Add({{"kind", "input"}})
      .Increment(
          static_cast<double>(std::max<int64_t>(0, prompt_tokens) - cached));
  tokens_.Add({{"kind", "output"}})
      .Increment(static_cast<double>(std::max<int64_t>(0, completion_tokens)));
  cost_.Increment(cost_usd);
}

void RecommenderMetrics::ModelReplyReused() { replies_reused_.Increment(); }

void RecommenderMetrics::Fallback(absl::string_view reason) {
  fallbacks_.Add({{"reason", std::string(reason)}}).Increment();
}

void RecommenderMetrics::SetCatalogProducts(int64_t products) {
  catalog_products_.Set(static_cast<double>(products));
}

}  // namespace smartshop::recommender
