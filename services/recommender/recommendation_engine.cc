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

using smartshop::v1::Recommendations;

constexpr size_t kMaxIdBytes = 128;
constexpr char kAnonymous[] = "anonymous";
// The original windows: a user's last 50 and everyone else's last 50, or the
// last 100 overall for anonymous visitors.
constexpr int kUserWindow = 50;
constexpr int kOthersWindow = 50;
constexpr int kAnonymousWindow = 100;

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t micros = absl::ToUnixMicros(t);
  ts->set_seconds(micros / 1'000'000);
  ts->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

smartshop::v1::ListInteractionsRequest WindowRequest(int limit) {
  smartshop::v1::ListInteractionsRequest request;
  request.add_types(smartshop::v1::VIEW_PRODUCT);
  request.add_types(smartshop::v1::ADD_TO_CART);
  request.add_types(smartshop::v1::ORDER_PLACED);
  request.set_limit(limit);
  return request;
}

absl::Status Validate(const smartshop::v1::GetRecommendationsRequest& r) {
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
  return absl::OkStatus();
}

void Truncate(int limit, Recommendations& answer) {
  const int keep = limit == 0 ? kRecommendationCount : limit;
  while (answer.items_size() > keep) answer.mutable_items()->RemoveLast();
}

}  // namespace

std::string ModelFailureReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return "model: invalid API key";
    case absl::StatusCode::kResourceExhausted:
      return "model: rate limited";
    case absl::StatusCode::kDeadlineExceeded:
      return "model: timed out";
    case absl::StatusCode::kDataLoss:
      return "model: unexpected reply";
    case absl::StatusCode::kFailedPrecondition:
      return "model: not configured";
    default:
      return "model: unavailable";
  }
}

absl::string_view ModelFailureCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return "model_invalid_key";
    case absl::StatusCode::kResourceExhausted:
      return "model_rate_limited";
    case absl::StatusCode::kDeadlineExceeded:
      return "model_timeout";
    case absl::StatusCode::kDataLoss:
      return "model_bad_reply";
    case absl::StatusCode::kFailedPrecondition:
      return "model_not_configured";
    default:
      return "model_unavailable";
  }
}

RecommendationEngine::RecommendationEngine(
    TrackingReader* tracking, CatalogRefresher* catalog, LlmClient* llm,
    RecommendationCache* cache, PromptBuilder prompt, EngineOptions options,
    Clock clock, RecommenderMetrics* metrics)
    : tracking_(tracking),
      catalog_(catalog),
      llm_(llm),
      cache_(cache),
      prompt_(std::move(prompt)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      metrics_(metrics) {}

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

EngineStats RecommendationEngine::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

absl::StatusOr<Recommendations> RecommendationEngine::Get(
    const smartshop::v1::GetRecommendationsRequest& request,
    absl::Time deadline) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  const std::string key = CacheKey(request.user_id());

  auto cached = cache_->Get(
      key, std::min(deadline, absl::Now() + options_.cache_timeout));
  if (cached.ok() && cached->has_value()) {
    Recommendations answer = std::move(**cached);
    answer.set_cache_hit(true);
    Truncate(request.limit(), answer);
    CountCache("hit");
    return answer;
  }
  CountCache(cached.ok() ? "miss" : "error");

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

  // Concurrent misses for one key (above all the shared anonymous key)
  // compute once; the others wait for that answer.
  absl::StatusOr<Recommendations> shared =
      singleflight_.Do(key, deadline, [&]() -> absl::StatusOr<Recommendations> {
        Computed computed = Compute(request.user_id(), *catalog, deadline);
        // An empty catalog gives an empty answer: not worth keeping, the
        // first products may arrive any moment.
        if (computed.answer.items().empty()) return computed.answer;
        absl::Status stored = cache_->Set(key, computed.answer, computed.ttl,
                                          absl::Now() + options_.cache_timeout);
        if (!stored.ok()) CountCache("error");
        return computed.answer;
      });
  Recommendations answer =
      shared.ok() ? *std::move(shared)
                  : Fallback(*catalog, "waited too long for a shared answer",
                             "shared_answer_timeout");
  Truncate(request.limit(), answer);
  return answer;
}

RecommendationEngine::Computed RecommendationEngine::Compute(
    const std::string& user_id, const CatalogSnapshot& catalog,
    absl::Time deadline) {
  auto interactions = RecentInteractions(user_id, deadline);
  if (!interactions.ok()) {
    return {
        Fallback(catalog,
                 absl::StrCat("tracking: ", interactions.status().message()),
                 "tracking_error"),
        options_.short_ttl};
  }
  const std::vector<ProductActivity> summary =
      Aggregate(*interactions, catalog);
  if (summary.empty()) {
    Recommendations answer;
    answer.set_strategy(smartshop::v1::STRATEGY_NO_DATA);
    SetTime(clock_(), answer.mutable_generated_at());
    FillWithTopSellers(catalog, kRecommendationCount, kNoDataScore,
                       smartshop::v1::TOP_SELLERS_NO_DATA, answer);
    return {answer, options_.short_ttl};
  }
  if (llm_ == nullptr) {
    return {Fallback(catalog, "model: not configured", "model_not_configured"),
            options_.short_ttl};
  }
  const ChatRequest chat = prompt_.Build(summary, catalog, !user_id.empty());
  {
    absl::MutexLock lock(&stats_mu_);
    ++stats_.model_calls;
  }
  const absl::Time model_deadline = std::min(
      deadline - options_.reply_margin, absl::Now() + options_.model_timeout);
  const absl::Time model_start = absl::Now();
  absl::StatusOr<ChatCompletion> completion =
      llm_->Complete(chat, model_deadline);
  if (metrics_ != nullptr) {
    metrics_->ModelCall(
        completion.ok() ? "ok" : ModelFailureCode(completion.status()),
        absl::Now() - model_start);
    if (completion.ok()) {
      metrics_->ModelUsage(completion->prompt_tokens,
                           completion->completion_tokens,
                           completion->estimated_cost_usd);
    }
  }
  if (!completion.ok()) {
    return {Fallback(catalog, ModelFailureReason(completion.status()),
                     ModelFailureCode(completion.status())),
            options_.short_ttl};
  }
  absl::StatusOr<std::vector<ModelPick>> picks =
      ParseModelReply(completion->content);
  if (!picks.ok()) {
    return {Fallback(catalog,
                     absl::StrCat("model reply: ", picks.status().message()),
                     "model_reply_unparsable"),
            options_.short_ttl};
  }
  const MatchResult match = MatchPicks(*picks, catalog);
  Recommendations answer;
  answer.set_strategy(smartshop::v1::STRATEGY_MODEL);
  SetTime(clock_(), answer.mutable_generated_at());
  for (const MatchedPick& pick : match.matched) {
    auto* item = answer.add_items();
    *item->mutable_product() = *pick.product;
    item->set_relevance_score(pick.relevance_score);
    item->set_reason(pick.reason);
    item->set_source(smartshop::v1::MODEL);
  }
  FillWithTopSellers(catalog, kRecommendationCount, kGapFillScore,
                     smartshop::v1::GAP_FILL, answer);
  if (match.unmatched > 0 || match.duplicates > 0) {
    Log(LogLevel::kInfo, "model_picks_dropped",
        {{"unmatched", int64_t{match.unmatched}},
         {"duplicates", int64_t{match.duplicates}}});
  }
  return {answer, options_.cache_ttl};
}

absl::StatusOr<std::vector<smartshop::v1::Interaction>>
RecommendationEngine::RecentInteractions(const std::string& user_id,
                                         absl::Time deadline) {
  const absl::Time call_deadline =
      std::min(deadline - options_.reply_margin,
               absl::Now() + options_.tracking_timeout);
  if (user_id.empty()) {
    return tracking_->ListInteractions(WindowRequest(kAnonymousWindow),
                                       call_deadline);
  }
  auto own_request = WindowRequest(kUserWindow);
  own_request.set_user_id(user_id);
  auto own = tracking_->ListInteractions(own_request, call_deadline);
  if (!own.ok()) return own.status();
  auto others_request = WindowRequest(kOthersWindow);
  others_request.set_exclude_user_id(user_id);
  auto others = tracking_->ListInteractions(others_request, call_deadline);
  if (!others.ok()) return others.status();
  // The user's own first: they lead the summary.
  own->insert(own->end(), std::make_move_iterator(others->begin()),
              std::make_move_iterator(others->end()));
  return own;
}

Recommendations RecommendationEngine::Fallback(const CatalogSnapshot& catalog,
                                               std::string reason,
                                               absl::string_view code) {
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
  FillWithTopSellers(catalog, kRecommendationCount, kFallbackScore,
                     smartshop::v1::ERROR_FALLBACK, answer);
  return answer;
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
      return cache_->Delete(CacheKey(request.user_id()), deadline);
    case Request::kAnonymous:
      if (!request.anonymous()) {
        return absl::InvalidArgumentError("anonymous: must be true when set");
      }
      return cache_->Delete(CacheKey(""), deadline);
    case Request::kAll:
      if (!request.all()) {
        return absl::InvalidArgumentError("all: must be true when set");
      }
      return cache_->DeletePrefix(options_.cache_prefix, deadline);
    default:
      return absl::InvalidArgumentError(
          "target: set one of user_id, anonymous or all");
  }
}

}  // namespace smartshop::recommender
