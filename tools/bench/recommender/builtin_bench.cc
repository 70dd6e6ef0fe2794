// builtin_bench: the builtin ranker at the size the issue names. Builds the
// co-occurrence model from 1 000 000 synthetic interactions over 10 000
// products (shoppers with a favourite category, Zipf popularity), reports
// its memory (the model's own estimate and the process's resident growth,
// per interaction), then times cache-miss RecommendationEngine::Get with the
// builtin ranker for new users, beside the original approach's miss path
// (aggregation, prompt, a model that answers at once, parsing, matching) on
// the same catalog, and cache-miss product pages and carts (issue 14's
// placements) against their own target. A benchmark, not a test: a missed
// target is reported.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/placement_version.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tools/bench/recommender/latency.h"
#include "tools/bench/recommender/miss_bench.h"
#include "tools/bench/recommender/synthetic_shop.h"

ABSL_FLAG(int, products, 10'000, "catalog size");
ABSL_FLAG(int, interactions, 1'000'000, "interactions the model learns");
ABSL_FLAG(int, shoppers, 100'000, "distinct shoppers in the history");
ABSL_FLAG(int, calls, 2'000, "measured cache-miss calls");
ABSL_FLAG(absl::Duration, p99_target, absl::Milliseconds(20),
          "largest builtin miss p99");
ABSL_FLAG(absl::Duration, placement_p99_target, absl::Milliseconds(5),
          "largest product page and cart miss p99");
ABSL_FLAG(uint64_t, seed, 42, "random seed");

namespace smartshop::recommender::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t ResidentBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// Each shopper browses their favourite category (Zipf over categories and
// over products within it), carting some views and ordering some carts.
void Learn(const std::vector<smartshop::v1::Product>& catalog, int events,
           int shoppers, uint64_t seed, InteractionModel& model) {
  std::map<int64_t, std::vector<int64_t>> by_category;
  for (const auto& p : catalog) by_category[p.category_id()].push_back(p.id());
  std::vector<std::vector<int64_t>> categories;
  for (auto& [_, ids] : by_category) categories.push_back(std::move(ids));
  std::mt19937_64 rng(seed);
  auto zipf_index = [&](size_t n) {
    // Inverse-CDF of a ~1/rank law over n items.
    std::uniform_real_distribution<double> u(0, 1);
    return std::min(n - 1, static_cast<size_t>(
                               std::pow(static_cast<double>(n), u(rng)) - 1));
  };
  std::uniform_int_distribution<int> shopper(0, shoppers - 1);
  std::uniform_real_distribution<double> chance(0, 1);
  absl::Time at = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < events; ++i) {
    const int s = shopper(rng);
    const auto& category = categories[(s * 7919) % categories.size()];
    const int64_t product = category[zipf_index(category.size())];
    const std::string actor = absl::StrCat("u:shopper-", s);
    at += absl::Seconds(1);
    Signal signal = Signal::kView;
    const double roll = chance(rng);
    if (roll < 0.05) {
      signal = Signal::kPurchase;
    } else if (roll < 0.15) {
      signal = Signal::kCart;
    }
    model.Observe(actor, product, signal, at);
  }
}

// Times `calls` cache-miss Gets (after 100 warm-up calls), each of
// `request(i)`; an error unless each answer is 8 items of `strategy`.
absl::StatusOr<LatencySummary> TimeMisses(
    RecommendationEngine& engine, int calls, smartshop::v1::Strategy strategy,
    const std::function<smartshop::v1::GetRecommendationsRequest(int)>&
        request) {
  std::vector<int64_t> nanos;
  for (int i = 0; i < calls + 100; ++i) {
    const smartshop::v1::GetRecommendationsRequest r = request(i);
    const SteadyClock::time_point start = SteadyClock::now();
    auto answer = engine.Get(r, absl::Now() + absl::Seconds(10));
    const int64_t ns =
        (SteadyClock::now() - start) / std::chrono::nanoseconds(1);
    if (!answer.ok() || answer->strategy() != strategy ||
        answer->items_size() != 8 || answer->cache_hit()) {
      return absl::InternalError(absl::StrCat(
          "expected 8 ", smartshop::v1::Strategy_Name(strategy),
          " items computed afresh, got ",
          answer.ok()
              ? absl::StrCat(smartshop::v1::Strategy_Name(answer->strategy()),
                             " with ", answer->items_size(), " items",
                             answer->cache_hit() ? " from the cache" : "")
              : answer.status().ToString()));
    }
    if (i >= 100) nanos.push_back(ns);
  }
  return Summarize(std::move(nanos));
}

// Times `calls` local-cache hits (GetIfLocal: what the gRPC thread answers
// without I/O), cycling over `requests`, each answered once first; an
// error unless every call is such a hit.
absl::StatusOr<LatencySummary> TimeLocalHits(
    RecommendationEngine& engine, int calls,
    const std::vector<smartshop::v1::GetRecommendationsRequest>& requests) {
  for (const auto& r : requests) {
    if (!engine.Get(r, absl::Now() + absl::Seconds(10)).ok()) {
      return absl::InternalError("a request to warm the cache failed");
    }
  }
  std::vector<int64_t> nanos;
  for (int i = 0; i < calls + 100; ++i) {
    const smartshop::v1::GetRecommendationsRequest& r =
        requests[i % requests.size()];
    const SteadyClock::time_point start = SteadyClock::now();
    auto answer = engine.GetIfLocal(r);
    const int64_t ns =
        (SteadyClock::now() - start) / std::chrono::nanoseconds(1);
    if (!answer.has_value() || !answer->ok() || !(*answer)->cache_hit()) {
      return absl::InternalError(absl::StrCat(
          "expected a local hit, got ",
          answer.has_value() ? answer->status().ToString() : "a miss"));
    }
    if (i >= 100) nanos.push_back(ns);
  }
  return Summarize(std::move(nanos));
}

int Run() {
  const int products = absl::GetFlag(FLAGS_products);
  const int interactions = absl::GetFlag(FLAGS_interactions);
  const int calls = absl::GetFlag(FLAGS_calls);
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  ShopOptions shop;
  shop.products = products;
  shop.seed = seed;
  std::vector<smartshop::v1::Product> catalog = MakeCatalog(shop);

  const int64_t rss_before = ResidentBytes();
  InteractionModel model;
  const SteadyClock::time_point build_start = SteadyClock::now();
  Learn(catalog, interactions, absl::GetFlag(FLAGS_shoppers), seed, model);
  const double build_s =
      std::chrono::duration<double>(SteadyClock::now() - build_start).count();
  const int64_t rss_growth = ResidentBytes() - rss_before;
  const int64_t model_bytes = model.ApproximateBytes();

  SyntheticTrackingReader reader(catalog, 256, seed);
  CatalogRefresher refresher(&reader, absl::Hours(1), absl::Seconds(5));
  if (absl::Status loaded = refresher.Refresh(); !loaded.ok()) {
    std::cerr << "error: " << loaded << std::endl;
    return EXIT_FAILURE;
  }
  testing::FakeRecommendationCache cache;
  const PromptBuilder prompt = *PromptBuilder::Create({});
  auto make_engine = [&](const EngineOptions& options) {
    return std::make_unique<RecommendationEngine>(
        &reader, &refresher, &cache,
        MakeRankerChain(nullptr, prompt, options, &model, nullptr), options,
        Clock::Real(), nullptr, &model,
        MakePlacementChains(nullptr, prompt, options, &model, nullptr));
  };
  const std::unique_ptr<RecommendationEngine> miss_engine =
      make_engine(EngineOptions{});
  RecommendationEngine& engine = *miss_engine;
  // New users: every call a miss.
  absl::StatusOr<LatencySummary> home =
      TimeMisses(engine, calls, smartshop::v1::STRATEGY_BUILTIN, [](int i) {
        smartshop::v1::GetRecommendationsRequest request;
        request.set_user_id(absl::StrCat("bench-user-", i));
        return request;
      });
  // Product pages and carts of popular products (Zipf over the catalog),
  // for new users (personalised: a tracking read, the personal shift).
  std::mt19937_64 rng(seed + 1);
  auto popular_product = [&] {
    std::uniform_real_distribution<double> u(0, 1);
    return catalog[std::min<size_t>(
                       catalog.size() - 1,
                       static_cast<size_t>(std::pow(
                           static_cast<double>(catalog.size()), u(rng))) -
                           1)]
        .id();
  };
  absl::StatusOr<LatencySummary> product_page =
      TimeMisses(engine, calls, smartshop::v1::STRATEGY_BUILTIN, [&](int i) {
        smartshop::v1::GetRecommendationsRequest request;
        request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
        request.set_product_id(popular_product());
        request.set_user_id(absl::StrCat("page-user-", i));
        return request;
      });
  absl::StatusOr<LatencySummary> cart =
      TimeMisses(engine, calls, smartshop::v1::STRATEGY_BUILTIN, [&](int i) {
        smartshop::v1::GetRecommendationsRequest request;
        request.set_placement(smartshop::v1::PLACEMENT_CART);
        for (int k = 0; k < 3; ++k) {
          request.add_cart_product_ids(popular_product());
        }
        request.set_user_id(absl::StrCat("cart-user-", i));
        return request;
      });
  for (const auto* run : {&home, &product_page, &cart}) {
    if (!run->ok()) {
      std::cerr << "error: " << run->status() << std::endl;
      return EXIT_FAILURE;
    }
  }
  const LatencySummary builtin = *home;

  // Shared answers served from memory: the home page's (its key needs
  // nothing) against the product page's and the cart's, whose keys carry
  // the version of their inputs (placement_version.h).
  EngineOptions hit_options;
  hit_options.local_cache.ttl = absl::Minutes(10);
  const std::unique_ptr<RecommendationEngine> hit_engine_owner =
      make_engine(hit_options);
  RecommendationEngine& hit_engine = *hit_engine_owner;
  std::vector<smartshop::v1::GetRecommendationsRequest> home_hits(1);
  std::vector<smartshop::v1::GetRecommendationsRequest> page_hits(100);
  std::vector<smartshop::v1::GetRecommendationsRequest> cart_hits(100);
  for (size_t i = 0; i < page_hits.size(); ++i) {
    page_hits[i].set_placement(smartshop::v1::PLACEMENT_PRODUCT);
    page_hits[i].set_product_id(popular_product());
    cart_hits[i].set_placement(smartshop::v1::PLACEMENT_CART);
    // The largest basket a request may name.
    for (int k = 0; k < 100; ++k) {
      cart_hits[i].add_cart_product_ids(popular_product());
    }
  }
  absl::StatusOr<LatencySummary> home_hit =
      TimeLocalHits(hit_engine, calls, home_hits);
  absl::StatusOr<LatencySummary> page_hit =
      TimeLocalHits(hit_engine, calls, page_hits);
  absl::StatusOr<LatencySummary> cart_hit =
      TimeLocalHits(hit_engine, calls, cart_hits);
  for (const auto* run : {&home_hit, &page_hit, &cart_hit}) {
    if (!run->ok()) {
      std::cerr << "error: local hits: " << run->status() << std::endl;
      return EXIT_FAILURE;
    }
  }
  // Of a basket's hit, what its key's version takes.
  std::vector<int64_t> version_nanos;
  const std::shared_ptr<const CatalogSnapshot> snapshot = refresher.Current();
  for (int i = 0; i < calls; ++i) {
    const SteadyClock::time_point start = SteadyClock::now();
    const std::optional<std::string> version = PlacementInputsVersion(
        cart_hits[i % cart_hits.size()], &model, snapshot.get(),
        /*may_wait=*/false);
    version_nanos.push_back((SteadyClock::now() - start) /
                            std::chrono::nanoseconds(1));
    if (!version.has_value()) {
      std::cerr << "error: the version waited for an idle model" << std::endl;
      return EXIT_FAILURE;
    }
  }
  const LatencySummary cart_version = Summarize(std::move(version_nanos));

  MissOptions original_options;
  original_options.products = products;
  original_options.calls = calls;
  original_options.seed = seed;
  absl::StatusOr<MissRun> original = RunMissBench(original_options);
  if (!original.ok()) {
    std::cerr << "error: original miss path: " << original.status()
              << std::endl;
    return EXIT_FAILURE;
  }

  const absl::Duration target = absl::GetFlag(FLAGS_p99_target);
  const absl::Duration placement_target =
      absl::GetFlag(FLAGS_placement_p99_target);
  const bool placements_met =
      product_page->p99 <= placement_target && cart->p99 <= placement_target;
  std::cout << absl::StrFormat(
      "builtin ranker at scale: %d interactions, %d products, %d shoppers\n"
      "  model build            %.1f s (%.0f events/s)\n"
      "  model memory           %.1f MiB by its own estimate, %.1f MiB "
      "resident growth\n"
      "  per interaction        %.0f bytes (estimate), %.0f bytes (resident)\n"
      "  co-occurrence entries  %d, histories %d\n\n"
      "cache-miss GetRecommendations, the service's own time (%d calls, new "
      "users)\n"
      "  %-42s p50 %8s ms  p99 %8s ms  max %8s ms\n"
      "  %-42s p50 %8s ms  p99 %8s ms  max %8s ms\n"
      "  %-42s p50 %8s ms  p99 %8s ms  max %8s ms\n"
      "  %-42s p50 %8s ms  p99 %8s ms  max %8s ms\n"
      "  (the original approach also waits for the model: about 1 to 5 s "
      "for gpt-4o-mini)\n\n"
      "target: builtin p99 <= %s ms: %s\n"
      "target: product page and cart p99 <= %s ms: %s\n\n"
      "shared answers from the local cache (GetIfLocal, %d calls)\n"
      "  %-42s p50 %8s us  p99 %8s us\n"
      "  %-42s p50 %8s us  p99 %8s us  (p50 %.1fx the home page's)\n"
      "  %-42s p50 %8s us  p99 %8s us  (p50 %.1fx the home page's)\n"
      "  %-42s p50 %8s us  p99 %8s us\n",
      interactions, products, absl::GetFlag(FLAGS_shoppers), build_s,
      interactions / build_s, model_bytes / 1048576.0, rss_growth / 1048576.0,
      static_cast<double>(model_bytes) / interactions,
      static_cast<double>(rss_growth) / interactions, model.neighbour_entries(),
      model.histories(), calls, "builtin ranker (home page)",
      Millis(builtin.p50), Millis(builtin.p99), Millis(builtin.max),
      "product page (a user's, popular product)", Millis(product_page->p50),
      Millis(product_page->p99), Millis(product_page->max),
      "cart of 3 (a user's, popular products)", Millis(cart->p50),
      Millis(cart->p99), Millis(cart->max),
      "original steps (instant fake model)", Millis(original->engine.p50),
      Millis(original->engine.p99), Millis(original->engine.max),
      Millis(target), builtin.p99 <= target ? "met" : "MISSED",
      Millis(placement_target), placements_met ? "met" : "MISSED", calls,
      "home page, anonymous (no version)", Micros(home_hit->p50),
      Micros(home_hit->p99), "product page, anonymous (versioned key)",
      Micros(page_hit->p50), Micros(page_hit->p99),
      absl::FDivDuration(page_hit->p50, home_hit->p50),
      "cart of 100, anonymous (versioned key)", Micros(cart_hit->p50),
      Micros(cart_hit->p99), absl::FDivDuration(cart_hit->p50, home_hit->p50),
      "  of which the cart's key version", Micros(cart_version.p50),
      Micros(cart_version.p99));
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::recommender::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The builtin ranker at 1M interactions / 10k products: model memory "
      "and cache-miss latency beside the original approach's steps.");
  absl::ParseCommandLine(argc, argv);
  return smartshop::recommender::bench::Run();
}
