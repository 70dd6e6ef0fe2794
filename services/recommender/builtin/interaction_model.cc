#include "services/recommender/builtin/interaction_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace smartshop::recommender {
namespace {

// log2(2^a + 2^b) without overflow.
double Log2Add(double a, double b) {
  const double high = std::max(a, b);
  const double low = std::min(a, b);
  return high + std::log2(1.0 + std::exp2(low - high));
}

// The half-lives of Extra::log2_trend; window k is compared with k + 1.
constexpr absl::Duration kTrendHalfLives[] = {absl::Hours(1), absl::Hours(24),
                                              absl::Hours(24 * 7),
                                              absl::Hours(24 * 7 * 8)};

// A decayed count as of `now`, from its log2 at the epoch.
double DecayedAt(double log2_at_epoch, absl::Time now,
                 absl::Duration half_life) {
  if (log2_at_epoch < -1e299) return 0;
  return std::exp2(log2_at_epoch -
                   absl::FDivDuration(now - absl::UnixEpoch(), half_life));
}

}  // namespace

std::optional<Signal> SignalOf(smartshop::v1::InteractionType type) {
  switch (type) {
    case smartshop::v1::VIEW_PRODUCT:
      return Signal::kView;
    case smartshop::v1::ADD_TO_CART:
      return Signal::kCart;
    case smartshop::v1::ORDER_PLACED:
      return Signal::kPurchase;
    default:
      return std::nullopt;
  }
}

InteractionModel::InteractionModel(ModelOptions options) : options_(options) {}

std::string InteractionModel::ActorKey(
    const smartshop::v1::Interaction& event) {
  if (!event.user_id().empty()) return absl::StrCat("u:", event.user_id());
  if (!event.session_key().empty()) {
    return absl::StrCat("s:", event.session_key());
  }
  return "";
}

bool InteractionModel::Observe(const smartshop::v1::Interaction& event) {
  const smartshop::v1::Interaction* one[] = {&event};
  return ObserveAll(one) == 1;
}

int InteractionModel::ObserveAll(
    absl::Span<const smartshop::v1::Interaction* const> events) {
  int learnt = 0;
  std::string actor;  // reused: no allocation per event
  absl::MutexLock lock(&mu_);
  for (const smartshop::v1::Interaction* event : events) {
    const std::optional<Signal> signal = SignalOf(event->type());
    if (!signal || event->product_id() <= 0) continue;
    actor.clear();
    if (!event->user_id().empty()) {
      absl::StrAppend(&actor, "u:", event->user_id());
    } else if (!event->session_key().empty()) {
      absl::StrAppend(&actor, "s:", event->session_key());
    } else {
      continue;
    }
    if (ObserveLocked(actor, event->product_id(), *signal,
                      ToTime(event->timestamp()))) {
      ++learnt;
    }
  }
  return learnt;
}

bool InteractionModel::Observe(absl::string_view actor, int64_t product_id,
                               Signal signal, absl::Time at) {
  absl::MutexLock lock(&mu_);
  return ObserveLocked(actor, product_id, signal, at);
}

void InteractionModel::AdvanceTo(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (now <= now_) return;
  now_ = now;
  Expire();
}

int64_t InteractionModel::BucketOf(absl::Time at) const {
  if (options_.history_window == absl::InfiniteDuration()) return 0;
  return static_cast<int64_t>(std::floor(
      absl::FDivDuration(at - absl::UnixEpoch(),
                         options_.history_window / options_.window_buckets)));
}

InteractionModel::Bucket& InteractionModel::BucketAt(absl::Time at) {
  Bucket& bucket = buckets_[BucketOf(at)];
  if (bucket.items.size() < product_ids_.size()) {
    bucket.items.resize(product_ids_.size());
    bucket.extras.resize(product_ids_.size());
  }
  return bucket;
}

void InteractionModel::Expire() {
  if (options_.history_window == absl::InfiniteDuration()) return;
  const absl::Time cutoff = now_ - options_.history_window;
  const int64_t first_kept = BucketOf(cutoff);
  if (first_kept <= first_kept_bucket_) return;
  first_kept_bucket_ = first_kept;
  for (auto it = buckets_.begin();
       it != buckets_.end() && it->first < first_kept;) {
    for (const Item& item : it->second.items) {
      neighbour_entries_ -= static_cast<int64_t>(item.neighbours.size());
    }
    for (const Extra& extra : it->second.extras) {
      neighbour_entries_ -= static_cast<int64_t>(extra.bought_with.size());
    }
    it = buckets_.erase(it);
  }
  absl::erase_if(histories_,
                 [&](const auto& entry) { return entry.second.last < cutoff; });
}

bool InteractionModel::ObserveLocked(absl::string_view actor,
                                     int64_t product_id, Signal signal,
                                     absl::Time at) {
  if (actor.empty() || product_id <= 0) return false;
  if (at > now_) {
    now_ = at;
    Expire();
  }
  // Out of the window already: neither learnt nor kept.
  if (BucketOf(at) < first_kept_bucket_ ||
      at < now_ - options_.history_window) {
    return false;
  }
  ++events_;
  latest_event_ = std::max(latest_event_, at);
  const uint32_t index = ItemIndex(product_id);
  Bucket& bucket = BucketAt(at);
  std::vector<Item>& items = bucket.items;
  std::vector<Extra>& extras = bucket.extras;
  auto [entry, new_actor] = histories_.try_emplace(actor);
  entry->second.last = std::max(entry->second.last, at);
  std::vector<Recent>& history = entry->second.recent;
  auto seen = std::find_if(history.begin(), history.end(),
                           [&](const Recent& r) { return r.item == index; });
  if (seen != history.end()) {
    // (A repeat never creates an actor, so no eviction is due here.)
    // Already in this shopper's window (a purchase after the view, say):
    // only a stronger signal adds to popularity; co-occurrence is counted.
    if (signal > seen->signal) {
      CountChange(extras, index);
      const double bonus = signal == Signal::kPurchase
                               ? options_.popularity_purchase_bonus
                               : options_.popularity_cart_bonus;
      AddPopularity(items[index], bonus, at);
      AddActivity(extras[index], bonus, signal == Signal::kPurchase, at);
      if (signal == Signal::kPurchase) {
        AddBoughtWith(extras, entry->second.bought, index);
      }
      seen->signal = signal;
    }
    return true;
  }
  for (const Recent& earlier : history) {
    AddNeighbour(items[earlier.item], index, options_.forward_weight);
    AddNeighbour(items[index], earlier.item, options_.backward_weight);
    CountChange(extras, earlier.item);
  }
  CountChange(extras, index);
  Item& item = items[index];
  item.shoppers += 1;
  double weight = 1;
  if (signal >= Signal::kCart) weight += options_.popularity_cart_bonus;
  if (signal == Signal::kPurchase) weight += options_.popularity_purchase_bonus;
  AddPopularity(item, weight, at);
  AddActivity(extras[index], weight, signal == Signal::kPurchase, at);
  if (signal == Signal::kPurchase) {
    AddBoughtWith(extras, entry->second.bought, index);
  }
  history.push_back({index, signal});
  if (static_cast<int>(history.size()) > options_.window) {
    history.erase(history.begin());
  }
  if (new_actor &&
      histories_.size() > static_cast<size_t>(options_.max_histories)) {
    ForgetOldestHistories();
  }
  return true;
}

void InteractionModel::ForgetOldestHistories() {
  forgot_for_room_ = true;
  std::vector<absl::Time> lasts;
  lasts.reserve(histories_.size());
  for (const auto& [_, h] : histories_) lasts.push_back(h.last);
  const size_t keep =
      std::max<size_t>(1, static_cast<size_t>(options_.max_histories) / 2);
  std::nth_element(lasts.begin(), lasts.end() - keep, lasts.end());
  const absl::Time oldest_kept = *(lasts.end() - keep);
  absl::erase_if(histories_, [&](const auto& entry) {
    return entry.second.last < oldest_kept;
  });
}

bool InteractionModel::Knows(absl::string_view actor) const {
  return Read().Knows(actor);
}

bool InteractionModel::KnowsEveryShopper() const {
  return Read().KnowsEveryShopper();
}

bool InteractionModel::ForgetActor(absl::string_view actor) {
  absl::MutexLock lock(&mu_);
  return histories_.erase(actor) > 0;
}

uint32_t InteractionModel::ItemIndex(int64_t product_id) {
  auto [it, inserted] = index_.try_emplace(
      product_id, static_cast<uint32_t>(product_ids_.size()));
  if (inserted) product_ids_.push_back(product_id);
  return it->second;
}

std::optional<uint32_t> InteractionModel::FindItem(int64_t product_id) const {
  auto it = index_.find(product_id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void InteractionModel::AddPopularity(Item& item, double weight, absl::Time at) {
  const double half_lives =
      absl::FDivDuration(at - absl::UnixEpoch(), options_.popularity_half_life);
  item.log2_popularity =
      Log2Add(item.log2_popularity, half_lives + std::log2(weight));
}

void InteractionModel::AddActivity(Extra& item, double weight, bool purchase,
                                   absl::Time at) {
  for (size_t k = 0; k < item.log2_trend.size(); ++k) {
    item.log2_trend[k] =
        Log2Add(item.log2_trend[k],
                absl::FDivDuration(at - absl::UnixEpoch(), kTrendHalfLives[k]) +
                    std::log2(weight));
  }
  if (purchase) {
    item.log2_purchases = Log2Add(
        item.log2_purchases, absl::FDivDuration(at - absl::UnixEpoch(),
                                                options_.popularity_half_life));
  }
}

void InteractionModel::AddBoughtWith(std::vector<Extra>& extras, Bought& bought,
                                     uint32_t index) {
  if (std::find(bought.begin(), bought.end(), index) != bought.end()) return;
  for (uint32_t earlier : bought) {
    CountChange(extras, earlier);
    for (auto [from, to] :
         {std::pair{earlier, index}, std::pair{index, earlier}}) {
      auto [it, inserted] = extras[from].bought_with.try_emplace(to, 0.0f);
      it->second += 1;
      if (inserted) {
        ++neighbour_entries_;
        Prune(extras[from].bought_with);
      }
    }
  }
  bought.push_back(index);
  if (static_cast<int>(bought.size()) > options_.purchase_window) {
    bought.erase(bought.begin());
  }
}

void InteractionModel::AddNeighbour(Item& item, uint32_t neighbour,
                                    float weight) {
  auto [it, inserted] = item.neighbours.try_emplace(neighbour, 0.0f);
  it->second += weight;
  if (!inserted) return;
  ++neighbour_entries_;
  Prune(item.neighbours);
}

void InteractionModel::Prune(absl::flat_hash_map<uint32_t, float>& neighbours) {
  const size_t cap = static_cast<size_t>(options_.max_neighbours);
  if (neighbours.size() <= 2 * cap) return;
  // Keep the `cap` strongest, ties going to the product learnt first: the
  // result must not depend on the hash map's (per-process) iteration order.
  std::vector<std::pair<float, uint32_t>> entries;
  entries.reserve(neighbours.size());
  for (const auto& [index, w] : neighbours) entries.emplace_back(w, index);
  auto stronger = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::nth_element(entries.begin(), entries.begin() + (cap - 1), entries.end(),
                   stronger);
  const std::pair<float, uint32_t> weakest_kept = entries[cap - 1];
  const size_t before = neighbours.size();
  absl::erase_if(neighbours, [&](const auto& entry) {
    return stronger(weakest_kept, std::make_pair(entry.second, entry.first));
  });
  neighbour_entries_ -= static_cast<int64_t>(before - neighbours.size());
}

double InteractionModel::Reader::Shoppers(int64_t product_id) const {
  return SumOverBuckets<double>(
      product_id, [](const Item& item, const Extra&) { return item.shoppers; });
}

uint64_t InteractionModel::Reader::Changes(int64_t product_id) const {
  return SumOverBuckets<uint64_t>(
      product_id,
      [](const Item&, const Extra& extra) { return extra.changes; });
}

Trend InteractionModel::Reader::TrendOf(int64_t product_id,
                                        TrendWindow window) const {
  const std::optional<uint32_t> index = model_.FindItem(product_id);
  if (!index) return {};
  const size_t k = static_cast<size_t>(window);
  double log2_recent = -1e300;
  double log2_baseline = -1e300;
  for (const auto& [_, bucket] : model_.buckets_) {
    if (*index >= bucket.extras.size()) continue;
    const Extra& item = bucket.extras[*index];
    log2_recent = Log2Add(log2_recent, item.log2_trend[k]);
    log2_baseline = Log2Add(log2_baseline, item.log2_trend[k + 1]);
  }
  // A decayed count with half-life h is about the events of the last
  // h / ln 2; the baseline's is scaled to the window's length.
  const absl::Duration recent_life = kTrendHalfLives[k];
  const absl::Duration baseline_life = kTrendHalfLives[k + 1];
  // With a history window, what is older has been forgotten: a decayed
  // count then holds only 1 - 2^(-window / half-life) of a steady rate.
  auto kept = [&](absl::Duration half_life) {
    const absl::Duration window = model_.options_.history_window;
    if (window == absl::InfiniteDuration()) return 1.0;
    return 1.0 - std::exp2(-absl::FDivDuration(window, half_life));
  };
  return {.recent = DecayedAt(log2_recent, model_.latest_event_, recent_life) /
                    kept(recent_life),
          .baseline =
              DecayedAt(log2_baseline, model_.latest_event_, baseline_life) *
              absl::FDivDuration(recent_life, baseline_life) /
              kept(baseline_life)};
}

double InteractionModel::Reader::RecentPurchases(int64_t product_id) const {
  const std::optional<uint32_t> index = model_.FindItem(product_id);
  if (!index) return 0;
  double log2_purchases = -1e300;
  for (const auto& [_, bucket] : model_.buckets_) {
    if (*index < bucket.extras.size()) {
      log2_purchases =
          Log2Add(log2_purchases, bucket.extras[*index].log2_purchases);
    }
  }
  return DecayedAt(log2_purchases, model_.latest_event_,
                   model_.options_.popularity_half_life);
}

double InteractionModel::Reader::Popularity(int64_t product_id) const {
  const std::optional<uint32_t> index = model_.FindItem(product_id);
  if (!index) return 0;
  double log2_popularity = -1e300;
  for (const auto& [_, bucket] : model_.buckets_) {
    if (*index < bucket.items.size()) {
      log2_popularity =
          Log2Add(log2_popularity, bucket.items[*index].log2_popularity);
    }
  }
  // Relative to the newest event, so values stay in range.
  const double now =
      absl::FDivDuration(model_.latest_event_ - absl::UnixEpoch(),
                         model_.options_.popularity_half_life);
  return std::exp2(log2_popularity - now);
}

std::vector<std::pair<int64_t, double>>
InteractionModel::Reader::AllPopularities() const {
  std::vector<std::pair<int64_t, double>> all;
  all.reserve(model_.product_ids_.size());
  for (int64_t product_id : model_.product_ids_) {
    all.emplace_back(product_id, Popularity(product_id));
  }
  return all;
}

int64_t InteractionModel::events_observed() const {
  absl::ReaderMutexLock lock(&mu_);
  return events_;
}

int64_t InteractionModel::products() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int64_t>(product_ids_.size());
}

int64_t InteractionModel::buckets() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int64_t>(buckets_.size());
}

int64_t InteractionModel::histories() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int64_t>(histories_.size());
}

int64_t InteractionModel::neighbour_entries() const {
  absl::ReaderMutexLock lock(&mu_);
  return neighbour_entries_;
}

int64_t InteractionModel::ApproximateBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  // A flat_hash_map slot is the value plus one control byte.
  auto map_bytes = [](size_t capacity, size_t slot) {
    return static_cast<int64_t>(capacity * (slot + 1));
  };
  int64_t bytes =
      static_cast<int64_t>(product_ids_.capacity() * sizeof(int64_t));
  for (const auto& [_, bucket] : buckets_) {
    bytes += static_cast<int64_t>(bucket.items.capacity() * sizeof(Item) +
                                  bucket.extras.capacity() * sizeof(Extra));
    for (const Extra& extra : bucket.extras) {
      bytes += map_bytes(extra.bought_with.capacity(),
                         sizeof(std::pair<uint32_t, float>));
    }
    for (const Item& item : bucket.items) {
      bytes += map_bytes(item.neighbours.capacity(),
                         sizeof(std::pair<uint32_t, float>));
    }
  }
  bytes += map_bytes(index_.capacity(), sizeof(std::pair<int64_t, uint32_t>));
  bytes +=
      map_bytes(histories_.capacity(), sizeof(std::pair<std::string, History>));
  for (const auto& [actor, history] : histories_) {
    if (actor.size() > 15) bytes += static_cast<int64_t>(actor.capacity());
    bytes += static_cast<int64_t>(history.recent.capacity() * sizeof(Recent));
  }
  return bytes;
}

}  // namespace smartshop::recommender
