#include "services/recommender/served_log.h"

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/eventually.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::ServedRecommendation;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Le;

// Takes batches, or fails the next `failures` calls with `failure`; can be
// held (Send blocks) to fill the queue.
class FakeServedSink : public ServedSink {
 public:
  absl::Status Send(const std::vector<ServedRecommendation>& batch,
                    absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(
                              +[](bool* held) { return !*held; }, &held_),
                          deadline);
    ++calls_;
    if (failures_ > 0) {
      --failures_;
      return failure_;
    }
    batch_sizes_.push_back(static_cast<int>(batch.size()));
    for (const auto& served : batch) ids_.push_back(served.recommendation_id());
    return absl::OkStatus();
  }
  void Fail(int times, absl::Status failure) {
    absl::MutexLock lock(&mu_);
    failures_ = times;
    failure_ = std::move(failure);
  }
  void Hold(bool held) {
    absl::MutexLock lock(&mu_);
    held_ = held;
  }
  std::vector<std::string> ids() const {
    absl::MutexLock lock(&mu_);
    return ids_;
  }
  std::vector<int> batch_sizes() const {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  mutable absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
};

// Outcome counts as the log reports them.
class OutcomeCounts {
 public:
  std::function<void(const char*, int64_t)> Hook() {
    return [this](const char* outcome, int64_t n) {
      absl::MutexLock lock(&mu_);
      counts_[outcome] += n;
    };
  }
  int64_t operator[](const std::string& outcome) const {
    absl::MutexLock lock(&mu_);
    auto it = counts_.find(outcome);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, int64_t> counts_ ABSL_GUARDED_BY(mu_);
};

ServedRecommendation ServedNumber(int i) {
  ServedRecommendation served;
  served.set_recommendation_id(absl::StrCat("id-", i));
  return served;
}

std::vector<std::string> IdsUpTo(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back(absl::StrCat("id-", i));
  return ids;
}

TEST(ServedLogTest, SendsEverythingInOrderInBoundedBatches) {
  FakeServedSink sink;
  OutcomeCounts counts;
  {
    ServedLog log(&sink,
                  {.batch_size = 10, .flush_interval = absl::Seconds(10)},
                  counts.Hook());
    for (int i = 0; i < 35; ++i) log.Record(ServedNumber(i));
  }  // the last 5 go on shutdown
  EXPECT_EQ(sink.ids(), IdsUpTo(35));
  EXPECT_THAT(sink.batch_sizes(), Each(Le(10)));
  EXPECT_EQ(counts["recorded"], 35);
  EXPECT_EQ(counts["sent"], 35);
  EXPECT_EQ(counts["dropped"], 0);
}

TEST(ServedLogTest, APartialBatchLeavesAfterTheFlushInterval) {
  FakeServedSink sink;
  ServedLog log(&sink,
                {.batch_size = 500, .flush_interval = absl::Milliseconds(50)});
  log.Record(ServedNumber(0));
  log.Record(ServedNumber(1));
  EXPECT_TRUE(smartshop::testing::Eventually(
      [&] { return sink.ids().size() == 2; }, absl::Seconds(10)));
  EXPECT_THAT(sink.batch_sizes(), ElementsAre(2));
}

TEST(ServedLogTest, RetriesWhileTrackingIsAwayAndLosesNothing) {
  FakeServedSink sink;
  sink.Fail(3, absl::UnavailableError("tracking: unavailable"));
  OutcomeCounts counts;
  ServedLog log(&sink,
                {.batch_size = 4,
                 .flush_interval = absl::Milliseconds(10),
                 .max_backoff = absl::Milliseconds(20)},
                counts.Hook());
  for (int i = 0; i < 8; ++i) log.Record(ServedNumber(i));
  EXPECT_TRUE(smartshop::testing::Eventually(
      [&] { return sink.ids().size() == 8; }, absl::Seconds(10)));
  EXPECT_EQ(sink.ids(), IdsUpTo(8));
  EXPECT_EQ(counts["send_failed"], 3 * 4);
  EXPECT_EQ(counts["sent"], 8);
}

TEST(ServedLogTest, AnInvalidRecordAloneIsDroppedNotRetried) {
  FakeServedSink sink;
  sink.Fail(1, absl::InvalidArgumentError("served[0].recommendation_id"));
  OutcomeCounts counts;
  ServedLog log(&sink, {.batch_size = 1, .flush_interval = absl::Seconds(10)},
                counts.Hook());
  for (int i = 0; i < 3; ++i) log.Record(ServedNumber(i));
  EXPECT_TRUE(smartshop::testing::Eventually(
      [&] { return sink.ids().size() == 2; }, absl::Seconds(10)));
  EXPECT_THAT(sink.ids(), ElementsAre("id-1", "id-2"));
  EXPECT_EQ(counts["rejected"], 1);
  EXPECT_EQ(sink.calls(), 3);
}

// Refuses any batch holding a record whose id starts with "bad".
class PickySink : public ServedSink {
 public:
  absl::Status Send(const std::vector<ServedRecommendation>& batch,
                    absl::Time) override {
    absl::MutexLock lock(&mu_);
    for (const auto& served : batch) {
      if (absl::StartsWith(served.recommendation_id(), "bad")) {
        return absl::InvalidArgumentError("served[0].user_id: NUL");
      }
    }
    for (const auto& served : batch) ids_.push_back(served.recommendation_id());
    return absl::OkStatus();
  }
  std::vector<std::string> ids() const {
    absl::MutexLock lock(&mu_);
    return ids_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
};

TEST(ServedLogTest, OneInvalidRecordCostsOnlyItself) {
  PickySink sink;
  OutcomeCounts counts;
  {
    ServedLog log(&sink, {.batch_size = 8, .flush_interval = absl::Seconds(10)},
                  counts.Hook());
    for (int i = 0; i < 8; ++i) {
      ServedRecommendation served = ServedNumber(i);
      if (i == 5) served.set_recommendation_id("bad-5");
      log.Record(served);
    }
  }
  EXPECT_THAT(sink.ids(), ElementsAre("id-0", "id-1", "id-2", "id-3", "id-4",
                                      "id-6", "id-7"));
  EXPECT_EQ(counts["rejected"], 1);
  EXPECT_EQ(counts["sent"], 7);
}

TEST(ServedLogTest, ForgetDropsAUsersRecordsNotYetSent) {
  FakeServedSink sink;
  sink.Hold(true);
  ServedLog log(&sink, {.batch_size = 100,
                        .flush_interval = absl::Seconds(10),
                        .drain_timeout = absl::Milliseconds(100)});
  for (const char* user : {"carol", "dave", "carol"}) {
    ServedRecommendation served = ServedNumber(0);
    served.set_user_id(user);
    log.Record(served);
  }
  EXPECT_EQ(log.Forget("carol"), 2);
  EXPECT_EQ(log.pending(), 1);
  sink.Hold(false);
}

TEST(ServedLogTest, PastTheBoundNewRecordsAreDroppedWithoutWaiting) {
  FakeServedSink sink;
  sink.Hold(true);
  OutcomeCounts counts;
  {
    ServedLog log(&sink,
                  {.batch_size = 10,
                   .flush_interval = absl::Milliseconds(1),
                   .max_pending = 20,
                   .call_timeout = absl::Seconds(30)},
                  counts.Hook());
    // The first batch leaves the queue and hangs in Send.
    for (int i = 0; i < 10; ++i) log.Record(ServedNumber(i));
    EXPECT_TRUE(smartshop::testing::Eventually(
        [&] { return log.pending() == 0; }, absl::Seconds(10)));
    const absl::Time before = absl::Now();
    for (int i = 10; i < 40; ++i) log.Record(ServedNumber(i));
    EXPECT_LT(absl::Now() - before, absl::Seconds(1));  // never blocked
    EXPECT_EQ(log.pending(), 20);
    EXPECT_EQ(counts["dropped"], 10);
    sink.Hold(false);
  }
  EXPECT_EQ(counts["sent"], 30);
  EXPECT_EQ(sink.ids().size(), 30u);
}

TEST(ServedLogTest, ShutdownGivesUpAfterTheDrainTimeoutAndCountsTheLoss) {
  FakeServedSink sink;
  sink.Fail(1'000'000, absl::UnavailableError("tracking: unavailable"));
  OutcomeCounts counts;
  const absl::Time before = absl::Now();
  {
    ServedLog log(&sink,
                  {.batch_size = 5,
                   .flush_interval = absl::Milliseconds(1),
                   .max_backoff = absl::Milliseconds(5),
                   .drain_timeout = absl::Milliseconds(200)},
                  counts.Hook());
    for (int i = 0; i < 12; ++i) log.Record(ServedNumber(i));
  }
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  EXPECT_EQ(counts["dropped"], 12);
  EXPECT_TRUE(sink.ids().empty());
}

}  // namespace
}  // namespace smartshop::recommender
