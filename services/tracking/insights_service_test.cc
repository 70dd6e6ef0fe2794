// InsightsServiceImpl over fakes: validation, per-impression results, the
// counts, the mapping of GetInsights to an InsightsQuery, and that storage
// errors reach callers as storage_error.h makes them.
#include "services/tracking/insights_service.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Impression;
using smartshop::v1::ServedRecommendation;
using ::testing::HasSubstr;

const absl::Time kServiceNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kKnownAnswer[] = "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01";
constexpr char kUnknownAnswer[] = "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e02";

// Idempotent as the Postgres store is: answers by (id, served_at),
// impressions by event_id; known ids are those recorded.
class FakeInsightsStore : public InsightsStore {
 public:
  absl::StatusOr<int64_t> RecordServed(
      absl::Span<const ServedRecommendation> served, absl::Time) override {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    int64_t stored = 0;
    for (const ServedRecommendation& s : served) {
      if (served_keys_
              .insert(absl::StrCat(s.recommendation_id(), "@",
                                   s.served_at().seconds()))
              .second) {
        served_.push_back(s);
        known_.insert(s.recommendation_id());
        ++stored;
      }
    }
    return stored;
  }
  absl::StatusOr<std::vector<ImpressionOutcome>> InsertImpressions(
      absl::Span<const Impression> impressions, absl::Time) override {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    std::vector<ImpressionOutcome> outcomes;
    for (const Impression& m : impressions) {
      ImpressionOutcome outcome;
      outcome.stored = impression_ids_.insert(m.event_id()).second;
      if (outcome.stored) {
        impressions_.push_back(m);
        outcome.known_recommendation = known_.contains(m.recommendation_id());
      }
      outcomes.push_back(outcome);
    }
    return outcomes;
  }
  absl::StatusOr<InsightsErasure> DeleteUser(const std::string&,
                                             absl::Time) override {
    return InsightsErasure{};
  }

  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  std::vector<ServedRecommendation> served() {
    absl::MutexLock lock(&mu_);
    return served_;
  }
  std::vector<Impression> impressions() {
    absl::MutexLock lock(&mu_);
    return impressions_;
  }

 private:
  absl::Mutex mu_;
  absl::Status failure_;
  absl::flat_hash_set<std::string> served_keys_, known_, impression_ids_;
  std::vector<ServedRecommendation> served_;
  std::vector<Impression> impressions_;
};

class FakeInsightsReader : public InsightsReader {
 public:
  absl::StatusOr<smartshop::v1::GetInsightsResponse> Read(
      const InsightsQuery& query, absl::Time) override {
    queries.push_back(query);
    if (!failure.ok()) return failure;
    smartshop::v1::GetInsightsResponse response;
    auto* row = response.add_rows();
    row->set_key("STRATEGY_MODEL");
    row->set_clicks(7);
    response.set_unknown_recommendation_ids(2);
    return response;
  }
  std::vector<InsightsQuery> queries;
  absl::Status failure;
};

ServedRecommendation Served(const std::string& id) {
  ServedRecommendation s;
  s.set_recommendation_id(id);
  SetTimestamp(kServiceNow - absl::Seconds(30), s.mutable_served_at());
  s.set_session_key("s1");
  s.set_placement(smartshop::v1::PLACEMENT_HOME);
  s.set_strategy(smartshop::v1::STRATEGY_BUILTIN);
  s.add_product_ids(5);
  return s;
}

Impression Shown(const std::string& recommendation_id,
                 const std::string& event_id = "") {
  Impression m;
  m.set_event_id(event_id);
  m.set_recommendation_id(recommendation_id);
  m.set_session_key("s1");
  return m;
}

class InsightsServiceTest : public ::testing::Test {
 protected:
  InsightsServiceImpl& Service(InsightsReader* reader) {
    service_ = std::make_unique<InsightsServiceImpl>(
        &store_, reader, &ready_, &clock_,
        InsightsServiceOptions{.metrics = &metrics_,
                               .auth = CallerAuth::Disabled()});
    return *service_;
  }

  double Metric(const std::string& name, const std::string& outcome = "") {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) {
        bool match = outcome.empty();
        for (const auto& label : m.label) {
          if (label.name == "outcome" && label.value == outcome) match = true;
        }
        if (match) return m.counter.value;
      }
    }
    return -1;
  }

  grpc::ServerContext context_;
  FakeInsightsStore store_;
  FakeInsightsReader reader_;
  std::atomic<bool> ready_{true};
  SimulatedClock clock_{kServiceNow};
  prometheus::Registry registry_;
  TrackingMetrics metrics_{registry_};
  std::unique_ptr<InsightsServiceImpl> service_;
};

TEST_F(InsightsServiceTest, RecordServedIsIdempotentAndCounted) {
  smartshop::v1::RecordServedRequest request;
  *request.add_served() = Served(kKnownAnswer);
  *request.add_served() = Served("6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E03");
  smartshop::v1::RecordServedResponse response;
  ASSERT_TRUE(
      Service(&reader_).RecordServed(&context_, &request, &response).ok());
  EXPECT_EQ(response.stored(), 2);
  ASSERT_EQ(store_.served().size(), 2u);
  EXPECT_EQ(store_.served()[1].recommendation_id(),
            "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e03");
  // The recommender retries the batch: nothing new.
  ASSERT_TRUE(service_->RecordServed(&context_, &request, &response).ok());
  EXPECT_EQ(response.stored(), 0);
  EXPECT_EQ(Metric("smartshop_tracking_served_recommendations_total", "stored"),
            2);
  EXPECT_EQ(
      Metric("smartshop_tracking_served_recommendations_total", "duplicate"),
      2);
}

TEST_F(InsightsServiceTest, OneBadAnswerRefusesTheCall) {
  smartshop::v1::RecordServedRequest request;
  *request.add_served() = Served(kKnownAnswer);
  *request.add_served() = Served(kKnownAnswer);
  *request.add_served() = Served(kKnownAnswer);
  *request.add_served() = Served("42");
  smartshop::v1::RecordServedResponse response;
  grpc::Status status =
      Service(&reader_).RecordServed(&context_, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "served[3].recommendation_id: not a UUID");
  EXPECT_TRUE(store_.served().empty());
}

TEST_F(InsightsServiceTest, ImpressionsAreJudgedAloneAndUnknownIdsCounted) {
  smartshop::v1::RecordServedRequest served;
  *served.add_served() = Served(kKnownAnswer);
  smartshop::v1::RecordServedResponse recorded;
  ASSERT_TRUE(
      Service(&reader_).RecordServed(&context_, &served, &recorded).ok());

  const std::string repeated_id = "00000000-0000-4000-8000-000000000001";
  smartshop::v1::TrackImpressionsRequest request;
  *request.add_impressions() = Shown(kKnownAnswer, repeated_id);
  *request.add_impressions() = Shown("not-an-id");
  *request.add_impressions() = Shown(kUnknownAnswer);
  *request.add_impressions() = Shown(kKnownAnswer, repeated_id);  // in-batch
  Impression bad_positions = Shown(kKnownAnswer);
  bad_positions.add_positions(3);
  bad_positions.add_positions(3);
  *request.add_impressions() = bad_positions;
  smartshop::v1::TrackImpressionsResponse response;
  ASSERT_TRUE(service_->TrackImpressions(&context_, &request, &response).ok());
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.results(0).outcome(), smartshop::v1::STORED);
  EXPECT_EQ(response.results(0).event_id(), repeated_id);
  EXPECT_EQ(response.results(1).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results(1).field(), "recommendation_id");
  EXPECT_EQ(response.results(1).error(), "not a UUID");
  EXPECT_EQ(response.results(2).outcome(), smartshop::v1::STORED);
  EXPECT_EQ(response.results(2).event_id().size(), 36u);  // generated
  EXPECT_EQ(response.results(3).outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ(response.results(4).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results(4).field(), "positions[1]");
  for (int i = 0; i < response.results_size(); ++i) {
    EXPECT_EQ(response.results(i).index(), i);
  }
  EXPECT_EQ(response.stored(), 2);
  EXPECT_EQ(response.duplicates(), 1);
  EXPECT_EQ(response.rejected(), 2);
  EXPECT_EQ(response.unknown_recommendation_ids(), 1);
  EXPECT_EQ(store_.impressions().size(), 2u);
  // Timestamps the server chose: now.
  EXPECT_EQ(ToTime(store_.impressions()[0].timestamp()), kServiceNow);

  // Sent again: duplicates, and nothing counted as unknown.
  smartshop::v1::TrackImpressionsRequest retry;
  *retry.add_impressions() = Shown(kKnownAnswer, repeated_id);
  ASSERT_TRUE(service_->TrackImpressions(&context_, &retry, &response).ok());
  EXPECT_EQ(response.duplicates(), 1);
  EXPECT_EQ(response.unknown_recommendation_ids(), 0);
  EXPECT_EQ(Metric("smartshop_tracking_impressions_total", "stored"), 2);
  EXPECT_EQ(Metric("smartshop_tracking_impressions_total", "duplicate"), 2);
  EXPECT_EQ(Metric("smartshop_tracking_impressions_total", "rejected"), 2);
  EXPECT_EQ(
      Metric("smartshop_tracking_impression_unknown_recommendation_ids_total"),
      1);
}

TEST_F(InsightsServiceTest, TooManyImpressionsAreRefusedWhole) {
  smartshop::v1::TrackImpressionsRequest request;
  for (int i = 0; i <= 1000; ++i)
    *request.add_impressions() = Shown(kKnownAnswer);
  smartshop::v1::TrackImpressionsResponse response;
  grpc::Status status =
      Service(&reader_).TrackImpressions(&context_, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("over the limit of 1000"));
  EXPECT_TRUE(store_.impressions().empty());
}

TEST_F(InsightsServiceTest, StorageErrorsKeepTheirCodeAndHideTheDatabase) {
  store_.Fail(absl::UnavailableError("storage: unavailable"));
  smartshop::v1::TrackImpressionsRequest request;
  *request.add_impressions() = Shown(kKnownAnswer);
  smartshop::v1::TrackImpressionsResponse response;
  grpc::Status status =
      Service(&reader_).TrackImpressions(&context_, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "storage: unavailable");
}

TEST_F(InsightsServiceTest, GetInsightsMapsTheRequestToAQuery) {
  smartshop::v1::GetInsightsRequest request;
  SetTimestamp(kServiceNow - absl::Hours(24), request.mutable_since());
  SetTimestamp(kServiceNow, request.mutable_until());
  request.set_group_by(smartshop::v1::INSIGHTS_GROUPING_POSITION);
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_conversion_window_hours(6);
  smartshop::v1::GetInsightsResponse response;
  ASSERT_TRUE(
      Service(&reader_).GetInsights(&context_, &request, &response).ok());
  ASSERT_EQ(reader_.queries.size(), 1u);
  const InsightsQuery& query = reader_.queries[0];
  EXPECT_EQ(query.since, kServiceNow - absl::Hours(24));
  EXPECT_EQ(query.until, kServiceNow);
  EXPECT_EQ(query.group_by, smartshop::v1::INSIGHTS_GROUPING_POSITION);
  EXPECT_EQ(query.placement, smartshop::v1::PLACEMENT_PRODUCT);
  EXPECT_EQ(query.conversion_window, absl::Hours(6));
  ASSERT_EQ(response.rows_size(), 1);
  EXPECT_EQ(response.rows(0).clicks(), 7);
  EXPECT_EQ(response.unknown_recommendation_ids(), 2);

  // Invalid: refused before the reader is asked.
  request.set_group_by(smartshop::v1::INSIGHTS_GROUPING_VARIANT);
  grpc::Status status = service_->GetInsights(&context_, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "experiment: required for INSIGHTS_GROUPING_VARIANT");
  EXPECT_EQ(reader_.queries.size(), 1u);

  // The reader's error as it is (storage_error.h made it).
  reader_.failure = absl::DeadlineExceededError("storage: timed out");
  request.set_group_by(smartshop::v1::INSIGHTS_GROUPING_DAY);
  status = service_->GetInsights(&context_, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(status.error_message(), "storage: timed out");
}

TEST_F(InsightsServiceTest, GetInsightsWithoutAReaderIsUnimplemented) {
  smartshop::v1::GetInsightsRequest request;
  SetTimestamp(kServiceNow - absl::Hours(1), request.mutable_since());
  SetTimestamp(kServiceNow, request.mutable_until());
  smartshop::v1::GetInsightsResponse response;
  EXPECT_EQ(
      Service(nullptr).GetInsights(&context_, &request, &response).error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace smartshop::tracking
