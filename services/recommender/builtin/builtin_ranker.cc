#include "services/recommender/builtin/builtin_ranker.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Product;

constexpr size_t kMaxNameInReason = 150;

using Source = ShopperSource;

struct Candidate {
  const Product* product = nullptr;
  double personal = 0;    // co-occurrence score
  double popularity = 0;  // decayed popularity
  double best_contribution = 0;
  const Source* because = nullptr;  // the source that contributed most
  double total = 0;
};

double SignalWeight(Signal signal, const RankerOptions& options) {
  switch (signal) {
    case Signal::kPurchase:
      return options.purchase_weight;
    case Signal::kCart:
      return options.cart_weight;
    default:
      return options.view_weight;
  }
}

std::string Reason(const Candidate& c, const CatalogSnapshot& catalog) {
  if (c.because != nullptr) {
    const Product* source = catalog.Find(c.because->product_id);
    const std::string name =
        source == nullptr ? "something you liked" : ShortName(source->name());
    switch (c.because->signal) {
      case Signal::kPurchase:
        return absl::StrCat("Often bought with ", name);
      case Signal::kCart:
        return absl::StrCat("Goes well with ", name, " in your cart");
      default:
        return absl::StrCat("Often viewed with ", name);
    }
  }
  if (!c.product->category_name().empty()) {
    return absl::StrCat("Trending in ", ShortName(c.product->category_name()));
  }
  return "Trending now";
}

bool Allowed(const Product* product, const RankingInput& input,
             const absl::flat_hash_set<int64_t>& own) {
  if (product == nullptr || !product->is_active()) return false;
  if (product->has_stock() && product->stock() == 0) return false;
  if (input.category_id != 0 && product->category_id() != input.category_id) {
    return false;
  }
  return !input.exclude.contains(product->id()) && !own.contains(product->id());
}

}  // namespace

std::string ShortName(const std::string& name) {
  if (name.size() <= kMaxNameInReason) return name;
  size_t end = kMaxNameInReason;
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) {
    --end;
  }
  return absl::StrCat(name.substr(0, end), "…");
}

std::vector<ShopperSource> ShopperSources(const std::vector<ShopperEvent>& own,
                                          const RankerOptions& options) {
  std::vector<ShopperSource> sources;
  absl::flat_hash_map<int64_t, size_t> position;
  for (const ShopperEvent& event : own) {
    auto [it, inserted] = position.try_emplace(event.product_id, 0);
    if (!inserted) {
      ShopperSource& s = sources[it->second];
      s.signal = std::max(s.signal, event.signal);
      continue;
    }
    if (static_cast<int>(sources.size()) == options.sources) {
      position.erase(it);
      continue;  // still upgrade signals of the kept ones
    }
    it->second = sources.size();
    sources.push_back({event.product_id, event.signal, 0});
  }
  double decay = 1;
  for (ShopperSource& s : sources) {
    s.weight = decay * SignalWeight(s.signal, options);
    decay *= options.position_decay;
  }
  return sources;
}

std::vector<RankedItem> RankBuiltin(const RankingInput& input,
                                    const CatalogSnapshot& catalog,
                                    const InteractionModel& model,
                                    const RankerOptions& options) {
  const std::vector<Source> sources = ShopperSources(input.own, options);
  absl::flat_hash_set<int64_t> own;
  for (const ShopperEvent& e : input.own) own.insert(e.product_id);

  const InteractionModel::Reader reader = model.Read();
  absl::flat_hash_map<int64_t, Candidate> candidates;
  auto candidate = [&](int64_t id) -> Candidate* {
    auto it = candidates.find(id);
    if (it != candidates.end()) return &it->second;
    const Product* product = catalog.Find(id);
    if (!Allowed(product, input, own)) return nullptr;
    Candidate& c = candidates[id];
    c.product = product;
    return &c;
  };

  for (const Source& source : sources) {
    const double damping =
        std::pow(std::max(1.0, reader.Shoppers(source.product_id)),
                 options.source_damping);
    reader.ForEachNeighbour(source.product_id, [&](int64_t id, float weight) {
      Candidate* c = candidate(id);
      if (c == nullptr) return;
      const double contribution = source.weight * weight / damping;
      c->personal += contribution;
      if (contribution > c->best_contribution) {
        c->best_contribution = contribution;
        c->because = &source;
      }
    });
  }
  for (const auto& [id, popularity] : reader.AllPopularities()) {
    if (popularity <= 0) continue;
    if (Candidate* c = candidate(id)) c->popularity = popularity;
  }

  double max_personal = 0;
  double max_popularity = 0;
  for (const auto& [_, c] : candidates) {
    max_personal = std::max(max_personal, c.personal);
    max_popularity = std::max(max_popularity, c.popularity);
  }
  double freshness = 0;
  if (!input.own.empty()) {
    const absl::Time now =
        std::max(input.now.value_or(reader.latest_event()), input.own[0].at);
    freshness = std::exp2(-absl::FDivDuration(now - input.own[0].at,
                                              options.freshness_half_life));
  }
  std::vector<const Candidate*> ranked;
  ranked.reserve(candidates.size());
  for (auto& [_, c] : candidates) {
    const double personal =
        max_personal > 0 ? freshness * c.personal / max_personal : 0;
    const double popular =
        max_popularity > 0
            ? options.popularity_weight * c.popularity / max_popularity
            : 0;
    c.total = personal + popular;
    // The reason names the stronger part.
    if (personal < popular) c.because = nullptr;
    if (c.total > 0) ranked.push_back(&c);
  }
  const size_t keep = std::min(
      ranked.size(), static_cast<size_t>(std::max(input.count, 0)) * 4 + 32);
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                    [](const Candidate* a, const Candidate* b) {
                      if (a->total != b->total) return a->total > b->total;
                      return a->product->id() > b->product->id();
                    });
  ranked.resize(keep);

  std::vector<RankedItem> items;
  const std::vector<const Candidate*> chosen =
      Diversify(ranked, input.count, options.max_per_category);
  const double best = chosen.empty() ? 1 : chosen.front()->total;
  double previous = 99;
  for (const Candidate* c : chosen) {
    // Never above an item listed earlier (held-back items come last).
    const double score = std::min(
        previous,
        std::round((60 + 39 * std::min(1.0, c->total / best)) * 10) / 10);
    previous = score;
    items.push_back({.product = c->product,
                     .score = score,
                     .reason = Reason(*c, catalog),
                     .personal = c->because != nullptr});
  }
  return items;
}

}  // namespace smartshop::recommender
