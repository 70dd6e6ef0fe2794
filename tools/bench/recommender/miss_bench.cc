#include "tools/bench/recommender/miss_bench.h"

#include <array>
#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/json_log.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/model/product_matcher.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/model/response_parser.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "services/recommender/top_sellers.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tools/bench/recommender/synthetic_shop.h"

namespace smartshop::recommender::bench {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::Recommendations;
using SteadyClock = std::chrono::steady_clock;

// Enough distinct interaction windows that calls do not all look alike.
constexpr int kMissUserWindows = 256;

enum Stage {
  kTracking,
  kCache,
  kAggregate,
  kPrompt,
  kParse,
  kMatch,
  kAssemble,
  kLog,
  kStageCount
};

struct StageInfo {
  const char* name;
  bool fake;
};
constexpr std::array<StageInfo, kStageCount> kStageInfo = {{
    {"tracking reads (in-memory fake)", true},
    {"cache get + set (in-memory fake)", true},
    {"aggregate", false},
    {"prompt build", false},
    {"parse reply", false},
    {"match picks", false},
    {"answer + gap fill", false},
    {"log line (picks dropped)", false},
}};

// The engine's own windows (recommendation_engine.cc): the user's last 50
// and everyone else's last 50, of the three types it learns from.
smartshop::v1::ListInteractionsRequest Window(const std::string& user,
                                              bool own) {
  smartshop::v1::ListInteractionsRequest request;
  request.add_types(smartshop::v1::VIEW_PRODUCT);
  request.add_types(smartshop::v1::ADD_TO_CART);
  request.add_types(smartshop::v1::ORDER_PLACED);
  request.set_limit(50);
  if (own) {
    request.set_user_id(user);
  } else {
    request.set_exclude_user_id(user);
  }
  return request;
}

int64_t NanosSince(SteadyClock::time_point start) {
  return (SteadyClock::now() - start) / std::chrono::nanoseconds(1);
}

absl::Status CheckAnswer(const absl::StatusOr<Recommendations>& answer) {
  if (!answer.ok()) return answer.status();
  if (answer->strategy() != smartshop::v1::STRATEGY_MODEL ||
      answer->cache_hit() || answer->items_size() != kRecommendationCount) {
    return absl::InternalError(absl::StrCat(
        "miss path: expected 8 items of the model's answer, got strategy ",
        smartshop::v1::Strategy_Name(answer->strategy()), " (",
        answer->fallback_reason(), ") with ", answer->items_size(),
        " items, cache_hit=", answer->cache_hit()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MissRun> RunMissBench(const MissOptions& options) {
  ShopOptions shop;
  shop.products = options.products;
  shop.seed = options.seed;
  std::vector<smartshop::v1::Product> catalog = MakeCatalog(shop);
  const std::string reply = ModelReply(catalog);
  InstantLlmClient llm(reply);
  SyntheticTrackingReader reader(std::move(catalog), kMissUserWindows,
                                 options.seed);
  CatalogRefresher refresher(&reader, absl::Hours(1), absl::Seconds(5));
  if (absl::Status loaded = refresher.Refresh(); !loaded.ok()) return loaded;
  const std::shared_ptr<const CatalogSnapshot> snapshot = refresher.Current();
  auto prompt = PromptBuilder::Create({});
  if (!prompt.ok()) return prompt.status();
  testing::FakeRecommendationCache engine_cache;
  testing::FakeRecommendationCache stage_cache;
  RecommendationEngine engine(
      &reader, &refresher, &engine_cache,
      MakeRankerChain(&llm, *prompt, EngineOptions{}, nullptr, nullptr),
      EngineOptions{}, Clock::Real());

  MissRun run;
  std::vector<int64_t> engine_nanos;
  std::array<std::vector<int64_t>, kStageCount> stage_nanos;
  const SteadyClock::time_point stop_at =
      SteadyClock::now() + absl::ToChronoNanoseconds(options.max_time);
  for (int i = 0; i < options.warmup_calls + options.calls; ++i) {
    const bool measured = i >= options.warmup_calls;
    if (measured && SteadyClock::now() >= stop_at) break;
    // A user never seen before: every call misses.
    const std::string user = absl::StrCat("miss-user-", i);
    const std::string key = engine.CacheKey(user);
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id(user);

    SteadyClock::time_point start = SteadyClock::now();
    absl::StatusOr<Recommendations> answer =
        engine.Get(request, absl::Now() + absl::Seconds(10));
    const int64_t engine_ns = NanosSince(start);
    if (absl::Status ok = CheckAnswer(answer); !ok.ok()) return ok;

    // The same work in pieces, on the same user's data.
    std::array<int64_t, kStageCount> ns{};
    start = SteadyClock::now();
    auto own = reader.ListInteractions(Window(user, true), absl::Now());
    auto others = reader.ListInteractions(Window(user, false), absl::Now());
    if (!own.ok() || !others.ok()) return absl::InternalError("fake reader");
    own->insert(own->end(), std::make_move_iterator(others->begin()),
                std::make_move_iterator(others->end()));
    ns[kTracking] = NanosSince(start);

    start = SteadyClock::now();
    (void)stage_cache.Get(key, absl::Now());
    (void)stage_cache.Set(key, *answer, absl::Hours(1), absl::Now());
    ns[kCache] = NanosSince(start);

    start = SteadyClock::now();
    const std::vector<ProductActivity> summary = Aggregate(*own, *snapshot);
    ns[kAggregate] = NanosSince(start);

    start = SteadyClock::now();
    const ChatRequest chat = prompt->Build(summary, *snapshot, true);
    ns[kPrompt] = NanosSince(start);

    start = SteadyClock::now();
    absl::StatusOr<std::vector<ModelPick>> picks = ParseModelReply(reply);
    ns[kParse] = NanosSince(start);
    if (!picks.ok()) return picks.status();

    start = SteadyClock::now();
    const MatchResult match = MatchPicks(*picks, *snapshot);
    ns[kMatch] = NanosSince(start);

    // As the engine assembles its answer (recommendation_engine.cc).
    start = SteadyClock::now();
    Recommendations assembled;
    for (const MatchedPick& pick : match.matched) {
      auto* item = assembled.add_items();
      *item->mutable_product() = *pick.product;
      item->set_relevance_score(pick.relevance_score);
      item->set_reason(pick.reason);
      item->set_source(smartshop::v1::MODEL);
    }
    FillWithTopSellers(*snapshot, kRecommendationCount, kGapFillScore,
                       smartshop::v1::GAP_FILL, assembled);
    ns[kAssemble] = NanosSince(start);

    // The engine logs this line for every reply with dropped picks; the
    // event name differs so that the probe is not mistaken for it.
    start = SteadyClock::now();
    Log(LogLevel::kInfo, "bench_log_cost_probe",
        {{"unmatched", int64_t{match.unmatched}},
         {"duplicates", int64_t{match.duplicates}}});
    ns[kLog] = NanosSince(start);

    if (!measured) continue;
    if (engine_nanos.empty()) {
      run.interactions = static_cast<int>(own->size());
      run.summary_products = static_cast<int>(summary.size());
      for (const auto& m : chat.messages) run.prompt_chars += m.content.size();
      run.unmatched = match.unmatched;
      run.duplicates = match.duplicates;
      for (const auto& item : answer->items()) {
        if (item.source() == smartshop::v1::MODEL) ++run.model_items;
        if (item.source() == smartshop::v1::GAP_FILL) ++run.gap_fill_items;
      }
    }
    engine_nanos.push_back(engine_ns);
    for (int s = 0; s < kStageCount; ++s) stage_nanos[s].push_back(ns[s]);
  }
  run.engine = Summarize(std::move(engine_nanos));
  for (int s = 0; s < kStageCount; ++s) {
    run.stages.push_back({kStageInfo[s].name, kStageInfo[s].fake,
                          Summarize(std::move(stage_nanos[s]))});
  }
  return run;
}

}  // namespace smartshop::recommender::bench
