#include "services/recommender/recommendation_engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/product_matcher.h"
#include "services/recommender/response_parser.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Recommendations;

constexpr size_t kMaxIdBytes = 128;
constexpr char kAnonymous[] = "anonymous";
constexpr int kMaxExcluded = 100;
// Answers are computed and cached with this many items, so that a request
// excluding some of them (what is on the page, in the cart) still gets 8
// without a recomputation.
constexpr int kComputedItems = 16;

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t micros = absl::ToUnixMicros(t);
  ts->set_seconds(micros / 1'000'000);
  ts->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

absl::Status Validate(const GetRecommendationsRequest& r) {
  if (r.user_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("user_id: longer than 128 bytes");
  }
  if (r.user_id() == kAnonymous) {
    // Its cache key would be the one all anonymous visitors share.
    return absl::InvalidArgumentError(
        "user_id: \"anonymous\" is reserved for the anonymous cache key");
  }
  if (r.session_key().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("session_key: longer than 128 bytes");
  }
  if (r.limit() < 0 || r.limit() > kRecommendationCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be 0 (= 8) to ", kRecommendationCount));
  }
  if (r.category_id() < 0) {
    return absl::InvalidArgumentError("category_id: must not be negative");
  }
  if (r.exclude_product_ids_size() > kMaxExcluded) {
    return absl::InvalidArgumentError(
        absl::StrCat("exclude_product_ids: at most ", kMaxExcluded, " ids"));
  }
  for (int64_t id : r.exclude_product_ids()) {
    if (id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("exclude_product_ids: ", id, " is not a product id"));
    }
  }
  return absl::OkStatus();
}

Shopper ShopperOf(const GetRecommendationsRequest& r) {
  return {r.user_id(), r.user_id().empty() ? r.session_key() : ""};
}

// Drops excluded products and cuts to the limit; tops up from `catalog`'s
// top sellers (gap fill) when exclusions left too few.
void Finish(const GetRecommendationsRequest& request,
            const CatalogSnapshot* catalog, Recommendations& answer) {
  const int keep =
      request.limit() == 0 ? kRecommendationCount : request.limit();
  if (request.exclude_product_ids_size() > 0) {
    const absl::flat_hash_set<int64_t> excluded(
        request.exclude_product_ids().begin(),
        request.exclude_product_ids().end());
    auto* items = answer.mutable_items();
    items->erase(std::remove_if(items->begin(), items->end(),
                                [&](const auto& item) {
                                  return excluded.contains(item.product().id());
                                }),
                 items->end());
    if (answer.items_size() < keep && catalog != nullptr) {
      FillWithTopSellers(*catalog, keep, kGapFillScore, smartshop::v1::GAP_FILL,
                         answer, excluded, request.category_id());
    }
  }
  while (answer.items_size() > keep) answer.mutable_items()->RemoveLast();
}

}  // namespace

RecommendationEngine::RecommendationEngine(
    TrackingReader* tracking, CatalogRefresher* catalog, LlmClient* llm,
    RecommendationCache* cache, PromptBuilder prompt, EngineOptions options,
    Clock clock, RecommenderMetrics* metrics, InteractionModel* model)
    : tracking_(tracking),
      catalog_(catalog),
      cache_(cache),
      options_(std::move(options)),
      clock_(std::move(clock)),
      metrics_(metrics),
      model_(model) {
  if (llm != nullptr) {
    model_ranker_ = std::make_unique<ModelRanker>(
        llm, std::move(prompt),
        ModelRankerOptions{.model_timeout = options_.model_timeout,
                           .reply_margin = options_.reply_margin,
                           .hybrid_prompt = options_.hybrid_prompt,
                           .hybrid_candidates = options_.hybrid_candidates,
                           .builtin = options_.ranker,
                           .breaker = options_.model_breaker},
        model, metrics);
  }
  if (model != nullptr) {
    builtin_ranker_ = std::make_unique<BuiltinRanker>(model, options_.ranker);
  }
}

void RecommendationEngine::CountCache(absl::string_view result) {
  if (metrics_ != nullptr) metrics_->CacheResult(result);
  absl::MutexLock lock(&stats_mu_);
  if (result == "hit") {
    ++stats_.cache_hits;
  } else if (result == "miss") {
    ++stats_.cache_misses;
  } else {
    ++stats_.cache_errors;
  }
}

std::string RecommendationEngine::CacheKey(const std::string& user_id) const {
  return absl::StrCat(options_.cache_prefix,
                      user_id.empty() ? kAnonymous : user_id);
}

std::string RecommendationEngine::CacheKey(const Shopper& shopper) const {
  if (shopper.user_id.empty() && !shopper.session_key.empty()) {
    return absl::StrCat(options_.session_cache_prefix, shopper.session_key);
  }
  return CacheKey(shopper.user_id);
}

void RecommendationEngine::OnLiveEvent(
    const smartshop::v1::Interaction& event) {
  std::string key;
  if (!event.user_id().empty()) {
    const auto type = event.type();
    if (type != smartshop::v1::ORDER_PLACED &&
        type != smartshop::v1::ADD_TO_CART &&
        type != smartshop::v1::REMOVE_FROM_CART) {
      return;
    }
    key = CacheKey(event.user_id());
  } else if (!event.session_key().empty()) {
    key = CacheKey(Shopper{"", event.session_key()});
  } else {
    return;
  }
  auto deleted = DropKey(key, absl::Now() + options_.cache_timeout);
  if (metrics_ != nullptr) {
    metrics_->Invalidation(deleted.ok() ? "ok" : "error");
  }
}

absl::StatusOr<int64_t> RecommendationEngine::DropKey(const std::string& key,
                                                      absl::Time deadline) {
  {
    absl::MutexLock lock(&invalidated_mu_);
    const absl::Time now = absl::Now();
    if (invalidated_.size() >= 10'000) {
      absl::erase_if(invalidated_, [&](const auto& entry) {
        return entry.second < now - absl::Minutes(1);
      });
    }
    invalidated_[key] = now;
  }
  return cache_->Delete(key, deadline);
}

bool RecommendationEngine::InvalidatedSince(const std::string& key,
                                            absl::Time since) {
  absl::MutexLock lock(&invalidated_mu_);
  auto it = invalidated_.find(key);
  return it != invalidated_.end() && it->second >= since;
}

EngineStats RecommendationEngine::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

absl::StatusOr<Recommendations> RecommendationEngine::Get(
    const GetRecommendationsRequest& request, absl::Time deadline) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  // Category pages are ranked afresh each time (by the builtin ranker when
  // there is one): cheap, and no entry per category to invalidate.
  const bool cacheable = request.category_id() == 0;
  const std::string key = CacheKey(ShopperOf(request));

  if (cacheable) {
    auto cached = cache_->Get(
        key, std::min(deadline, absl::Now() + options_.cache_timeout));
    if (cached.ok() && cached->has_value()) {
      Recommendations answer = std::move(**cached);
      answer.set_cache_hit(true);
      CountCache("hit");
      std::shared_ptr<const CatalogSnapshot> catalog;
      if (request.exclude_product_ids_size() > 0) catalog = catalog_->Current();
      Finish(request, catalog.get(), answer);
      return answer;
    }
    CountCache(cached.ok() ? "miss" : "error");
  }

  std::shared_ptr<const CatalogSnapshot> catalog = catalog_->Current();
  if (catalog == nullptr) {
    (void)catalog_->Refresh();
    catalog = catalog_->Current();
    if (catalog == nullptr) {
      return absl::UnavailableError(
          "no catalog yet: the tracking service has not been reachable since "
          "start-up");
    }
  }
  if (!cacheable) {
    Recommendations answer = Compute(request, *catalog, deadline).answer;
    Finish(request, catalog.get(), answer);
    return answer;
  }

  // Concurrent misses for one key (above all the shared anonymous key)
  // compute once; the others wait for that answer. The shared computation
  // ignores the caller's exclusions, which are applied to its copy after.
  GetRecommendationsRequest shared_request = request;
  shared_request.clear_exclude_product_ids();
  absl::StatusOr<Recommendations> shared =
      singleflight_.Do(key, deadline, [&]() -> absl::StatusOr<Recommendations> {
        const absl::Time started = absl::Now();
        Computed computed = Compute(shared_request, *catalog, deadline);
        // An empty catalog gives an empty answer: not worth keeping, the
        // first products may arrive any moment. Nor is one whose key was
        // invalidated meanwhile (an order during the model call): it was
        // computed from data read before that event.
        if (computed.answer.items().empty() || InvalidatedSince(key, started)) {
          return computed.answer;
        }
        absl::Status stored = cache_->Set(key, computed.answer, computed.ttl,
                                          absl::Now() + options_.cache_timeout);
        if (!stored.ok()) CountCache("error");
        return computed.answer;
      });
  Recommendations answer =
      shared.ok() ? *std::move(shared)
                  : Fallback(*catalog, "waited too long for a shared answer",
                             "shared_answer_timeout");
  Finish(request, catalog.get(), answer);
  return answer;
}

RecommendationEngine::Computed RecommendationEngine::Compute(
    const GetRecommendationsRequest& request, const CatalogSnapshot& catalog,
    absl::Time deadline) {
  const Shopper shopper = ShopperOf(request);
  const absl::Time call_deadline =
      std::min(deadline - options_.reply_margin,
               absl::Now() + options_.tracking_timeout);
  absl::StatusOr<ShopperActivity> activity =
      ReadShopperActivity(*tracking_, shopper, call_deadline);
  if (!activity.ok()) {
    return {Fallback(catalog,
                     absl::StrCat("tracking: ", activity.status().message()),
                     "tracking_error", request.category_id()),
            options_.short_ttl};
  }
  std::vector<smartshop::v1::Interaction> window = activity->own;
  window.insert(window.end(), activity->others.begin(), activity->others.end());
  // The shopper's own products lead the summary.
  const std::vector<ProductActivity> summary = Aggregate(window, catalog);
  if (summary.empty() && request.category_id() == 0) {
    Recommendations answer;
    answer.set_strategy(smartshop::v1::STRATEGY_NO_DATA);
    SetTime(clock_(), answer.mutable_generated_at());
    FillWithTopSellers(catalog, kComputedItems, kNoDataScore,
                       smartshop::v1::TOP_SELLERS_NO_DATA, answer);
    return {answer, options_.short_ttl};
  }

  const RankingInput input = BuiltinInput(request, *activity, deadline);
  const RankingRequest ranking_request{.catalog = catalog,
                                       .summary = summary,
                                       .personalised = !activity->own.empty(),
                                       .builtin = input};
  // Category pages are the builtin ranker's: no model call for them.
  Ranker* const primary = request.category_id() == 0 && model_ranker_
                              ? static_cast<Ranker*>(model_ranker_.get())
                              : builtin_ranker_.get();
  RankingFailure failure{"model: not configured", "model_not_configured"};
  if (primary == nullptr && model_ranker_ != nullptr) {
    failure = {"category pages need the builtin ranker", "no_builtin_ranker"};
  }
  if (primary != nullptr) {
    if (primary == model_ranker_.get()) {
      absl::MutexLock lock(&stats_mu_);
      ++stats_.model_calls;
    }
    auto ranked = primary->Rank(ranking_request, deadline);
    if (auto* ranking = std::get_if<Ranking>(&ranked)) {
      return {Assemble(*ranking, catalog, input, ""),
              primary == model_ranker_.get() ? options_.cache_ttl
              : builtin_ready_.load()        ? BuiltinTtl(shopper)
                                             : options_.short_ttl};
    }
    failure = std::get<RankingFailure>(std::move(ranked));
    if (primary != builtin_ranker_.get() && builtin_ranker_ != nullptr) {
      // The model failed: the builtin ranker stands in, briefly cached so
      // that the model is tried again soon.
      Log(LogLevel::kWarning, "recommendation_fallback",
          {{"reason", failure.reason},
           {"code", failure.code},
           {"to", "builtin"}});
      if (metrics_ != nullptr) metrics_->Fallback(failure.code);
      auto builtin = builtin_ranker_->Rank(ranking_request, deadline);
      if (auto* ranking = std::get_if<Ranking>(&builtin)) {
        return {Assemble(*ranking, catalog, input, failure.reason),
                options_.short_ttl};
      }
    }
  }
  return {
      Fallback(catalog, failure.reason, failure.code, request.category_id()),
      options_.short_ttl};
}

Recommendations RecommendationEngine::Assemble(const Ranking& ranking,
                                               const CatalogSnapshot& catalog,
                                               const RankingInput& input,
                                               std::string fallback_reason) {
  Recommendations answer;
  answer.set_strategy(ranking.strategy);
  answer.set_fallback_reason(std::move(fallback_reason));
  SetTime(clock_(), answer.mutable_generated_at());
  for (const RankedProduct& ranked : ranking.items) {
    auto* item = answer.add_items();
    *item->mutable_product() = *ranked.product;
    item->set_relevance_score(ranked.score);
    item->set_reason(ranked.reason);
    item->set_source(ranking.source);
  }
  FillWithTopSellers(catalog, kComputedItems, ranking.gap_fill_score,
                     smartshop::v1::GAP_FILL, answer, input.exclude,
                     input.category_id);
  return answer;
}

RankingInput RecommendationEngine::BuiltinInput(
    const GetRecommendationsRequest& request, const ShopperActivity& activity,
    absl::Time deadline) {
  RankingInput input;
  for (const auto& event : activity.own) {
    if (std::optional<Signal> signal = SignalOf(event.type())) {
      input.own.push_back({event.product_id(), *signal,
                           absl::FromUnixSeconds(event.timestamp().seconds())});
    }
  }
  // Only the builtin ranker applies the recent-orders rule.
  if (builtin_ranker_ != nullptr) {
    input.exclude = RecentlyOrdered(request.user_id(), activity, deadline);
  }
  input.exclude.insert(request.exclude_product_ids().begin(),
                       request.exclude_product_ids().end());
  input.category_id = request.category_id();
  input.count = kComputedItems;
  return input;
}

absl::flat_hash_set<int64_t> RecommendationEngine::RecentlyOrdered(
    const std::string& user_id, const ShopperActivity& activity,
    absl::Time deadline) {
  absl::flat_hash_set<int64_t> ordered;
  if (options_.recently_ordered <= absl::ZeroDuration()) return ordered;
  const absl::Time since = clock_() - options_.recently_ordered;
  for (const auto& event : activity.own) {
    if (event.type() == smartshop::v1::ORDER_PLACED &&
        absl::FromUnixSeconds(event.timestamp().seconds()) >= since) {
      ordered.insert(event.product_id());
    }
  }
  if (user_id.empty()) return ordered;
  const absl::Time call_deadline =
      std::min(deadline - options_.reply_margin,
               absl::Now() + options_.tracking_timeout);
  auto orders =
      RecentlyOrderedProducts(*tracking_, user_id, since, call_deadline);
  if (!orders.ok()) {
    // The orders in the user's window above still count.
    Log(LogLevel::kWarning, "recent_orders_unavailable",
        {{"error", orders.status().ToString()}});
    return ordered;
  }
  ordered.insert(orders->begin(), orders->end());
  return ordered;
}

absl::Duration RecommendationEngine::BuiltinTtl(const Shopper& shopper) const {
  return shopper.user_id.empty() && !shopper.session_key.empty()
             ? options_.session_ttl
             : options_.builtin_ttl;
}

Recommendations RecommendationEngine::Fallback(const CatalogSnapshot& catalog,
                                               std::string reason,
                                               absl::string_view code,
                                               int64_t category_id) {
  Log(LogLevel::kWarning, "recommendation_fallback",
      {{"reason", reason}, {"code", code}});
  if (metrics_ != nullptr) metrics_->Fallback(code);
  {
    absl::MutexLock lock(&stats_mu_);
    ++stats_.fallbacks;
  }
  Recommendations answer;
  answer.set_strategy(smartshop::v1::STRATEGY_FALLBACK);
  answer.set_fallback_reason(std::move(reason));
  SetTime(clock_(), answer.mutable_generated_at());
  FillWithTopSellers(catalog, kComputedItems, kFallbackScore,
                     smartshop::v1::ERROR_FALLBACK, answer, {}, category_id);
  return answer;
}

absl::StatusOr<smartshop::v1::DeleteUserDataResponse>
RecommendationEngine::DeleteUserData(
    const smartshop::v1::DeleteUserDataRequest& request, absl::Time deadline,
    const std::string& caller_authorization) {
  if (request.user_id().empty() || request.user_id().size() > kMaxIdBytes ||
      request.user_id() == kAnonymous) {
    return absl::InvalidArgumentError(
        "user_id: must be 1 to 128 bytes and not \"anonymous\"");
  }
  // Forgotten first, so that nothing is recomputed from it meanwhile.
  if (model_ != nullptr) {
    model_->ForgetActor(absl::StrCat("u:", request.user_id()));
  }
  smartshop::v1::DeleteUserDataResponse response;
  absl::StatusOr<int64_t> interactions = tracking_->DeleteUserData(
      request.user_id(), deadline, caller_authorization);
  if (!interactions.ok()) return interactions.status();
  response.set_deleted_interactions(*interactions);
  // After the rows are gone: an answer computed before cannot be stored.
  absl::StatusOr<int64_t> cached =
      DropKey(CacheKey(request.user_id()), deadline);
  if (!cached.ok()) return cached.status();
  response.set_deleted_cache_entries(*cached);
  return response;
}

absl::StatusOr<int64_t> RecommendationEngine::Invalidate(
    const smartshop::v1::InvalidateRecommendationsRequest& request,
    absl::Time deadline) {
  using Request = smartshop::v1::InvalidateRecommendationsRequest;
  switch (request.target_case()) {
    case Request::kUserId:
      if (request.user_id().empty() || request.user_id().size() > kMaxIdBytes ||
          request.user_id() == kAnonymous) {
        return absl::InvalidArgumentError(
            "user_id: must be 1 to 128 bytes and not \"anonymous\"");
      }
      return DropKey(CacheKey(request.user_id()), deadline);
    case Request::kSessionKey:
      if (request.session_key().empty() ||
          request.session_key().size() > kMaxIdBytes) {
        return absl::InvalidArgumentError(
            "session_key: must be 1 to 128 bytes");
      }
      return DropKey(CacheKey(Shopper{"", request.session_key()}), deadline);
    case Request::kAnonymous:
      if (!request.anonymous()) {
        return absl::InvalidArgumentError("anonymous: must be true when set");
      }
      return DropKey(CacheKey(""), deadline);
    case Request::kAll: {
      if (!request.all()) {
        return absl::InvalidArgumentError("all: must be true when set");
      }
      auto users = cache_->DeletePrefix(options_.cache_prefix, deadline);
      if (!users.ok()) return users;
      auto sessions =
          cache_->DeletePrefix(options_.session_cache_prefix, deadline);
      if (!sessions.ok()) return sessions;
      return *users + *sessions;
    }
    default:
      return absl::InvalidArgumentError(
          "target: set one of user_id, session_key, anonymous or all");
  }
}

}  // namespace smartshop::recommender
