#include "services/recommender/recommendation_engine.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "common/proto_time.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/answer_rules.h"
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
// Why a caller got the builtin answer (or top sellers) instead of the
// model's: its own deadline came first.
constexpr absl::string_view kNotWithinDeadline =
    "model: no answer within this call's deadline (it goes on for the next "
    "callers)";

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

bool IsSession(const Shopper& shopper) {
  return shopper.user_id.empty() && !shopper.session_key.empty();
}

// Exclusions and the count: what the caller asked of this answer.
void Finish(const GetRecommendationsRequest& request,
            const CatalogSnapshot* catalog, Recommendations& answer) {
  const int keep =
      request.limit() == 0 ? kRecommendationCount : request.limit();
  const absl::flat_hash_set<int64_t> excluded(
      request.exclude_product_ids().begin(),
      request.exclude_product_ids().end());
  if (catalog == nullptr) {
    // No catalog to check against (a hit before the first load): only
    // what the caller excluded goes.
    auto* items = answer.mutable_items();
    items->erase(std::remove_if(items->begin(), items->end(),
                                [&](const auto& item) {
                                  return excluded.contains(item.product().id());
                                }),
                 items->end());
    while (answer.items_size() > keep) answer.mutable_items()->RemoveLast();
    return;
  }
  ApplyAnswerRules(*catalog,
                   {.count = keep,
                    .exclude = &excluded,
                    .category_id = request.category_id()},
                   answer);
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
      model_(model),
      session_budget_(options_.session_model_budget),
      retrier_(
          cache,
          {.scopes = {options_.cache_prefix, options_.session_cache_prefix},
           .call_timeout = options_.cache_timeout},
          [metrics](const char* result) {
            if (metrics != nullptr) metrics->Invalidation(result);
          }),
      executor_(std::max(1, options_.max_computations)) {
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
  retrier_.Start();
}

RecommendationEngine::~RecommendationEngine() = default;

void RecommendationEngine::CountCache(absl::string_view result) {
  if (metrics_ != nullptr) metrics_->CacheResult(result);
  absl::MutexLock lock(&stats_mu_);
  if (result == "hit") {
    ++stats_.cache_hits;
  } else if (result == "fenced") {
    return;  // not an error: another replica's delete came first
  } else if (result == "miss") {
    ++stats_.cache_misses;
  } else {
    ++stats_.cache_errors;
  }
}

void RecommendationEngine::CountFallback(absl::string_view code) {
  if (metrics_ != nullptr) metrics_->Fallback(code);
}

std::string RecommendationEngine::CacheKey(const std::string& user_id) const {
  return absl::StrCat(options_.cache_prefix,
                      user_id.empty() ? kAnonymous : user_id);
}

std::string RecommendationEngine::CacheKey(const Shopper& shopper) const {
  if (IsSession(shopper)) {
    return absl::StrCat(options_.session_cache_prefix, shopper.session_key);
  }
  return CacheKey(shopper.user_id);
}

const std::string& RecommendationEngine::ScopeOf(const std::string& key) const {
  return absl::StartsWith(key, options_.session_cache_prefix)
             ? options_.session_cache_prefix
             : options_.cache_prefix;
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
  if (!deleted.ok()) retrier_.Add(key);
  if (metrics_ != nullptr) {
    metrics_->Invalidation(deleted.ok() ? "ok" : "error");
  }
}

absl::StatusOr<int64_t> RecommendationEngine::DropKey(const std::string& key,
                                                      absl::Time deadline) {
  flights_.MarkStale(key);
  return cache_->Delete(key, deadline);
}

EngineStats RecommendationEngine::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

absl::StatusOr<Recommendations> RecommendationEngine::Get(
    const GetRecommendationsRequest& original, absl::Time deadline) {
  if (absl::Status valid = Validate(original); !valid.ok()) return valid;
  GetRecommendationsRequest request = original;
  if (IsSession(ShopperOf(request)) && builtin_ranker_ == nullptr &&
      !options_.session_model) {
    // Nothing can personalise a session without a model call: it shares
    // the anonymous answer, as every visitor did in the original.
    request.clear_session_key();
  }
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
      // Checked against the catalog as it is now: what was deactivated or
      // sold out since the answer was cached goes.
      std::shared_ptr<const CatalogSnapshot> catalog = catalog_->Current();
      Finish(request, catalog.get(), answer);
      return answer;
    }
    CountCache(cached.ok() ? "miss" : "error");
  }

  std::shared_ptr<const CatalogSnapshot> catalog =
      catalog_->CurrentOrLoad(deadline - options_.reply_margin);
  if (catalog == nullptr) {
    return absl::UnavailableError(
        "no catalog yet: the tracking service has not been reachable since "
        "start-up");
  }
  Recommendations answer =
      cacheable
          ? Shared(request, key, catalog, deadline)
          : Compute(request, *catalog, deadline, {.allow_model = false}).answer;
  Finish(request, catalog.get(), answer);
  return answer;
}

Recommendations RecommendationEngine::Shared(
    const GetRecommendationsRequest& request, const std::string& key,
    std::shared_ptr<const CatalogSnapshot> catalog, absl::Time deadline) {
  // The shared computation ignores the caller's exclusions, which are
  // applied to its copy after.
  GetRecommendationsRequest shared_request = request;
  shared_request.clear_exclude_product_ids();
  Flights::Joined joined = flights_.Join(key, [&]() -> Flights::Work {
    return [this, shared_request, key, catalog](Flights::Flight& flight) {
      return RunShared(shared_request, key, *catalog, flight);
    };
  });
  if (joined.flight == nullptr) {
    return Alone(request, *catalog, deadline,
                 "model: too many computations in flight", "computations_full");
  }
  // Past the bound a caller does not wait: it takes what there is.
  const bool may_wait =
      waiting_callers_.fetch_add(1) < options_.max_waiting_callers;
  const absl::Time until =
      may_wait ? deadline - options_.reply_margin : absl::Now();
  Flights::Flight::Seen seen = joined.flight->Await(until);
  waiting_callers_.fetch_sub(1);
  if (seen.final) return *std::move(seen.value);
  if (seen.value.has_value()) {
    // The builtin answer, published before the model was asked.
    CountFallback("caller_deadline");
    return *std::move(seen.value);
  }
  if (!may_wait) {
    return Alone(request, *catalog, deadline, "model: too many callers waiting",
                 "waiters_full");
  }
  return Fallback(*catalog, std::string(kNotWithinDeadline), "caller_deadline");
}

Recommendations RecommendationEngine::RunShared(
    const GetRecommendationsRequest& request, const std::string& key,
    const CatalogSnapshot& catalog, Flights::Flight& flight) {
  // Read before any data: a delete of this key by any replica from now on
  // keeps this answer out of the cache.
  const std::string& scope = ScopeOf(key);
  absl::StatusOr<RecommendationCache::Fence> fence =
      cache_->ReadFence(key, scope, absl::Now() + options_.cache_timeout);
  if (!fence.ok()) CountCache("error");
  // Its own budget: no caller's deadline bounds what all of them share.
  // (Two tracking reads: the shopper's window, then recent orders.)
  const absl::Time budget = absl::Now() + 2 * options_.tracking_timeout +
                            options_.model_timeout + options_.reply_margin;
  Computed computed =
      Compute(request, catalog, budget,
              {.on_interim = [&](const Recommendations& interim) {
                flight.PublishInterim(interim);
              }});
  // An empty catalog gives an empty answer: not worth keeping, the first
  // products may arrive any moment. Nor is one whose key was invalidated
  // meanwhile (an order during the model call): it was computed from data
  // read before that event.
  if (fence.ok() && !computed.answer.items().empty() && !flight.stale()) {
    absl::StatusOr<bool> stored = cache_->SetUnlessInvalidated(
        key, scope, computed.answer, computed.ttl, *fence,
        absl::Now() + options_.cache_timeout);
    if (!stored.ok()) {
      CountCache("error");
    } else if (!*stored) {
      CountCache("fenced");
    } else if (flight.stale()) {
      // Invalidated here between the check and the store.
      if (!cache_->Delete(key, absl::Now() + options_.cache_timeout).ok()) {
        retrier_.Add(key);
      }
    }
  }
  return std::move(computed.answer);
}

Recommendations RecommendationEngine::Alone(
    const GetRecommendationsRequest& request, const CatalogSnapshot& catalog,
    absl::Time deadline, absl::string_view reason, absl::string_view code) {
  return Compute(request, catalog, deadline,
                 {.allow_model = false,
                  .no_model_reason = std::string(reason),
                  .no_model_code = std::string(code)})
      .answer;
}

RecommendationEngine::Computed RecommendationEngine::Compute(
    const GetRecommendationsRequest& request, const CatalogSnapshot& catalog,
    absl::Time deadline, const ComputeMode& mode) {
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
  // "No data" means no interactions, as in the original: events of
  // products the catalog replica does not know yet still go to the model.
  if (window.empty() && request.category_id() == 0) {
    Recommendations answer;
    answer.set_strategy(smartshop::v1::STRATEGY_NO_DATA);
    SetTimestamp(clock_(), answer.mutable_generated_at());
    FillWithTopSellers(catalog, kComputedItems, kNoDataScore,
                       smartshop::v1::TOP_SELLERS_NO_DATA, answer);
    return {answer, options_.short_ttl};
  }
  // The shopper's own products lead the summary.
  const std::vector<ProductActivity> summary = Aggregate(window, catalog);

  const RankingInput input = BuiltinInput(request, *activity, deadline);
  const RankingRequest ranking_request{.catalog = catalog,
                                       .summary = summary,
                                       .personalised = !activity->own.empty(),
                                       .builtin = input};
  const absl::Duration builtin_ttl =
      builtin_ready_.load() ? BuiltinTtl(shopper) : options_.short_ttl;
  auto builtin_answer = [&](std::string reason) -> std::optional<Computed> {
    if (builtin_ranker_ == nullptr) return std::nullopt;
    auto ranked = builtin_ranker_->Rank(ranking_request, deadline);
    auto* ranking = std::get_if<Ranking>(&ranked);
    if (ranking == nullptr) return std::nullopt;
    // A stand-in for the model is kept briefly, so that the model is
    // tried again soon.
    const bool stand_in = !reason.empty();
    return Computed{Assemble(*ranking, catalog, input, std::move(reason)),
                    stand_in ? options_.short_ttl : builtin_ttl};
  };

  // Category pages are the builtin ranker's, and sessions are unless they
  // may use the model.
  const bool model_by_policy = model_ranker_ != nullptr &&
                               request.category_id() == 0 &&
                               (!IsSession(shopper) || options_.session_model);
  if (model_by_policy && !mode.allow_model) {
    if (auto builtin = builtin_answer(mode.no_model_reason)) {
      CountFallback(mode.no_model_code);
      return *std::move(builtin);
    }
    return {Fallback(catalog, mode.no_model_reason, mode.no_model_code),
            options_.short_ttl};
  }
  if (!model_by_policy ||
      (IsSession(shopper) &&
       !session_budget_.TryTake(shopper.session_key, absl::Now()))) {
    if (auto builtin = builtin_answer("")) return *std::move(builtin);
    if (model_ranker_ != nullptr && request.category_id() != 0) {
      return {Fallback(catalog, "category pages need the builtin ranker",
                       "no_builtin_ranker", request.category_id()),
              options_.short_ttl};
    }
    return {
        Fallback(catalog,
                 model_ranker_ != nullptr ? "sessions need the builtin ranker"
                                          : "model: not configured",
                 model_ranker_ != nullptr ? "no_builtin_ranker"
                                          : "model_not_configured",
                 request.category_id()),
        options_.short_ttl};
  }
  if (mode.on_interim) {
    // For callers who cannot wait for the model: the builtin answer now.
    if (auto interim = builtin_answer(std::string(kNotWithinDeadline))) {
      mode.on_interim(interim->answer);
    }
  }
  {
    absl::MutexLock lock(&stats_mu_);
    ++stats_.model_calls;
  }
  auto ranked = model_ranker_->Rank(ranking_request, deadline);
  if (auto* ranking = std::get_if<Ranking>(&ranked)) {
    return {Assemble(*ranking, catalog, input, ""),
            IsSession(shopper) ? options_.session_ttl : options_.cache_ttl};
  }
  RankingFailure failure = std::get<RankingFailure>(std::move(ranked));
  if (builtin_ranker_ != nullptr) {
    // The model failed: the builtin ranker stands in.
    Log(LogLevel::kWarning, "recommendation_fallback",
        {{"reason", failure.reason},
         {"code", failure.code},
         {"to", "builtin"}});
    CountFallback(failure.code);
    if (auto builtin = builtin_answer(failure.reason)) {
      return *std::move(builtin);
    }
  }
  return {Fallback(catalog, failure.reason, failure.code), options_.short_ttl};
}

Recommendations RecommendationEngine::Assemble(const Ranking& ranking,
                                               const CatalogSnapshot& catalog,
                                               const RankingInput& input,
                                               std::string fallback_reason) {
  Recommendations answer;
  answer.set_strategy(ranking.strategy);
  answer.set_fallback_reason(std::move(fallback_reason));
  SetTimestamp(clock_(), answer.mutable_generated_at());
  for (const RankedProduct& ranked : ranking.items) {
    auto* item = answer.add_items();
    *item->mutable_product() = *ranked.product;
    item->set_relevance_score(ranked.score);
    item->set_reason(ranked.reason);
    item->set_source(ranking.source);
  }
  // The rules hold for the model's picks too (a sold-out pick goes), and
  // top sellers fill what is missing.
  ApplyAnswerRules(catalog,
                   {.count = kComputedItems,
                    .exclude = &input.exclude,
                    .category_id = input.category_id,
                    .max_fill_score = ranking.gap_fill_score},
                   answer);
  return answer;
}

RankingInput RecommendationEngine::BuiltinInput(
    const GetRecommendationsRequest& request, const ShopperActivity& activity,
    absl::Time deadline) {
  RankingInput input;
  for (const auto& event : activity.own) {
    if (std::optional<Signal> signal = SignalOf(event.type())) {
      input.own.push_back(
          {event.product_id(), *signal, ToTime(event.timestamp())});
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
        ToTime(event.timestamp()) >= since) {
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
  SetTimestamp(clock_(), answer.mutable_generated_at());
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
      // The prefixes' fences stop every replica's computations in flight
      // from storing; this marks this replica's too.
      flights_.MarkAllStale();
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
