// Reuse of model replies: the same request is answered from the stored
// reply without a call; any change of what the prompt depends on is a call.
#include "services/recommender/model/model_reply_store.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/model/model_ranker.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

ChatRequest Request() {
  ChatRequest request;
  request.model = "gpt-4o-mini";
  request.messages = {{"system", "You recommend."}, {"user", "Mugs, tea"}};
  return request;
}

TEST(ModelReplyKeyTest, EveryInputOfTheRequestIsPartOfTheKey) {
  const std::string key = ModelReplyKey(Request());
  EXPECT_THAT(key, ::testing::StartsWith("smartshop:model_reply:"));
  EXPECT_EQ(key.size(), std::string("smartshop:model_reply:").size() + 64);
  EXPECT_EQ(ModelReplyKey(Request()), key);
  std::vector<ChatRequest> changed(6, Request());
  changed[0].model = "gpt-4o";
  changed[1].temperature = 0.2;
  changed[2].max_tokens = 999;
  changed[3].messages[1].content = "Mugs, tea, spoons";
  changed[4].messages[0].role = "user";
  changed[5].response_schema =
      ResponseSchema{.name = "picks", .schema = boost::json::object{}};
  for (const ChatRequest& other : changed) {
    EXPECT_NE(ModelReplyKey(other), key);
  }
  // The messages' boundaries count: ("ab", "c") is not ("a", "bc").
  ChatRequest a = Request(), b = Request();
  a.messages = {{"user", "ab"}, {"user", "c"}};
  b.messages = {{"user", "a"}, {"user", "bc"}};
  EXPECT_NE(ModelReplyKey(a), ModelReplyKey(b));
}

TEST(StoredReplyTest, RoundTripsAndRefusesOtherValues) {
  for (bool structured : {false, true}) {
    auto back = DecodeStoredReply(
        EncodeStoredReply({.content = "[1]", .structured = structured}));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->content, "[1]");
    EXPECT_EQ(back->structured, structured);
  }
  EXPECT_FALSE(DecodeStoredReply("").has_value());
  EXPECT_FALSE(DecodeStoredReply("x[1]").has_value());
}

TEST(InMemoryModelReplyStoreTest, ExpiresAndStaysBounded) {
  SimulatedClock clock(absl::FromUnixSeconds(1'000'000));
  InMemoryModelReplyStore store(clock, /*max_entries=*/2);
  const absl::Time deadline = absl::InfiniteFuture();
  ASSERT_TRUE(
      store.Put("a", {.content = "A"}, absl::Minutes(1), deadline).ok());
  ASSERT_TRUE(
      store.Put("b", {.content = "B"}, absl::Minutes(5), deadline).ok());
  EXPECT_EQ((*store.Get("a", deadline))->content, "A");
  // Full: the entry expiring first goes.
  ASSERT_TRUE(
      store.Put("c", {.content = "C"}, absl::Minutes(5), deadline).ok());
  EXPECT_FALSE(store.Get("a", deadline)->has_value());
  EXPECT_TRUE(store.Get("b", deadline)->has_value());
  clock.SetTime(clock.Now() + absl::Minutes(5));
  EXPECT_FALSE(store.Get("b", deadline)->has_value());
}

CatalogSnapshot ReuseCatalog() {
  return CatalogSnapshot(testing::LetteredProducts(3), absl::Now());
}

// A store that cannot answer.
class BrokenStore : public ModelReplyStore {
 public:
  absl::StatusOr<std::optional<StoredReply>> Get(const std::string&,
                                                 absl::Time) override {
    return absl::UnavailableError("store down");
  }
  absl::Status Put(const std::string&, const StoredReply&, absl::Duration,
                   absl::Time) override {
    return absl::UnavailableError("store down");
  }
};

class ModelReuseTest : public ::testing::Test {
 protected:
  ModelReuseTest() {
    llm_.Reply(R"j([{"product": "B (Shelf)", "relevance_score": 93,
                     "reason": "Fits"}])j");
  }

  std::variant<Ranking, RankingFailure> Rank(
      ModelRanker& ranker, const std::vector<ProductActivity>& summary) {
    return ranker.Rank({.catalog = catalog_,
                        .summary = summary,
                        .personalised = true,
                        .builtin = input_},
                       absl::Now() + absl::Seconds(5));
  }
  ModelRanker Ranker(ModelReplyStore* store) {
    return ModelRanker(&llm_, *PromptBuilder::Create({}),
                       {.replies = store, .reply_ttl = absl::Hours(24)},
                       nullptr, nullptr);
  }
  static const Ranking& Ranked(const std::variant<Ranking, RankingFailure>& r) {
    EXPECT_TRUE(std::holds_alternative<Ranking>(r));
    static const Ranking kNone;
    return std::holds_alternative<Ranking>(r) ? std::get<Ranking>(r) : kNone;
  }

  const CatalogSnapshot catalog_ = ReuseCatalog();
  const std::vector<ProductActivity> tea_ = {
      {.key = "A (Shelf)", .product_id = 1, .views = 2}};
  const RankingInput input_{};
  SimulatedClock clock_{absl::FromUnixSeconds(1'000'000)};
  InMemoryModelReplyStore store_{clock_};
  testing::FakeLlmClient llm_;
};

TEST_F(ModelReuseTest, TheSameRequestIsAnsweredWithoutACall) {
  ModelRanker ranker = Ranker(&store_);
  const Ranking first = Ranked(Rank(ranker, tea_));
  EXPECT_FALSE(first.model_reused);
  EXPECT_EQ(llm_.requests().size(), 1u);
  // Another replica's ranker (the store is shared), the next day's first
  // minute: the same answer, no call, nothing spent.
  ModelRanker other = Ranker(&store_);
  clock_.SetTime(clock_.Now() + absl::Hours(23));
  const Ranking again = Ranked(Rank(other, tea_));
  EXPECT_TRUE(again.model_reused);
  EXPECT_EQ(again.model_cost_usd, 0);
  EXPECT_EQ(llm_.requests().size(), 1u);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].product->id(), 2);
  EXPECT_EQ(again.items[0].reason, "Fits");
  EXPECT_EQ(again.items[0].score, 93);
}

TEST_F(ModelReuseTest, ChangedInputsOrAnExpiredReplyAreACall) {
  ModelRanker ranker = Ranker(&store_);
  Rank(ranker, tea_);
  std::vector<ProductActivity> more = tea_;
  more[0].cart_adds = 1;  // the shopper carted it since
  EXPECT_FALSE(Ranked(Rank(ranker, more)).model_reused);
  EXPECT_EQ(llm_.requests().size(), 2u);
  clock_.SetTime(clock_.Now() + absl::Hours(24));
  EXPECT_FALSE(Ranked(Rank(ranker, tea_)).model_reused);
  EXPECT_EQ(llm_.requests().size(), 3u);
}

TEST_F(ModelReuseTest, AnUnusableReplyIsNotKept) {
  llm_.Reply("no JSON here");
  ModelRanker ranker = Ranker(&store_);
  EXPECT_TRUE(std::holds_alternative<RankingFailure>(Rank(ranker, tea_)));
  llm_.Reply(R"j([{"product": "C (Shelf)", "relevance_score": 90}])j");
  EXPECT_FALSE(Ranked(Rank(ranker, tea_)).model_reused);
  EXPECT_EQ(llm_.requests().size(), 2u);
}

TEST_F(ModelReuseTest, AStoreThatCannotAnswerCostsACallNotAnAnswer) {
  BrokenStore broken;
  ModelRanker ranker = Ranker(&broken);
  EXPECT_FALSE(Ranked(Rank(ranker, tea_)).model_reused);
  EXPECT_FALSE(Ranked(Rank(ranker, tea_)).model_reused);
  EXPECT_EQ(llm_.requests().size(), 2u);
}

TEST_F(ModelReuseTest, WithoutAStoreEveryRequestIsACall) {
  ModelRanker ranker = Ranker(nullptr);
  Rank(ranker, tea_);
  Rank(ranker, tea_);
  EXPECT_EQ(llm_.requests().size(), 2u);
}

}  // namespace
}  // namespace smartshop::recommender
