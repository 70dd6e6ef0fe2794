// Model API faults from the fake OpenAI server over HTTPS, with the builtin
// ranker standing in: each fault answers within the caller's deadline with
// the reason, and a dead model is paused by the circuit breaker (no more
// calls, no more latency) until a probe after the cool-down finds it well.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recommender_harness.h"

namespace smartshop::testing {
namespace {

using fake_openai::FakeReply;
using smartshop::v1::Recommendations;

class ModelFaultsTest : public ::testing::Test {
 protected:
  static RecommenderHarnessOptions Options() {
    RecommenderHarnessOptions options;
    options.builtin = true;
    options.engine.model_breaker = {.failure_threshold = 3,
                                    .cool_down = absl::Seconds(1)};
    return options;
  }
  void SetUp() override {
    h_.SeedCatalog();
    ASSERT_TRUE(h_.feed()->WaitUntilCaughtUp(absl::Now() + absl::Seconds(10)));
  }
  // A new user with one view: a cache miss that asks the model.
  Recommendations AskAsNewUser(absl::Duration timeout = absl::Seconds(10)) {
    const std::string user = absl::StrCat("user-", ++users_);
    h_.Track(smartshop::v1::VIEW_PRODUCT, user, 3);
    return h_.Get(user, timeout);
  }

  RecommenderHarness h_{Options()};
  int users_ = 0;
};

TEST_F(ModelFaultsTest, EachFaultFallsBackToTheBuiltinRankerWithItsReason) {
  struct Fault {
    const char* name;
    FakeReply reply;
    const char* reason;
  };
  for (const Fault& f : {
           Fault{"connection reset", FakeReply::Reset(), "model: unavailable"},
           Fault{"invalid key", FakeReply::Error(401),
                 "model: invalid API key"},
           Fault{"429 storm, Retry-After beyond the deadline",
                 FakeReply::RateLimited(120), "model: rate limited"},
       }) {
    SCOPED_TRACE(f.name);
    h_.fake().SetDefaultReply(f.reply);
    const absl::Time start = absl::Now();
    Recommendations r = AskAsNewUser();
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
    EXPECT_EQ(r.fallback_reason(), f.reason);
    EXPECT_EQ(r.items_size(), 8);
  }
}

TEST_F(ModelFaultsTest, ASlowModelNeverCostsMoreThanTheCallersDeadline) {
  h_.fake().SetDefaultReply(FakeReply::Hang(absl::Seconds(30)));
  for (int i = 0; i < 4; ++i) {
    const absl::Time start = absl::Now();
    Recommendations r = AskAsNewUser(absl::Milliseconds(800));
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(800));
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
    // Each caller's own deadline ran out first: the builtin answer for it,
    // while the model call goes on (and the model is not paused).
    EXPECT_EQ(r.fallback_reason(),
              "model: no answer within this call's deadline (it goes on for "
              "the next callers)");
  }
}

TEST_F(ModelFaultsTest, ADeadModelIsPausedThenProbedBackAfterTheCoolDown) {
  h_.fake().SetDefaultReply(FakeReply::Error(503));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(AskAsNewUser().fallback_reason(), "model: unavailable");
  }
  const size_t calls = h_.fake().requests().size();
  EXPECT_GE(calls, 3u);
  // Open: answered at once by the builtin ranker, the API untouched.
  for (int i = 0; i < 5; ++i) {
    const absl::Time start = absl::Now();
    Recommendations r = AskAsNewUser();
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
    EXPECT_EQ(r.fallback_reason(), "model: paused after repeated failures");
  }
  EXPECT_EQ(h_.fake().requests().size(), calls);

  // The model recovers; after the cool-down one probe finds it.
  h_.fake().SetDefaultReply(FakeReply::Completion(
      R"([{"product": "Product 5", "relevance_score": 91, "reason": "ok"}])"));
  absl::SleepFor(absl::Milliseconds(1100));
  Recommendations probed = AskAsNewUser();
  EXPECT_EQ(probed.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(probed.items(0).product().id(), 5);
  EXPECT_EQ(AskAsNewUser().strategy(), smartshop::v1::STRATEGY_MODEL);
}

}  // namespace
}  // namespace smartshop::testing
