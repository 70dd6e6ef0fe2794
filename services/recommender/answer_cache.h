// Where answers are kept, for how long, and when they are dropped: cache
// keys (per user, per anonymous session, one for all anonymous visitors),
// the TTL of each kind of answer, the fences that keep an answer computed
// from data read before a delete out of the cache (on every replica), the
// live events that make an answer stale, and the retries of deletes that
// failed (InvalidationRetrier). The engine's only way to the cache: Redis,
// with a short in-process cache in front (cache/local_answer_cache.h) that
// every drop clears too. Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_CACHE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_CACHE_H_

#include <atomic>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/cache/local_answer_cache.h"
#include "services/recommender/cache/shared_flight.h"
#include "services/recommender/engine_options.h"
#include "services/recommender/engine_stats.h"
#include "services/recommender/invalidation_retrier.h"
#include "services/recommender/recommendation_cache.h"
#include "services/recommender/request_context.h"
#include "services/recommender/shopper_activity.h"
#include "smartshop/v1/interaction.pb.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// What made an answer, as far as its lifetime goes.
enum class AnswerKind {
  kModel,
  kBuiltin,
  // A stand-in, a fallback or a no-data answer: kept briefly, so that the
  // model (or new data) is tried again soon.
  kBrief,
};

using AnswerFlights = FlightGroup<smartshop::v1::Recommendations>;

// The experiment variant whose entry holds a shopper's home page answer.
struct VariantTag {
  std::string experiment;
  std::string variant;
};

// Which variants' entries exist (the engine's experiments, as of now).
class VariantKeys {
 public:
  virtual ~VariantKeys() = default;
  // The variant `visitor` is assigned on the home page; nullopt when no
  // experiment runs there, for the holdout and for visitors no experiment
  // can assign (anonymous without a session).
  virtual std::optional<VariantTag> Of(const Shopper& visitor) const = 0;
  // Every variant of the experiments running on the home page.
  virtual std::vector<VariantTag> All() const = 0;
  // Every variant of every experiment of the configuration, running or
  // not (erasure: an entry may outlive its experiment by its TTL).
  virtual std::vector<VariantTag> Configured() const = 0;
};

class AnswerCache {
 public:
  // Pointers are not owned and must outlive this. `flights` are the
  // computations in flight whose answers a drop makes stale.
  // Of `options`: the prefixes, the TTLs, the cache timeout and the local
  // cache's. `clock` times the local cache's entries.
  AnswerCache(RecommendationCache* cache, const EngineOptions& options,
              AnswerFlights* flights, EngineCounters* counters,
              const Clock* clock = &Clock::Real());

  // The key for a user id ("" = anonymous), and for a shopper: the user's,
  // the session's or the shared anonymous one.
  std::string Key(const std::string& user_id) const;
  std::string Key(const Shopper& shopper) const;
  // The key of a variant's answer for `shopper` (whose answer it is: the
  // user, the session, or anonymous when sessions share one).
  std::string Key(const Shopper& shopper, const VariantTag& tag) const;
  // Every key that may hold the shopper's own home page answer: the plain
  // one, and their variant's (with `every_variant`, each configured
  // variant's, for an erasure).
  std::vector<std::string> KeysOf(const Shopper& shopper,
                                  bool every_variant = false) const;
  // Not owned; set before the first request (null: no experiments).
  void set_variant_keys(const VariantKeys* keys) { variant_keys_ = keys; }
  // The key of a placement's shared answer (not the home page's): the one
  // anonymous visitors share for a product page, a basket, trending; with
  // the version of its inputs after an "@" (placement_version.h) when it
  // has one.
  std::string PlacementKey(const RequestContext& context,
                           absl::string_view inputs_version) const;

  // The cached answer (counted as a hit, or a local hit when it came from
  // memory), nullopt on a miss or an error (counted; the caller computes
  // instead).
  std::optional<smartshop::v1::Recommendations> Lookup(const std::string& key,
                                                       absl::Time deadline);
  // As Lookup, from the local cache only: no I/O, nullopt if not there.
  std::optional<smartshop::v1::Recommendations> LookupLocal(
      const std::string& key);

  // Taken before any of an answer's data is read: a delete of the key by
  // any replica from then on keeps the answer out of the cache.
  struct Reservation {
    std::string key;
    std::string scope;
    absl::StatusOr<RecommendationCache::Fence> fence;
    LocalAnswerCache::Ticket local_ticket = 0;
  };
  Reservation Reserve(const std::string& key);
  // Stores `answer` unless it is empty (the first products may arrive any
  // moment), the fence could not be read, or `flight` went stale (its key
  // was dropped meanwhile, e.g. by an order during the model call).
  void Store(const Reservation& reservation,
             const smartshop::v1::Recommendations& answer, absl::Duration ttl,
             const AnswerFlights::Flight& flight);

  absl::Duration Ttl(AnswerKind kind, const Shopper& shopper) const;
  // How long a placement's answer (not the home page's) is kept.
  absl::Duration PlacementTtl(AnswerKind kind,
                              smartshop::v1::Placement placement) const;
  // False while the builtin model is still replaying the history: its
  // answers are then kept only briefly.
  void set_builtin_ready(bool ready) { builtin_ready_ = ready; }
  bool builtin_ready() const { return builtin_ready_.load(); }

  // Drops `key` (advancing its fence, here and in the local cache) and
  // marks the computation for it stale; how many entries went in Redis.
  absl::StatusOr<int64_t> Drop(const std::string& key, absl::Time deadline);
  // Drops each of `keys`; the deleted entries in all, or the first error.
  absl::StatusOr<int64_t> DropAll(const std::vector<std::string>& keys,
                                  absl::Time deadline);
  // Drops what `request` names (a user's, a session's, the anonymous
  // answer, or all); INVALID_ARGUMENT for a bad target.
  absl::StatusOr<int64_t> Invalidate(
      const smartshop::v1::InvalidateRecommendationsRequest& request,
      absl::Time deadline);
  // Drops the answer `event` makes stale: a user's on a cart change or an
  // order, an anonymous session's on any of its events. A failed delete is
  // retried until the cache answers.
  void OnLiveEvent(const smartshop::v1::Interaction& event);

  // Deletes waiting to be retried.
  size_t pending_invalidations() const { return retrier_.pending(); }
  // What the local cache holds.
  size_t local_entries() const { return local_.entries(); }
  int64_t local_bytes() const { return local_.bytes(); }

 private:
  // The prefix whose DeletePrefix covers `key`.
  const std::string& ScopeOf(const std::string& key) const;
  absl::Time CallDeadline() const {
    return absl::Now() + options_.cache_timeout;
  }

  RecommendationCache* const cache_;
  const EngineOptions options_;
  AnswerFlights* const flights_;
  EngineCounters* const counters_;
  std::atomic<bool> builtin_ready_{true};
  const VariantKeys* variant_keys_ = nullptr;
  LocalAnswerCache local_;
  InvalidationRetrier retrier_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_CACHE_H_
