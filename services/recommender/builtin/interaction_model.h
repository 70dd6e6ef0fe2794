// What the builtin ranker learns from the event stream, kept in memory:
// item-to-item co-occurrence within each shopper's recent history ("viewed /
// carted / bought together"), each item's number of shoppers, and a
// popularity that decays with a half-life ("trending"). Learns one event at
// a time, so it is built by replaying the history once and then kept
// current from the live stream.
//
// With a history window the counts are kept per time bucket (a window cut
// into `window_buckets`, by event time) and forgotten a whole bucket at a
// time once it has left the window, so memory follows the window rather than
// the whole history; a ranking sums the buckets.
//
// For the placements it also keeps, per product, who bought it together
// with what (purchase co-occurrence, "often bought with"), decayed event
// counts over an hour, a day, a week and eight weeks (trending: a window
// against its own longer baseline) and decayed purchases (slow movers).
//
// The recipe (window 20, forward 1 / backward 0.3, rows capped at 300 of
// 600, 7-day half-life) was chosen by offline evaluation on MovieLens; see
// tools/eval and the README's table.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::recommender {

// How strongly a shopper showed interest in a product, weakest first.
enum class Signal : uint8_t { kView = 0, kCart = 1, kPurchase = 2 };

// The signal of an interaction type, if it is one the models use.
std::optional<Signal> SignalOf(smartshop::v1::InteractionType type);

struct ModelOptions {
  // Distinct products per shopper that a new product co-occurs with.
  int window = 20;
  // Distinct products bought per shopper that a new purchase counts as
  // "bought with" (purchase co-occurrence): the nearest purchases say the
  // most of what goes together (chosen by offline evaluation of the
  // product page and the cart on both samples: 5 beat 10, 20 and 50).
  int purchase_window = 5;
  // Weight added for "j then i" (j earlier) and for "i then j".
  float forward_weight = 1.0f;
  float backward_weight = 0.3f;
  // A product keeps its `max_neighbours` strongest neighbours once it has
  // more than twice as many (pruned in bulk so that updates stay cheap).
  int max_neighbours = 300;
  absl::Duration popularity_half_life = absl::Hours(7 * 24);
  // Popularity added per new (shopper, product) pair, and extra for a
  // shopper's first cart add and first purchase of it: global purchases
  // count more than cart adds, which count more than views.
  double popularity_cart_bonus = 0.25;
  double popularity_purchase_bonus = 0.25;
  // Shopper histories kept; beyond it the least recently active half is
  // forgotten (sessions come and go: memory must not grow with them).
  int max_histories = 500'000;
  // Only events within this of the model's now (the newest event seen or
  // the time AdvanceTo gave, whichever is later) are learnt and kept;
  // infinite = everything, forever.
  absl::Duration history_window = absl::InfiniteDuration();
  // Buckets per window: the model holds at most a window and one bucket.
  int window_buckets = 8;
};

// The windows trending compares, each with the baseline after it.
enum class TrendWindow : uint8_t { kHour = 0, kDay = 1, kWeek = 2 };

// A product's activity in a trending window and in its baseline, both in
// events per window length (decayed counts, so "the last day" is a day's
// half-life, not a hard cut).
struct Trend {
  double recent = 0;
  double baseline = 0;
};

class InteractionModel {
 public:
  explicit InteractionModel(ModelOptions options = {});

  // Learns from one event; thread-safe. Only view_product, add_to_cart and
  // order_placed events with a product and a user or a session teach
  // anything (returns false for the rest). `actor` keys the history:
  // "u:<user>" or "s:<session>".
  bool Observe(const smartshop::v1::Interaction& event);
  bool Observe(absl::string_view actor, int64_t product_id, Signal signal,
               absl::Time at);
  // Learns from each event in turn under one lock (a replay's messages);
  // how many taught something.
  int ObserveAll(absl::Span<const smartshop::v1::Interaction* const> events);

  // Moves the model's now forward (never back) to `now`, forgetting the
  // buckets and shopper histories that the window left behind. A live feed
  // calls it with the clock so that a quiet shop still forgets.
  void AdvanceTo(absl::Time now);

  // Read access under a shared lock, for one ranking. Not copyable; keep it
  // for the duration of a ranking only.
  class Reader {
   public:
    // The caller took the shared lock already: only TryRead can say so.
    class Locked {
     private:
      Locked() {}  // user-provided: no aggregate `{}` from outside
      friend class InteractionModel;
    };

    explicit Reader(const InteractionModel& model) : model_(model) {
      model_.mu_.ReaderLock();
    }
    Reader(const InteractionModel& model, Locked) : model_(model) {}
    ~Reader() { model_.mu_.ReaderUnlock(); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    // Calls `visit(neighbour_id, weight)` for each neighbour of `product_id`.
    // With a window, a neighbour met in several buckets is visited once
    // per bucket: the weights add up.
    template <typename Visit>
    void ForEachNeighbour(int64_t product_id, Visit visit) const {
      const std::optional<uint32_t> index = model_.FindItem(product_id);
      if (!index) return;
      for (const auto& [_, bucket] : model_.buckets_) {
        if (*index >= bucket.items.size()) continue;
        for (const auto& [neighbour, weight] :
             bucket.items[*index].neighbours) {
          visit(model_.product_ids_[neighbour], weight);
        }
      }
    }
    // Calls `visit(neighbour_id, weight)` for each product bought by a
    // shopper who also bought `product_id` (both within the history
    // window of `ModelOptions::window` products).
    template <typename Visit>
    void ForEachBoughtWith(int64_t product_id, Visit visit) const {
      const std::optional<uint32_t> index = model_.FindItem(product_id);
      if (!index) return;
      for (const auto& [_, bucket] : model_.buckets_) {
        if (*index >= bucket.extras.size()) continue;
        for (const auto& [neighbour, weight] :
             bucket.extras[*index].bought_with) {
          visit(model_.product_ids_[neighbour], weight);
        }
      }
    }
    // Shoppers who interacted with the product (0 when unknown).
    double Shoppers(int64_t product_id) const;
    // Its activity in `window` against its baseline, at latest_event().
    Trend TrendOf(int64_t product_id, TrendWindow window) const;
    // Purchases of it, decayed with the popularity half-life, at
    // latest_event(): about the purchases of the last half-life / ln 2.
    double RecentPurchases(int64_t product_id) const;
    // How many times what the model holds of the product changed: its
    // co-occurrence or purchase co-occurrence with another product, its
    // popularity; counted per time bucket, so a forgotten bucket takes its
    // changes along (0 when unknown). A product page's answer is as old as
    // it.
    uint64_t Changes(int64_t product_id) const;
    // As InteractionModel::Knows and KnowsEveryShopper, under this lock.
    bool Knows(absl::string_view actor) const {
      return model_.histories_.contains(actor);
    }
    bool KnowsEveryShopper() const {
      return !model_.forgot_for_room_ &&
             model_.options_.history_window == absl::InfiniteDuration();
    }
    // Every product the model knows (ids).
    const std::vector<int64_t>& AllProducts() const {
      return model_.product_ids_;
    }
    // Decayed popularity in arbitrary units, comparable between products
    // (0 when unknown).
    double Popularity(int64_t product_id) const;
    // Every product the model knows, with its popularity.
    std::vector<std::pair<int64_t, double>> AllPopularities() const;
    // The newest event time observed: the shop's own clock, which is the
    // right "now" even when old data is replayed.
    absl::Time latest_event() const { return model_.latest_event_; }

   private:
    friend class InteractionModel;
    // The sum over the buckets of `field(item, extra)` for the product (0
    // when unknown).
    template <typename T, typename Field>
    T SumOverBuckets(int64_t product_id, Field field) const {
      const std::optional<uint32_t> index = model_.FindItem(product_id);
      T sum = 0;
      if (!index) return sum;
      for (const auto& [_, bucket] : model_.buckets_) {
        if (*index < bucket.items.size()) {
          sum += field(bucket.items[*index], bucket.extras[*index]);
        }
      }
      return sum;
    }

    const InteractionModel& model_;
  };
  Reader Read() const { return Reader(*this); }
  // As Read, but nullopt rather than waiting while the model is learning
  // (for a thread that must never block, such as a gRPC reactor's).
  std::optional<Reader> TryRead() const {
    if (!mu_.ReaderTryLock()) return std::nullopt;
    return std::optional<Reader>(std::in_place, *this, Reader::Locked{});
  }

  int64_t events_observed() const;
  int64_t products() const;
  int64_t histories() const;
  int64_t neighbour_entries() const;
  // Time buckets held (1 without a window, once anything was learnt).
  int64_t buckets() const;
  // Heap bytes held, estimated from container capacities.
  int64_t ApproximateBytes() const;

  // Forgets a shopper's recent products (erasure); true if there were any.
  bool ForgetActor(absl::string_view actor);

  // Whether the model holds products of `actor` ("u:<user>", "s:<session>").
  bool Knows(absl::string_view actor) const;
  // True while no shopper's history was forgotten for room (max_histories)
  // or age (history_window): then an actor it does not know has no events.
  bool KnowsEveryShopper() const;

  // "u:<user>" for a user id, else "s:<session>"; empty when both are.
  static std::string ActorKey(const smartshop::v1::Interaction& event);

 private:
  // What one time bucket learnt of one product.
  struct Item {
    double shoppers = 0;
    // log2 of sum(weight * 2^((t - epoch) / half-life)): order-independent
    // and never overflows, so replayed old events decay correctly.
    double log2_popularity = -1e300;
    absl::flat_hash_map<uint32_t, float> neighbours = {};
  };
  // What the placements read besides, apart from Item so that the home
  // page's scan of every item's popularity stays within fewer cache lines.
  struct Extra {
    // Purchase co-occurrence: bought by the same shopper.
    absl::flat_hash_map<uint32_t, float> bought_with = {};
    // log2 of decayed event counts with half-lives of an hour, a day, a
    // week and eight weeks (kTrendHalfLives), and of purchases.
    std::array<double, 4> log2_trend = {-1e300, -1e300, -1e300, -1e300};
    double log2_purchases = -1e300;
    // What this bucket learnt of the item, counted (Reader::Changes).
    uint32_t changes = 0;
  };
  struct Recent {
    uint32_t item;
    Signal signal;
  };
  struct Bucket {
    std::vector<Item> items;    // by item index; grown on demand
    std::vector<Extra> extras;  // parallel to items
  };
  // A shopper's last purchase_window distinct products bought, oldest
  // first (inline: no allocation per shopper).
  using Bought = absl::InlinedVector<uint32_t, 5>;
  struct History {
    std::vector<Recent> recent;  // oldest first
    absl::Time last = absl::InfinitePast();
    Bought bought;
  };

  std::optional<uint32_t> FindItem(int64_t product_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  uint32_t ItemIndex(int64_t product_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ObserveLocked(absl::string_view actor, int64_t product_id, Signal signal,
                     absl::Time at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The bucket an event at `at` counts in.
  int64_t BucketOf(absl::Time at) const;
  // The bucket of `at`, holding every known product.
  Bucket& BucketAt(absl::Time at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the buckets wholly older than the window, and the histories.
  void Expire() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddPopularity(Item& item, double weight, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddNeighbour(Item& item, uint32_t neighbour, float weight)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Both ways, between `index` and each product in `bought`; then
  // `index` joins `bought`.
  void AddBoughtWith(std::vector<Extra>& extras, Bought& bought, uint32_t index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds to the decayed counts trending and slow movers read.
  void AddActivity(Extra& extra, double weight, bool purchase, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Keeps a neighbour map within `max_neighbours` (see ModelOptions).
  void Prune(absl::flat_hash_map<uint32_t, float>& neighbours)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetOldestHistories() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void CountChange(std::vector<Extra>& extras, uint32_t index) {
    ++extras[index].changes;
  }

  // Holds the lock as a learning model does (tests of TryRead's callers).
  friend class InteractionModelTestPeer;

  const ModelOptions options_;
  mutable absl::Mutex mu_;
  // Product ids by item index: an index stays valid while buckets go.
  std::vector<int64_t> product_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, uint32_t> index_ ABSL_GUARDED_BY(mu_);
  // By bucket number, oldest first.
  std::map<int64_t, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  // Each shopper's last `window` distinct products, oldest first.
  absl::flat_hash_map<std::string, History> histories_ ABSL_GUARDED_BY(mu_);
  int64_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool forgot_for_room_ ABSL_GUARDED_BY(mu_) = false;
  int64_t neighbour_entries_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time latest_event_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // The model's now for the window: max(latest_event_, AdvanceTo's).
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // The oldest bucket the window still holds at now_.
  int64_t first_kept_bucket_ ABSL_GUARDED_BY(mu_) =
      std::numeric_limits<int64_t>::min();
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_
