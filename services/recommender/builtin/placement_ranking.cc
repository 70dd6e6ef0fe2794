#include "services/recommender/builtin/placement_ranking.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Product;

// What a product page's or a cart's candidate gathered.
struct Candidate {
  const Product* product = nullptr;
  double co_occurrence = 0;  // views, carts and purchases together
  double bought_with = 0;
  double personal = 0;
  double total = 0;
  // The source product (the page's, or the cart item) that gave the most.
  int64_t because = 0;
  double best_contribution = 0;
  bool because_bought = false;
};

bool Allowed(const Product* product,
             const absl::flat_hash_set<int64_t>& exclude) {
  if (product == nullptr || !product->is_active()) return false;
  if (product->has_stock() && product->stock() == 0) return false;
  return !exclude.contains(product->id());
}

std::string NameOf(int64_t product_id, const CatalogSnapshot& catalog) {
  const Product* product = catalog.Find(product_id);
  return product == nullptr ? "this product" : ShortName(product->name());
}

// 60 to 99 by `total` against the best, never above the item before.
double Score(double total, double best, double& previous) {
  const double score = std::min(
      previous, std::round((60 + 39 * std::min(1.0, total / best)) * 10) / 10);
  previous = score;
  return score;
}

class Candidates {
 public:
  Candidates(const PlacementInput& input, const CatalogSnapshot& catalog,
             const InteractionModel::Reader& reader,
             const PlacementOptions& options)
      : input_(input), catalog_(catalog), reader_(reader), options_(options) {}

  // Adds the neighbours of `source`, each contribution times `weight`.
  void AddNeighboursOf(int64_t source, double weight) {
    reader_.ForEachNeighbour(source, [&](int64_t id, float w) {
      if (Candidate* c = Find(id)) Credit(*c, source, weight * w, false);
    });
    reader_.ForEachBoughtWith(source, [&](int64_t id, float w) {
      if (Candidate* c = Find(id)) {
        Credit(*c, source, weight * options_.bought_with_weight * w, true);
      }
    });
  }

  // The shopper's own products shift the order of the candidates found.
  void AddPersonal() {
    if (input_.own.empty() || options_.personal_weight <= 0) return;
    for (const ShopperSource& source :
         ShopperSources(input_.own, options_.ranker)) {
      const double damping =
          std::pow(std::max(1.0, reader_.Shoppers(source.product_id)),
                   options_.source_damping);
      reader_.ForEachNeighbour(source.product_id, [&](int64_t id, float w) {
        auto it = candidates_.find(id);
        if (it != candidates_.end()) {
          it->second.personal += source.weight * w / damping;
        }
      });
    }
  }

  // Best first: the co-occurrence (damped by the candidate's shoppers^
  // `candidate_damping`), normalised, plus the personal shift.
  std::vector<Candidate*> Ranked(double candidate_damping) {
    double best = 0;
    double best_personal = 0;
    for (auto& [id, c] : candidates_) {
      c.total =
          (c.co_occurrence + c.bought_with) /
          std::pow(std::max(1.0, reader_.Shoppers(id)), candidate_damping);
      best = std::max(best, c.total);
      best_personal = std::max(best_personal, c.personal);
    }
    std::vector<Candidate*> ranked;
    for (auto& [_, c] : candidates_) {
      if (c.total <= 0) continue;
      c.total /= best;
      if (best_personal > 0) {
        c.total += options_.personal_weight * c.personal / best_personal;
      }
      ranked.push_back(&c);
    }
    std::sort(ranked.begin(), ranked.end(),
              [](const Candidate* a, const Candidate* b) {
                if (a->total != b->total) return a->total > b->total;
                return a->product->id() > b->product->id();
              });
    return ranked;
  }

 private:
  Candidate* Find(int64_t id) {
    auto it = candidates_.find(id);
    if (it != candidates_.end()) return &it->second;
    const Product* product = catalog_.Find(id);
    if (!Allowed(product, input_.exclude)) return nullptr;
    Candidate& c = candidates_[id];
    c.product = product;
    return &c;
  }

  static void Credit(Candidate& c, int64_t source, double contribution,
                     bool bought) {
    (bought ? c.bought_with : c.co_occurrence) += contribution;
    if (bought) c.because_bought = true;
    if (contribution > c.best_contribution) {
      c.best_contribution = contribution;
      c.because = source;
    }
  }

  const PlacementInput& input_;
  const CatalogSnapshot& catalog_;
  const InteractionModel::Reader& reader_;
  const PlacementOptions& options_;
  absl::flat_hash_map<int64_t, Candidate> candidates_;
};

// A product page's similar products: the active products of the page
// product's category sharing words of its name (its product line, "...
// RETROSPOT ...": what a page without co-occurrence, a product new to the
// shop, has to go on), each word weighted by how rare it is in the category
// (inverse document frequency: "retrospot" tells more than "bag"), words
// of more than `options.line_word_share` of a large category not at all
// ("the", "set"), best first. Equally similar ones go the least popular first:
// the popular ones of a line reach the page through co-occurrence as well, the
// new ones have no other way in.
std::vector<const Product*> ProductLine(const PlacementInput& input,
                                        const CatalogSnapshot& catalog,
                                        const InteractionModel::Reader& reader,
                                        const PlacementOptions& options,
                                        size_t page_size) {
  const Product* page = catalog.Find(input.product_id);
  if (page == nullptr || page->category_id() == 0 || page_size == 0) {
    return {};
  }
  const double in_category =
      static_cast<double>(catalog.ActiveInCategory(page->category_id()).size());
  // A word no more products have than a page holds counts, unless the
  // whole category has it.
  const double most_named =
      std::min(in_category - 1, std::max(options.line_word_share * in_category,
                                         static_cast<double>(page_size)));
  absl::flat_hash_map<const Product*, double> shared;
  for (const std::string& word : NameWords(page->name())) {
    const auto& named =
        catalog.ActiveInCategoryNamed(page->category_id(), word);
    if (static_cast<double>(named.size()) > most_named) continue;
    const double weight =
        std::log((in_category + 1) / (static_cast<double>(named.size()) + 0.5));
    for (const Product* product : named) {
      if (Allowed(product, input.exclude)) shared[product] += weight;
    }
  }
  struct Similar {
    double shared;
    double popularity;
    const Product* product;
  };
  std::vector<Similar> similar;
  similar.reserve(shared.size());
  for (const auto& [product, weight] : shared) {
    similar.push_back({weight, reader.Popularity(product->id()), product});
  }
  // Enough for the page, whichever of them it shows already.
  const size_t keep = std::min(similar.size(), 2 * page_size);
  std::partial_sort(similar.begin(), similar.begin() + keep, similar.end(),
                    [](const Similar& a, const Similar& b) {
                      if (a.shared != b.shared) return a.shared > b.shared;
                      if (a.popularity != b.popularity) {
                        return a.popularity < b.popularity;
                      }
                      return a.product->id() > b.product->id();
                    });
  std::vector<const Product*> line;
  for (size_t i = 0; i < keep; ++i) line.push_back(similar[i].product);
  return line;
}

// The most popular active products of the page product's category that are
// not listed: the last of a product page's fill.
std::vector<const Product*> PopularInCategory(
    const PlacementInput& input, const CatalogSnapshot& catalog,
    const InteractionModel::Reader& reader,
    const absl::flat_hash_set<int64_t>& listed, size_t wanted) {
  const Product* page = catalog.Find(input.product_id);
  if (page == nullptr || page->category_id() == 0 || wanted == 0) return {};
  struct Popular {
    double popularity;
    const Product* product;
  };
  std::vector<Popular> popular;
  for (const Product* product : catalog.ActiveInCategory(page->category_id())) {
    if (!listed.contains(product->id()) && Allowed(product, input.exclude)) {
      popular.push_back({reader.Popularity(product->id()), product});
    }
  }
  const size_t keep = std::min(popular.size(), wanted);
  std::partial_sort(popular.begin(), popular.begin() + keep, popular.end(),
                    [](const Popular& a, const Popular& b) {
                      if (a.popularity != b.popularity) {
                        return a.popularity > b.popularity;
                      }
                      if (a.product->units_sold() != b.product->units_sold()) {
                        return a.product->units_sold() >
                               b.product->units_sold();
                      }
                      return a.product->id() > b.product->id();
                    });
  std::vector<const Product*> list;
  for (size_t i = 0; i < keep; ++i) list.push_back(popular[i].product);
  return list;
}

PlacementInput WithoutSources(const PlacementInput& input) {
  PlacementInput copy = input;
  copy.exclude.insert(input.product_id);
  copy.exclude.insert(input.cart.begin(), input.cart.end());
  return copy;
}

}  // namespace

std::vector<PlacementItem> RankProductPage(const PlacementInput& original,
                                           const CatalogSnapshot& catalog,
                                           const InteractionModel& model,
                                           const PlacementOptions& options) {
  const PlacementInput input = WithoutSources(original);
  const size_t count = static_cast<size_t>(std::max(input.count, 0));
  const InteractionModel::Reader reader = model.Read();
  Candidates candidates(input, catalog, reader, options);
  candidates.AddNeighboursOf(input.product_id, 1.0);
  candidates.AddPersonal();
  const std::vector<Candidate*> ranked =
      candidates.Ranked(options.candidate_damping);
  const std::vector<const Product*> line =
      ProductLine(input, catalog, reader, options, count);

  std::vector<PlacementItem> items;
  absl::flat_hash_set<int64_t> listed;
  const std::string name = NameOf(input.product_id, catalog);
  double previous = 99;
  auto co_occurring = ranked.begin();
  auto add_co_occurring = [&](size_t up_to) {
    for (; co_occurring != ranked.end() && items.size() < up_to;
         ++co_occurring) {
      const Candidate* c = *co_occurring;
      if (!listed.insert(c->product->id()).second) continue;
      items.push_back(
          {.product = c->product,
           .score = Score(c->total, ranked.front()->total, previous),
           .reason = c->because_bought
                         ? absl::StrCat("Often bought with ", name)
                         : absl::StrCat("Customers who viewed ", name,
                                        " also viewed")});
    }
  };
  auto add_similar = [&](const std::vector<const Product*>& products,
                         size_t up_to) {
    for (const Product* product : products) {
      if (items.size() >= up_to) break;
      if (!listed.insert(product->id()).second) continue;
      // Below every co-occurrence item.
      previous = std::max(60.0, std::min(previous, 70.0) - 1);
      items.push_back({.product = product,
                       .score = previous,
                       .reason = absl::StrCat("Similar to ", name),
                       .source = smartshop::v1::SIMILAR});
    }
  };
  // Co-occurrence first, its product line kept in the last places (what is
  // bought next is often the same line in another colour, which a line's
  // newer products have not co-occurred with yet), then the rest of
  // either, then the category's most popular.
  const size_t line_places =
      std::min({count, line.size(),
                static_cast<size_t>(std::max(options.product_line_places, 0))});
  add_co_occurring(count - line_places);
  add_similar(line, count);
  add_co_occurring(count);
  add_similar(line, count);
  add_similar(PopularInCategory(input, catalog, reader, listed,
                                count - std::min(count, items.size())),
              count);
  return items;
}

std::vector<PlacementItem> RankCart(const PlacementInput& original,
                                    const CatalogSnapshot& catalog,
                                    const InteractionModel& model,
                                    const PlacementOptions& options) {
  const PlacementInput input = WithoutSources(original);
  const InteractionModel::Reader reader = model.Read();
  Candidates candidates(input, catalog, reader, options);
  // The last `max_cart_sources` distinct items given (the newest, as carts
  // list them) add candidates; every item stays excluded.
  absl::flat_hash_set<int64_t> seen;
  for (auto it = input.cart.rbegin(); it != input.cart.rend(); ++it) {
    const int64_t item = *it;
    if (static_cast<int>(seen.size()) == options.max_cart_sources) break;
    if (!seen.insert(item).second) continue;
    candidates.AddNeighboursOf(
        item, 1.0 / std::pow(std::max(1.0, reader.Shoppers(item)),
                             options.source_damping));
  }
  candidates.AddPersonal();
  const std::vector<Candidate*> ranked =
      candidates.Ranked(options.cart_candidate_damping);
  const std::vector<Candidate*> chosen =
      Diversify(ranked, input.count, options.ranker.max_per_category);

  std::vector<PlacementItem> items;
  double previous = 99;
  for (const Candidate* c : chosen) {
    const std::string name = NameOf(c->because, catalog);
    items.push_back({.product = c->product,
                     .score = Score(c->total, chosen.front()->total, previous),
                     .reason = c->because_bought
                                   ? absl::StrCat("Often bought with ", name)
                                   : absl::StrCat("Goes well with ", name,
                                                  " in your cart")});
  }
  return items;
}

std::vector<PlacementItem> RankTrending(const PlacementInput& input,
                                        const CatalogSnapshot& catalog,
                                        const InteractionModel& model,
                                        const PlacementOptions& options) {
  const InteractionModel::Reader reader = model.Read();
  struct Rising {
    const Product* product;
    double velocity;
    double recent;
  };
  std::vector<Rising> rising;
  // A category without active products has nothing to rank: no scan.
  if (input.category_id != 0 &&
      catalog.ActiveInCategory(input.category_id).empty()) {
    return {};
  }
  for (int64_t id : reader.AllProducts()) {
    const Product* product = catalog.Find(id);
    if (!Allowed(product, input.exclude) ||
        (input.category_id != 0 &&
         product->category_id() != input.category_id)) {
      continue;
    }
    const Trend trend = reader.TrendOf(id, input.trend_window);
    if (trend.recent < options.trend_min_events) continue;
    const double velocity = (trend.recent + options.trend_prior) /
                            (trend.baseline + options.trend_prior);
    if (velocity > 1) rising.push_back({product, velocity, trend.recent});
  }
  const size_t keep =
      std::min(rising.size(), static_cast<size_t>(std::max(input.count, 0)));
  std::partial_sort(rising.begin(), rising.begin() + keep, rising.end(),
                    [](const Rising& a, const Rising& b) {
                      if (a.velocity != b.velocity) {
                        return a.velocity > b.velocity;
                      }
                      if (a.recent != b.recent) return a.recent > b.recent;
                      return a.product->id() > b.product->id();
                    });
  std::vector<PlacementItem> items;
  double previous = 99;
  for (size_t i = 0; i < keep; ++i) {
    const Product& product = *rising[i].product;
    items.push_back(
        {.product = &product,
         .score = Score(rising[i].velocity, rising.front().velocity, previous),
         .reason = product.category_name().empty()
                       ? std::string("Trending now")
                       : absl::StrCat("Trending in ",
                                      ShortName(product.category_name())),
         .source = smartshop::v1::TRENDING});
  }
  return items;
}

}  // namespace smartshop::recommender
