// Routing by history length and the secondary model: the decision, the
// chain with real ModelRankers over a fake client answering per model
// name, the factory's chains and variants, and the engine's answers.
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "services/recommender/model/model_ranker.h"
#include "services/recommender/ranker_chain.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

constexpr char kPrimaryModel[] = "gpt-4o";
constexpr char kSecondaryModel[] = "gpt-4o-mini";
const absl::Time kRoutingNow = absl::FromUnixSeconds(1'800'000'000);

// Answers each model name its own way (a reply or a failure, after a
// delay) and records the models asked, in order.
class PerModelLlm : public LlmClient {
 public:
  struct Script {
    // One pick (unmatched in an empty catalog: a ranking without items).
    absl::StatusOr<std::string> reply =
        std::string(R"j([{"product": "B", "relevance_score": 90}])j");
    absl::Duration delay = absl::ZeroDuration();
  };
  void Set(const std::string& model, Script script) {
    absl::MutexLock lock(&mu_);
    scripts_[model] = std::move(script);
  }
  std::vector<std::string> asked() const {
    absl::MutexLock lock(&mu_);
    return asked_;
  }
  absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                          absl::Time deadline) override {
    Script script;
    {
      absl::MutexLock lock(&mu_);
      asked_.push_back(request.model);
      script = scripts_[request.model];
    }
    if (absl::Now() + script.delay > deadline) {
      absl::SleepFor(std::max(absl::ZeroDuration(), deadline - absl::Now()));
      return absl::DeadlineExceededError("per-model fake: too slow");
    }
    absl::SleepFor(script.delay);
    if (!script.reply.ok()) return script.reply.status();
    return ChatCompletion{*script.reply, 100, 50, 0.0001};
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Script> scripts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> asked_ ABSL_GUARDED_BY(mu_);
};

// A builtin ranker (or a budget-refused primary) that counts its calls.
class CountingRanker : public Ranker {
 public:
  explicit CountingRanker(std::optional<RankingFailure> failure = std::nullopt)
      : failure_(std::move(failure)) {}
  std::variant<Ranking, RankingFailure> Rank(const RankingRequest&,
                                             absl::Time) override {
    ++calls;
    if (failure_.has_value()) return *failure_;
    Ranking ranking;
    ranking.strategy = smartshop::v1::STRATEGY_BUILTIN;
    return ranking;
  }
  int calls = 0;

 private:
  const std::optional<RankingFailure> failure_;
};

PromptBuilder PromptFor(const std::string& model) {
  PromptSettings settings;
  settings.model = model;
  return *PromptBuilder::Create(settings);
}

std::vector<ShopperEvent> Views(int n) {
  std::vector<ShopperEvent> events;
  for (int i = 0; i < n; ++i) {
    events.push_back({1, Signal::kView, kRoutingNow - absl::Minutes(i)});
  }
  return events;
}

double RouteCount(prometheus::Registry& registry, const std::string& route) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "smartshop_recommender_model_routing_total") continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "route" && label.value == route) {
          return metric.counter.value;
        }
      }
    }
  }
  return 0;
}

TEST(RouteToModelTest, TheThresholdIsInclusiveAndZeroIsOff) {
  EXPECT_TRUE(RouteToModel(0, 0));
  EXPECT_TRUE(RouteToModel(0, 50));  // off: every shopper
  EXPECT_TRUE(RouteToModel(5, 0));   // no history (and anonymous)
  EXPECT_TRUE(RouteToModel(5, 4));
  EXPECT_TRUE(RouteToModel(5, 5));   // exactly N: the model
  EXPECT_FALSE(RouteToModel(5, 6));  // N + 1: the builtin
  EXPECT_FALSE(RouteToModel(1, 49));
}

class RoutingChainTest : public ::testing::Test {
 protected:
  // Primary and secondary ModelRankers over `llm_`, then a counting
  // builtin. `primary` replaces the primary model ranker when set.
  RankerChain Chain(RankerChainOptions options = {},
                    std::unique_ptr<Ranker> primary = nullptr,
                    bool with_secondary = true) {
    if (primary == nullptr) {
      primary =
          std::make_unique<ModelRanker>(&llm_, PromptFor(kPrimaryModel),
                                        ModelRankerOptions{}, nullptr, nullptr);
    }
    std::unique_ptr<Ranker> secondary;
    if (with_secondary) {
      secondary =
          std::make_unique<ModelRanker>(&llm_, PromptFor(kSecondaryModel),
                                        ModelRankerOptions{}, nullptr, nullptr);
    }
    auto builtin = std::make_unique<CountingRanker>();
    builtin_ = builtin.get();
    return RankerChain(std::move(primary), std::move(secondary),
                       std::move(builtin), options);
  }

  ChainOutcome Rank(RankerChain& chain, const Shopper& shopper,
                    int own_events = 0,
                    std::optional<RankingFailure> refused = std::nullopt) {
    input_.own = Views(own_events);
    return chain.Rank({.ranking = ranking_,
                       .shopper = shopper,
                       .model_refused = std::move(refused)},
                      absl::Now() + absl::Seconds(5));
  }

  static CatalogSnapshot Catalog() {
    std::vector<smartshop::v1::Product> products(2);
    for (int i = 0; i < 2; ++i) {
      products[i].set_id(i + 1);
      products[i].set_name(std::string(1, static_cast<char>('A' + i)));
      products[i].set_is_active(true);
    }
    return CatalogSnapshot(std::move(products), absl::Now());
  }

  const CatalogSnapshot catalog_ = Catalog();
  const std::vector<ProductActivity> summary_{};
  RankingInput input_;
  const RankingRequest ranking_{
      .catalog = catalog_, .summary = summary_, .builtin = input_};
  const Shopper user_{"42", ""};
  const Shopper anonymous_{"", ""};
  PerModelLlm llm_;
  CountingRanker* builtin_ = nullptr;
  static constexpr char kGoodReply[] =
      R"j([{"product": "B", "relevance_score": 90, "reason": "Fits"}])j";
};

TEST_F(RoutingChainTest, ThePrimaryAnswersAloneWhenItCan) {
  llm_.Set(kPrimaryModel, {.reply = std::string(kGoodReply)});
  RankerChain chain = Chain();
  ChainOutcome outcome = Rank(chain, user_, 3);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kModel);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL);
  EXPECT_FALSE(outcome.fallback_model_called);
  EXPECT_EQ(llm_.asked(), std::vector<std::string>{kPrimaryModel});
}

TEST_F(RoutingChainTest, AFailedPrimaryIsAnsweredByTheSecondaryModel) {
  llm_.Set(kPrimaryModel, {.reply = absl::UnavailableError("503")});
  llm_.Set(kSecondaryModel, {.reply = std::string(kGoodReply)});
  RankerChain chain = Chain();
  ChainOutcome outcome = Rank(chain, user_, 3);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kModel);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL_FALLBACK);
  EXPECT_EQ(outcome.ranking.source, smartshop::v1::MODEL);
  ASSERT_EQ(outcome.ranking.items.size(), 1u);
  EXPECT_EQ(outcome.ranking.items[0].product->id(), 2);
  EXPECT_EQ(outcome.gave_up.reason, "model: unavailable");
  EXPECT_EQ(outcome.gave_up.code, "model_unavailable");
  EXPECT_TRUE(outcome.model_called);
  EXPECT_TRUE(outcome.fallback_model_called);
  EXPECT_FALSE(outcome.stand_in());
  EXPECT_EQ(builtin_->calls, 0);
  EXPECT_EQ(llm_.asked(),
            (std::vector<std::string>{kPrimaryModel, kSecondaryModel}));
}

TEST_F(RoutingChainTest, AnUnreadablePrimaryReplyAlsoGoesToTheSecondary) {
  llm_.Set(kPrimaryModel, {.reply = std::string("no JSON here")});
  llm_.Set(kSecondaryModel, {.reply = std::string(kGoodReply)});
  RankerChain chain = Chain();
  ChainOutcome outcome = Rank(chain, user_, 3);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL_FALLBACK);
  EXPECT_EQ(outcome.gave_up.code, "model_reply_unparsable");
}

TEST_F(RoutingChainTest, BothModelsFailingLeaveItToTheBuiltinRanker) {
  llm_.Set(kPrimaryModel, {.reply = absl::UnavailableError("503")});
  llm_.Set(kSecondaryModel, {.reply = absl::ResourceExhaustedError("429")});
  RankerChain chain = Chain();
  ChainOutcome outcome = Rank(chain, user_, 3);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kBuiltin);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_TRUE(outcome.stand_in());
  EXPECT_EQ(outcome.gave_up.reason,
            "model: unavailable; fallback model: rate limited");
  EXPECT_EQ(outcome.gave_up.code, "model_unavailable");
  EXPECT_EQ(builtin_->calls, 1);
  EXPECT_EQ(llm_.asked().size(), 2u);
}

TEST_F(RoutingChainTest, ABudgetRefusalSkipsTheSecondaryModel) {
  RankerChain chain =
      Chain({}, std::make_unique<CountingRanker>(RankingFailure{
                    "model: budget reached", kModelBudgetReachedCode}));
  llm_.Set(kSecondaryModel, {.reply = std::string(kGoodReply)});
  ChainOutcome outcome = Rank(chain, user_, 3);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kBuiltin);
  EXPECT_EQ(outcome.gave_up.reason, "model: budget reached");
  EXPECT_FALSE(outcome.fallback_model_called);
  EXPECT_TRUE(llm_.asked().empty());
}

TEST_F(RoutingChainTest, TheSecondaryHasItsOwnCircuitBreaker) {
  // The primary keeps failing (its breaker opens after 5); the secondary
  // answers each time and is never paused by the primary's breaker.
  llm_.Set(kPrimaryModel, {.reply = absl::UnavailableError("503")});
  llm_.Set(kSecondaryModel, {.reply = std::string(kGoodReply)});
  RankerChain chain = Chain();
  ChainOutcome last;
  for (int i = 0; i < 8; ++i) last = Rank(chain, user_, 3);
  EXPECT_EQ(last.ranking.strategy, smartshop::v1::STRATEGY_MODEL_FALLBACK);
  EXPECT_EQ(last.gave_up.code, "model_circuit_open");
  const std::vector<std::string> asked = llm_.asked();
  EXPECT_EQ(std::count(asked.begin(), asked.end(), kSecondaryModel), 8);
  EXPECT_LT(std::count(asked.begin(), asked.end(), kPrimaryModel), 8);
}

TEST_F(RoutingChainTest, ALongHistoryIsRoutedToTheBuiltinWithoutAModelCall) {
  prometheus::Registry registry;
  RecommenderMetrics metrics(registry);
  RankerChain chain = Chain({.route_max_history = 5, .metrics = &metrics});
  llm_.Set(kPrimaryModel, {.reply = std::string(kGoodReply)});

  ChainOutcome routed = Rank(chain, user_, 6);  // N + 1
  EXPECT_EQ(routed.ranked_by, RankedBy::kBuiltin);
  EXPECT_TRUE(routed.routed);
  EXPECT_FALSE(routed.stand_in());
  EXPECT_FALSE(routed.model_called);
  EXPECT_EQ(routed.gave_up.reason, kRoutedLongHistoryReason);
  EXPECT_TRUE(llm_.asked().empty());
  EXPECT_EQ(RouteCount(registry, "builtin"), 1);

  ChainOutcome exactly = Rank(chain, user_, 5);  // exactly N
  EXPECT_EQ(exactly.ranked_by, RankedBy::kModel);
  EXPECT_FALSE(exactly.routed);
  ChainOutcome fresh = Rank(chain, user_, 0);  // no history
  EXPECT_EQ(fresh.ranked_by, RankedBy::kModel);
  ChainOutcome anonymous = Rank(chain, anonymous_, 0);
  EXPECT_EQ(anonymous.ranked_by, RankedBy::kModel);
  EXPECT_EQ(RouteCount(registry, "model"), 3);
  EXPECT_EQ(llm_.asked().size(), 3u);
}

TEST_F(RoutingChainTest, RoutingOffSendsEveryShopperToTheModel) {
  prometheus::Registry registry;
  RecommenderMetrics metrics(registry);
  RankerChain chain = Chain({.metrics = &metrics});
  llm_.Set(kPrimaryModel, {.reply = std::string(kGoodReply)});
  EXPECT_EQ(Rank(chain, user_, 50).ranked_by, RankedBy::kModel);
  EXPECT_EQ(RouteCount(registry, "model") + RouteCount(registry, "builtin"), 0);
}

TEST_F(RoutingChainTest, ARoutedShopperIsNotCountedAsRefused) {
  RankerChain chain = Chain({.route_max_history = 2});
  ChainOutcome outcome =
      Rank(chain, user_, 3,
           RankingFailure{"model: too many callers waiting", "callers_full"});
  EXPECT_TRUE(outcome.routed);
  EXPECT_FALSE(outcome.stand_in());
  EXPECT_EQ(outcome.gave_up.reason, kRoutedLongHistoryReason);
}

// The factory's chains: the secondary model, its time, the variants.
class RoutingFactoryTest : public ::testing::Test {
 protected:
  ChainOutcome Rank(RankerChain& chain, int own_events, absl::Duration budget) {
    input_.own = Views(own_events);
    return chain.Rank({.ranking = ranking_, .shopper = user_},
                      absl::Now() + budget);
  }

  const CatalogSnapshot catalog_{{}, absl::Now()};
  const std::vector<ProductActivity> summary_{};
  RankingInput input_;
  const RankingRequest ranking_{
      .catalog = catalog_, .summary = summary_, .builtin = input_};
  const Shopper user_{"42", ""};
  PerModelLlm llm_;
  InteractionModel model_;
};

TEST_F(RoutingFactoryTest, ASlowPrimaryLeavesTheSecondaryTime) {
  EngineOptions options;
  options.fallback_model = kSecondaryModel;
  options.model_timeout = absl::Milliseconds(400);
  options.primary_timeout_share = 0.5;
  llm_.Set(kPrimaryModel, {.delay = absl::Seconds(5)});
  llm_.Set(kSecondaryModel, {});
  auto chain = MakeRankerChain(&llm_, PromptFor(kPrimaryModel), options,
                               &model_, nullptr);
  const absl::Time start = absl::Now();
  // The request's budget is the model's timeout: without the share the
  // primary would spend all of it.
  ChainOutcome outcome = Rank(*chain, 3, absl::Milliseconds(400));
  EXPECT_EQ(outcome.ranked_by, RankedBy::kModel);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL_FALLBACK);
  EXPECT_EQ(outcome.gave_up.code, "model_timeout");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(400));
  EXPECT_EQ(llm_.asked(),
            (std::vector<std::string>{kPrimaryModel, kSecondaryModel}));
}

TEST_F(RoutingFactoryTest, WithoutAFallbackModelThePrimaryKeepsItsTimeout) {
  EngineOptions options;
  options.model_timeout = absl::Milliseconds(300);
  llm_.Set(kPrimaryModel, {.delay = absl::Milliseconds(200)});
  auto chain = MakeRankerChain(&llm_, PromptFor(kPrimaryModel), options,
                               &model_, nullptr);
  ChainOutcome outcome = Rank(*chain, 3, absl::Seconds(2));
  EXPECT_EQ(outcome.ranked_by, RankedBy::kModel);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL);
}

TEST_F(RoutingFactoryTest, TheVariantsNameRoutingAndTheSecondaryModel) {
  EngineOptions options;
  options.fallback_model = kSecondaryModel;
  llm_.Set(kPrimaryModel, {.reply = absl::UnavailableError("503")});
  VariantChains chains = MakeVariantChains(&llm_, PromptFor(kPrimaryModel),
                                           options, &model_, nullptr);
  ASSERT_TRUE(chains.contains(smartshop::v1::VARIANT_RANKER_MODEL_ROUTED));
  ASSERT_TRUE(
      chains.contains(smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL));

  // The plain model variant: no secondary, the builtin stands in.
  ChainOutcome plain =
      Rank(*chains[smartshop::v1::VARIANT_RANKER_MODEL], 3, absl::Seconds(2));
  EXPECT_EQ(plain.ranked_by, RankedBy::kBuiltin);
  EXPECT_FALSE(plain.fallback_model_called);

  ChainOutcome with_fallback =
      Rank(*chains[smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL], 3,
           absl::Seconds(2));
  EXPECT_EQ(with_fallback.ranking.strategy,
            smartshop::v1::STRATEGY_MODEL_FALLBACK);

  // Routing off in the flags: the routed variant's own threshold, 10.
  RankerChain& routed = *chains[smartshop::v1::VARIANT_RANKER_MODEL_ROUTED];
  const size_t asked = llm_.asked().size();
  EXPECT_TRUE(Rank(routed, 11, absl::Seconds(2)).routed);
  EXPECT_EQ(llm_.asked().size(), asked);
  EXPECT_FALSE(Rank(routed, 10, absl::Seconds(2)).routed);
  EXPECT_EQ(llm_.asked().size(), asked + 1);
}

TEST_F(RoutingFactoryTest, TheRoutedVariantFollowsTheConfiguredThreshold) {
  EngineOptions options;
  options.model_route_max_history = 2;
  VariantChains chains = MakeVariantChains(&llm_, PromptFor(kPrimaryModel),
                                           options, &model_, nullptr);
  RankerChain& routed = *chains[smartshop::v1::VARIANT_RANKER_MODEL_ROUTED];
  EXPECT_TRUE(Rank(routed, 3, absl::Seconds(2)).routed);
  EXPECT_FALSE(Rank(routed, 2, absl::Seconds(2)).routed);
  // The plain model variant does not route.
  EXPECT_FALSE(
      Rank(*chains[smartshop::v1::VARIANT_RANKER_MODEL], 3, absl::Seconds(2))
          .routed);
}

// The engine's answers: the strategy, the reasons, the cache.
class RoutingEngineTest : public ::testing::Test {
 protected:
  RoutingEngineTest() {
    std::vector<smartshop::v1::Product> products;
    for (int i = 1; i <= 10; ++i) {
      smartshop::v1::Product p;
      p.set_id(i);
      p.set_name(absl::StrCat("Item ", i));
      p.set_category_id(1);
      p.set_category_name("Cat");
      p.set_is_active(true);
      p.set_units_sold(i);
      products.push_back(p);
    }
    tracking_.SetProducts(products);
    EXPECT_TRUE(catalog_.Refresh().ok());
    std::vector<smartshop::v1::Interaction> events;
    for (int i = 0; i < 3; ++i) {
      smartshop::v1::Interaction e;
      e.set_user_id("z");
      e.set_type(smartshop::v1::VIEW_PRODUCT);
      e.set_product_id(1 + i);
      e.mutable_timestamp()->set_seconds(
          absl::ToUnixSeconds(kRoutingNow - absl::Minutes(10 - i)));
      events.push_back(e);
      model_.Observe(e);
    }
    tracking_.SetInteractions(events);
  }

  RecommendationEngine MakeEngine(EngineOptions options) {
    return RecommendationEngine(&tracking_, &catalog_, &cache_,
                                MakeRankerChain(&llm_, PromptFor(kPrimaryModel),
                                                options, &model_, nullptr),
                                options, clock_, nullptr, &model_);
  }

  smartshop::v1::Recommendations GetFor(RecommendationEngine& engine) {
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id("z");
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : smartshop::v1::Recommendations();
  }

  SimulatedClock clock_{kRoutingNow};
  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeRecommendationCache cache_;
  PerModelLlm llm_;
  InteractionModel model_;
};

TEST_F(RoutingEngineTest, ARoutedAnswerIsABuiltinAnswerAndNotAFallback) {
  EngineOptions options;
  options.model_route_max_history = 2;  // z has 3 interactions
  auto engine = MakeEngine(options);
  smartshop::v1::Recommendations r = GetFor(engine);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(r.fallback_reason(), "");
  EXPECT_EQ(r.routing_reason(), "routed: long history");
  EXPECT_TRUE(llm_.asked().empty());
  EXPECT_EQ(cache_.ttl("ai_recommended_products_z"), options.builtin_ttl);
}

TEST_F(RoutingEngineTest, TheSecondaryModelsAnswerSaysWhyThePrimaryFailed) {
  EngineOptions options;
  options.fallback_model = kSecondaryModel;
  llm_.Set(kPrimaryModel, {.reply = absl::DeadlineExceededError("slow")});
  llm_.Set(kSecondaryModel,
           {.reply = std::string(
                R"j([{"product": "Item 7", "relevance_score": 91}])j")});
  auto engine = MakeEngine(options);
  smartshop::v1::Recommendations r = GetFor(engine);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL_FALLBACK);
  EXPECT_EQ(r.fallback_reason(), "model: timed out");
  EXPECT_EQ(r.routing_reason(), "");
  ASSERT_GT(r.items_size(), 0);
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_EQ(r.items(0).source(), smartshop::v1::MODEL);
  EXPECT_EQ(cache_.ttl("ai_recommended_products_z"), options.cache_ttl);
}

}  // namespace
}  // namespace smartshop::recommender
