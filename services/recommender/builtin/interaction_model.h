// What the builtin ranker learns from the event stream, kept in memory:
// item-to-item co-occurrence within each shopper's recent history ("viewed /
// carted / bought together"), each item's number of shoppers, and a
// popularity that decays with a half-life ("trending"). Learns one event at
// a time, so it is built by replaying the history once and then kept
// current from the live stream.
//
// The recipe (window 20, forward 1 / backward 0.3, rows capped at 300 of
// 600, 7-day half-life) was chosen by offline evaluation on MovieLens; see
// tools/eval and the README's table.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::recommender {

// How strongly a shopper showed interest in a product, weakest first.
enum class Signal : uint8_t { kView = 0, kCart = 1, kPurchase = 2 };

// The signal of an interaction type, if it is one the models use.
std::optional<Signal> SignalOf(smartshop::v1::InteractionType type);

struct ModelOptions {
  // Distinct products per shopper that a new product co-occurs with.
  int window = 20;
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

  // Read access under a shared lock, for one ranking. Not copyable; keep it
  // for the duration of a ranking only.
  class Reader {
   public:
    explicit Reader(const InteractionModel& model)
        : model_(model), lock_(&model.mu_) {}
    // Calls `visit(neighbour_id, weight)` for each neighbour of `product_id`.
    template <typename Visit>
    void ForEachNeighbour(int64_t product_id, Visit visit) const {
      const Item* item = model_.FindItem(product_id);
      if (item == nullptr) return;
      for (const auto& [index, weight] : item->neighbours) {
        visit(model_.items_[index].product_id, weight);
      }
    }
    // Shoppers who interacted with the product (0 when unknown).
    double Shoppers(int64_t product_id) const;
    // Decayed popularity in arbitrary units, comparable between products
    // (0 when unknown).
    double Popularity(int64_t product_id) const;
    // Every product the model knows, with its popularity.
    std::vector<std::pair<int64_t, double>> AllPopularities() const;
    // The newest event time observed: the shop's own clock, which is the
    // right "now" even when old data is replayed.
    absl::Time latest_event() const { return model_.latest_event_; }

   private:
    const InteractionModel& model_;
    absl::ReaderMutexLock lock_;
  };
  Reader Read() const { return Reader(*this); }

  int64_t events_observed() const;
  int64_t products() const;
  int64_t histories() const;
  int64_t neighbour_entries() const;
  // Heap bytes held, estimated from container capacities.
  int64_t ApproximateBytes() const;

  // Forgets a shopper's recent products (erasure); true if there were any.
  bool ForgetActor(absl::string_view actor);

  // "u:<user>" for a user id, else "s:<session>"; empty when both are.
  static std::string ActorKey(const smartshop::v1::Interaction& event);

 private:
  struct Item {
    int64_t product_id = 0;
    double shoppers = 0;
    // log2 of sum(weight * 2^((t - epoch) / half-life)): order-independent
    // and never overflows, so replayed old events decay correctly.
    double log2_popularity = -1e300;
    absl::flat_hash_map<uint32_t, float> neighbours = {};
  };
  struct Recent {
    uint32_t item;
    Signal signal;
  };
  struct History {
    std::vector<Recent> recent;  // oldest first
    absl::Time last = absl::InfinitePast();
  };

  const Item* FindItem(int64_t product_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  uint32_t ItemIndex(int64_t product_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddPopularity(Item& item, double weight, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddNeighbour(Item& item, uint32_t neighbour, float weight)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetOldestHistories() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ModelOptions options_;
  mutable absl::Mutex mu_;
  std::vector<Item> items_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, uint32_t> index_ ABSL_GUARDED_BY(mu_);
  // Each shopper's last `window` distinct products, oldest first.
  absl::flat_hash_map<std::string, History> histories_ ABSL_GUARDED_BY(mu_);
  int64_t events_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t neighbour_entries_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time latest_event_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_H_
