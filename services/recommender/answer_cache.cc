#include "services/recommender/answer_cache.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/recommender/request_context.h"

namespace smartshop::recommender {

AnswerCache::AnswerCache(RecommendationCache* cache,
                         const EngineOptions& options, AnswerFlights* flights,
                         EngineCounters* counters, const Clock* clock)
    : cache_(cache),
      options_(options),
      flights_(flights),
      counters_(counters),
      local_(options.local_cache, clock),
      retrier_(cache,
               {.scopes = {options_.cache_prefix, options_.session_cache_prefix,
                           options_.placement_cache_prefix,
                           options_.experiment_cache_prefix},
                .call_timeout = options_.cache_timeout},
               [counters](const char* result) {
                 counters->CountInvalidation(result);
               }) {
  retrier_.Start();
}

std::string AnswerCache::Key(const std::string& user_id) const {
  return absl::StrCat(options_.cache_prefix,
                      user_id.empty() ? kAnonymousId : user_id);
}

std::string AnswerCache::Key(const Shopper& shopper) const {
  if (IsSession(shopper)) {
    return absl::StrCat(options_.session_cache_prefix, shopper.session_key);
  }
  return Key(shopper.user_id);
}

std::string AnswerCache::Key(const Shopper& shopper,
                             const VariantTag& tag) const {
  std::string whose;
  if (!shopper.user_id.empty()) {
    whose = absl::StrCat("u:", shopper.user_id);
  } else if (!shopper.session_key.empty()) {
    whose = absl::StrCat("s:", shopper.session_key);
  } else {
    whose = kAnonymousId;
  }
  return absl::StrCat(options_.experiment_cache_prefix, tag.experiment, ":",
                      tag.variant, ":", whose);
}

std::vector<std::string> AnswerCache::KeysOf(const Shopper& shopper,
                                             bool every_variant) const {
  std::vector<std::string> keys = {Key(shopper)};
  if (variant_keys_ == nullptr) return keys;
  if (every_variant) {
    for (const VariantTag& tag : variant_keys_->Configured()) {
      keys.push_back(Key(shopper, tag));
    }
  } else if (std::optional<VariantTag> tag = variant_keys_->Of(shopper)) {
    keys.push_back(Key(shopper, *tag));
  }
  return keys;
}

namespace {

// What follows the placement prefix: the placement and what it is for.
std::string PlacementPart(const smartshop::v1::GetRecommendationsRequest& r) {
  switch (r.placement()) {
    case smartshop::v1::PLACEMENT_PRODUCT:
      return absl::StrCat("product:", r.product_id());
    case smartshop::v1::PLACEMENT_CART:
      return absl::StrCat("cart:", absl::StrJoin(DistinctCartProducts(r), ","));
    case smartshop::v1::PLACEMENT_RECENTLY_VIEWED:
      return absl::StrCat("recent:",
                          r.exclude_purchased() ? "unbought" : "all");
    case smartshop::v1::PLACEMENT_TRENDING:
      return absl::StrCat("trending:", r.trending_window(), ":",
                          r.category_id());
    default:
      return "";
  }
}

}  // namespace

std::string AnswerCache::PlacementKey(const RequestContext& context,
                                      absl::string_view inputs_version) const {
  std::string key = absl::StrCat(options_.placement_cache_prefix,
                                 PlacementPart(context.request));
  if (!inputs_version.empty()) absl::StrAppend(&key, "@", inputs_version);
  return key;
}

const std::string& AnswerCache::ScopeOf(const std::string& key) const {
  if (absl::StartsWith(key, options_.placement_cache_prefix)) {
    return options_.placement_cache_prefix;
  }
  if (absl::StartsWith(key, options_.experiment_cache_prefix)) {
    return options_.experiment_cache_prefix;
  }
  return absl::StartsWith(key, options_.session_cache_prefix)
             ? options_.session_cache_prefix
             : options_.cache_prefix;
}

std::optional<smartshop::v1::Recommendations> AnswerCache::Lookup(
    const std::string& key, absl::Time deadline) {
  if (std::optional<smartshop::v1::Recommendations> local = LookupLocal(key)) {
    return local;
  }
  const LocalAnswerCache::Ticket ticket = local_.Begin(key);
  auto cached = cache_->Get(key, std::min(deadline, CallDeadline()));
  if (cached.ok() && cached->has_value()) {
    counters_->CountCache("hit");
    local_.Put(key, ticket, **cached);
    return std::move(*cached);
  }
  counters_->CountCache(cached.ok() ? "miss" : "error");
  return std::nullopt;
}

std::optional<smartshop::v1::Recommendations> AnswerCache::LookupLocal(
    const std::string& key) {
  std::optional<smartshop::v1::Recommendations> local = local_.Get(key);
  if (local.has_value()) counters_->CountCache("local_hit");
  return local;
}

AnswerCache::Reservation AnswerCache::Reserve(const std::string& key) {
  const std::string& scope = ScopeOf(key);
  const LocalAnswerCache::Ticket ticket = local_.Begin(key);
  Reservation reservation{
      key, scope, cache_->ReadFence(key, scope, CallDeadline()), ticket};
  if (!reservation.fence.ok()) counters_->CountCache("error");
  return reservation;
}

void AnswerCache::Store(const Reservation& reservation,
                        const smartshop::v1::Recommendations& answer,
                        absl::Duration ttl,
                        const AnswerFlights::Flight& flight) {
  if (!reservation.fence.ok() || answer.items().empty() || flight.stale()) {
    return;
  }
  absl::StatusOr<bool> stored =
      cache_->SetUnlessInvalidated(reservation.key, reservation.scope, answer,
                                   ttl, *reservation.fence, CallDeadline());
  if (!stored.ok()) {
    counters_->CountCache("error");
  } else if (!*stored) {
    counters_->CountCache("fenced");
  } else if (flight.stale()) {
    // Dropped here between the check and the store.
    if (!cache_->Delete(reservation.key, CallDeadline()).ok()) {
      retrier_.Add(reservation.key);
    }
  } else {
    local_.Put(reservation.key, reservation.local_ticket, answer, ttl);
  }
}

absl::Duration AnswerCache::Ttl(AnswerKind kind, const Shopper& shopper) const {
  switch (kind) {
    case AnswerKind::kModel:
      return IsSession(shopper) ? options_.session_ttl : options_.cache_ttl;
    case AnswerKind::kBuiltin:
      if (!builtin_ready_.load()) return options_.short_ttl;
      return IsSession(shopper) ? options_.session_ttl : options_.builtin_ttl;
    case AnswerKind::kBrief:
      break;
  }
  return options_.short_ttl;
}

absl::Duration AnswerCache::PlacementTtl(
    AnswerKind kind, smartshop::v1::Placement placement) const {
  if (kind == AnswerKind::kBrief || !builtin_ready_.load()) {
    return options_.short_ttl;
  }
  switch (placement) {
    case smartshop::v1::PLACEMENT_TRENDING:
      return options_.trending_ttl;
    default:
      return kind == AnswerKind::kModel ? options_.cache_ttl
                                        : options_.placement_ttl;
  }
}

absl::StatusOr<int64_t> AnswerCache::Drop(const std::string& key,
                                          absl::Time deadline) {
  // Locally before and after the delete: a lookup that read Redis before
  // the delete cannot keep what it read.
  local_.Drop(key);
  flights_->MarkStale(key);
  absl::StatusOr<int64_t> deleted = cache_->Delete(key, deadline);
  local_.Drop(key);
  return deleted;
}

absl::StatusOr<int64_t> AnswerCache::DropAll(
    const std::vector<std::string>& keys, absl::Time deadline) {
  int64_t deleted = 0;
  for (const std::string& key : keys) {
    absl::StatusOr<int64_t> removed = Drop(key, deadline);
    if (!removed.ok()) return removed;
    deleted += *removed;
  }
  return deleted;
}

absl::StatusOr<int64_t> AnswerCache::Invalidate(
    const smartshop::v1::InvalidateRecommendationsRequest& request,
    absl::Time deadline) {
  using Request = smartshop::v1::InvalidateRecommendationsRequest;
  switch (request.target_case()) {
    case Request::kUserId:
      if (absl::Status valid = CheckUserTarget(request.user_id());
          !valid.ok()) {
        return valid;
      }
      return DropAll(KeysOf(Shopper{request.user_id(), ""}), deadline);
    case Request::kSessionKey:
      if (absl::Status valid = CheckSessionTarget(request.session_key());
          !valid.ok()) {
        return valid;
      }
      return DropAll(KeysOf(Shopper{"", request.session_key()}), deadline);
    case Request::kAnonymous:
      if (!request.anonymous()) {
        return absl::InvalidArgumentError("anonymous: must be true when set");
      }
      {
        // With every variant's shared answer (sessions sharing one).
        std::vector<std::string> keys = {Key("")};
        if (variant_keys_ != nullptr) {
          for (const VariantTag& tag : variant_keys_->All()) {
            keys.push_back(Key(Shopper{}, tag));
          }
        }
        return DropAll(keys, deadline);
      }
    case Request::kAll: {
      if (!request.all()) {
        return absl::InvalidArgumentError("all: must be true when set");
      }
      // The prefixes' fences stop every replica's computations in flight
      // from storing; this marks this replica's too.
      local_.DropAll();
      flights_->MarkAllStale();
      int64_t deleted = 0;
      for (const std::string* prefix :
           {&options_.cache_prefix, &options_.session_cache_prefix,
            &options_.placement_cache_prefix,
            &options_.experiment_cache_prefix}) {
        absl::StatusOr<int64_t> removed =
            cache_->DeletePrefix(*prefix, deadline);
        if (!removed.ok()) {
          local_.DropAll();
          return removed;
        }
        deleted += *removed;
      }
      local_.DropAll();
      return deleted;
    }
    default:
      return absl::InvalidArgumentError(
          "target: set one of user_id, session_key, anonymous or all");
  }
}

void AnswerCache::OnLiveEvent(const smartshop::v1::Interaction& event) {
  Shopper shopper;
  if (!event.user_id().empty()) {
    const auto type = event.type();
    if (type != smartshop::v1::ORDER_PLACED &&
        type != smartshop::v1::ADD_TO_CART &&
        type != smartshop::v1::REMOVE_FROM_CART) {
      return;
    }
    shopper.user_id = event.user_id();
  } else if (!event.session_key().empty()) {
    shopper.session_key = event.session_key();
  } else {
    return;
  }
  for (const std::string& key : KeysOf(shopper)) {
    auto deleted = Drop(key, CallDeadline());
    if (!deleted.ok()) retrier_.Add(key);
    counters_->CountInvalidation(deleted.ok() ? "ok" : "error");
  }
}

}  // namespace smartshop::recommender
