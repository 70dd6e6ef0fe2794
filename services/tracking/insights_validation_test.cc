#include "services/tracking/insights_validation.h"

#include <cmath>
#include <limits>
#include <string>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::tracking {
namespace {

using ::smartshop::testing::StatusIs;
using smartshop::v1::GetInsightsRequest;
using smartshop::v1::Impression;
using smartshop::v1::RecordServedRequest;
using smartshop::v1::ServedRecommendation;
using ::testing::HasSubstr;

const absl::Time kInsightsNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kAnswerId[] = "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01";

ServedRecommendation ValidServed() {
  ServedRecommendation s;
  s.set_recommendation_id(kAnswerId);
  SetTimestamp(kInsightsNow - absl::Minutes(1), s.mutable_served_at());
  s.set_user_id("u1");
  s.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  s.set_strategy(smartshop::v1::STRATEGY_MODEL);
  s.add_product_ids(3);
  s.add_product_ids(9);
  s.set_model_calls(1);
  s.set_model_cost_usd(0.0012);
  s.set_latency_micros(80'000);
  return s;
}

// The error ValidateServed gives for a request of a valid answer, then
// `bad` at index 1; "" when it is accepted.
std::string ServedError(const ServedRecommendation& bad) {
  RecordServedRequest request;
  *request.add_served() = ValidServed();
  *request.add_served() = bad;
  auto served = ValidateServed(request, kInsightsNow);
  if (served.ok()) return "";
  EXPECT_EQ(served.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(served.status().message());
}

TEST(ValidateServedTest, AcceptsAValidAnswerAndLowersItsId) {
  ServedRecommendation s = ValidServed();
  s.set_recommendation_id("6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E01");
  RecordServedRequest request;
  *request.add_served() = s;
  auto served = ValidateServed(request, kInsightsNow);
  ASSERT_TRUE(served.ok()) << served.status();
  ASSERT_EQ(served->size(), 1u);
  EXPECT_EQ((*served)[0].recommendation_id(), kAnswerId);
  EXPECT_EQ((*served)[0].product_ids_size(), 2);
}

TEST(ValidateServedTest, NamesTheFieldPathOfTheBadAnswer) {
  struct Case {
    std::function<void(ServedRecommendation&)> spoil;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](auto& s) { s.set_recommendation_id("nope"); },
       "served[1].recommendation_id: not a UUID"},
      {[](auto& s) { s.clear_recommendation_id(); },
       "served[1].recommendation_id: required"},
      {[](auto& s) { s.clear_served_at(); }, "served[1].served_at: required"},
      {[](auto& s) { s.mutable_served_at()->set_seconds(600'000'000); },
       "served[1].served_at: before 1990-01-01T00:00:00Z"},
      {[](auto& s) {
         SetTimestamp(kInsightsNow + absl::Minutes(6), s.mutable_served_at());
       },
       "served[1].served_at: more than 5 minutes in the future"},
      {[](auto& s) {
         s.set_placement(static_cast<smartshop::v1::Placement>(77));
       },
       "served[1].placement: unknown placement 77"},
      {[](auto& s) {
         s.set_strategy(static_cast<smartshop::v1::Strategy>(99));
       },
       "served[1].strategy: unknown strategy 99"},
      {[](auto& s) { s.set_product_ids(1, 0); },
       "served[1].product_ids[1]: must be positive"},
      {[](auto& s) {
         for (int i = 0; i < kMaxServedProducts; ++i) s.add_product_ids(i + 1);
       },
       "served[1].product_ids: more than 100 (102)"},
      {[](auto& s) { s.set_model_calls(-1); },
       "served[1].model_calls: must not be negative"},
      {[](auto& s) {
         s.set_model_cost_usd(std::numeric_limits<double>::quiet_NaN());
       },
       "served[1].model_cost_usd: must be a finite number, not negative"},
      {[](auto& s) {
         s.set_model_cost_usd(std::numeric_limits<double>::infinity());
       },
       "served[1].model_cost_usd: must be a finite number, not negative"},
      {[](auto& s) { s.set_model_cost_usd(-0.5); },
       "served[1].model_cost_usd: must be a finite number, not negative"},
      {[](auto& s) { s.set_latency_micros(-1); },
       "served[1].latency_micros: must not be negative"},
      {[](auto& s) { s.set_experiment(std::string(129, 'e')); },
       "served[1].experiment: longer than 128 bytes (129)"},
      {[](auto& s) { s.set_variant(std::string("a\0b", 3)); },
       "served[1].variant: must be valid UTF-8 without NUL characters"},
      {[](auto& s) { s.set_fallback_code("\xff"); },
       "served[1].fallback_code: must be valid UTF-8 without NUL characters"},
  };
  for (const Case& c : cases) {
    ServedRecommendation s = ValidServed();
    c.spoil(s);
    EXPECT_EQ(ServedError(s), c.error);
  }
  // Exactly at the limits: accepted.
  ServedRecommendation edge = ValidServed();
  SetTimestamp(kInsightsNow + absl::Minutes(5), edge.mutable_served_at());
  edge.set_experiment(std::string(128, 'e'));
  edge.set_variant("builtin");
  edge.clear_product_ids();
  for (int i = 0; i < kMaxServedProducts; ++i) edge.add_product_ids(i + 1);
  edge.set_model_cost_usd(0);
  // A known value, stored by its name: a ranker that left it unset should
  // not cost the whole batch.
  edge.set_strategy(smartshop::v1::STRATEGY_UNSPECIFIED);
  EXPECT_EQ(ServedError(edge), "");
}

TEST(ValidateServedTest, RefusesMoreThanTheLimitPerCall) {
  RecordServedRequest request;
  for (int i = 0; i <= kMaxServedPerCall; ++i) {
    *request.add_served() = ValidServed();
  }
  EXPECT_THAT(ValidateServed(request, kInsightsNow),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("over the limit of 1000")));
  request.mutable_served()->RemoveLast();
  EXPECT_TRUE(ValidateServed(request, kInsightsNow).ok());
}

Impression ValidImpression() {
  Impression m;
  m.set_recommendation_id(kAnswerId);
  m.set_session_key("s1");
  m.add_positions(1);
  m.add_positions(2);
  return m;
}

std::string ImpressionField(const Impression& m) {
  auto violation = FindImpressionViolation(m, kInsightsNow);
  return violation ? violation->field : "";
}

TEST(ImpressionValidationTest, JudgesEachRule) {
  EXPECT_EQ(ImpressionField(ValidImpression()), "");
  Impression m = ValidImpression();
  m.clear_recommendation_id();
  EXPECT_EQ(ImpressionField(m), "recommendation_id");
  m.set_recommendation_id("x");
  EXPECT_EQ(ImpressionField(m), "recommendation_id");
  m = ValidImpression();
  m.set_event_id("not-an-id");
  EXPECT_EQ(ImpressionField(m), "event_id");
  m = ValidImpression();
  m.clear_session_key();
  EXPECT_EQ(ImpressionField(m), "user_id");
  m.set_user_id(std::string(129, 'u'));
  EXPECT_EQ(ImpressionField(m), "user_id");
  m = ValidImpression();
  m.add_positions(9);
  EXPECT_EQ(ImpressionField(m), "positions[2]");
  m = ValidImpression();
  m.add_positions(0);
  EXPECT_EQ(ImpressionField(m), "positions[2]");
  m = ValidImpression();
  m.add_positions(1);
  auto repeated = FindImpressionViolation(m, kInsightsNow);
  ASSERT_TRUE(repeated);
  EXPECT_EQ(repeated->field, "positions[2]");
  EXPECT_EQ(repeated->description, "position 1 repeated");
  m = ValidImpression();
  m.mutable_timestamp()->set_seconds(100);
  EXPECT_EQ(ImpressionField(m), "timestamp");
  SetTimestamp(kInsightsNow + absl::Minutes(6), m.mutable_timestamp());
  EXPECT_EQ(ImpressionField(m), "timestamp");
  m.mutable_timestamp()->set_nanos(-1);
  EXPECT_EQ(ImpressionField(m), "timestamp");
  m = ValidImpression();
  for (int p = 3; p <= kMaxImpressionPosition; ++p) m.add_positions(p);
  EXPECT_EQ(ImpressionField(m), "");
}

TEST(ImpressionValidationTest, NormalizeFillsWhatTheServerChooses) {
  Impression m = ValidImpression();
  m.set_recommendation_id("6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E01");
  const Impression stored =
      NormalizeImpression(m, kInsightsNow + absl::Nanoseconds(1500));
  EXPECT_EQ(stored.recommendation_id(), kAnswerId);
  EXPECT_EQ(stored.event_id().size(), 36u);
  EXPECT_EQ(ToTime(stored.timestamp()),
            kInsightsNow + absl::Microseconds(1));  // Postgres keeps micros
  m.set_event_id("00000000-0000-4000-8000-00000000000A");
  EXPECT_EQ(NormalizeImpression(m, kInsightsNow).event_id(),
            "00000000-0000-4000-8000-00000000000a");
  EXPECT_NE(NormalizeImpression(ValidImpression(), kInsightsNow).event_id(),
            NormalizeImpression(ValidImpression(), kInsightsNow).event_id());
}

GetInsightsRequest ValidInsightsRequest() {
  GetInsightsRequest r;
  SetTimestamp(kInsightsNow - absl::Hours(24 * 7), r.mutable_since());
  SetTimestamp(kInsightsNow, r.mutable_until());
  return r;
}

TEST(ToInsightsQueryTest, MapsEveryField) {
  GetInsightsRequest r = ValidInsightsRequest();
  r.set_group_by(smartshop::v1::INSIGHTS_GROUPING_VARIANT);
  r.set_experiment("home-ranker");
  r.set_placement(smartshop::v1::PLACEMENT_CART);
  r.set_conversion_window_hours(48);
  auto query = ToInsightsQuery(r);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->since, kInsightsNow - absl::Hours(24 * 7));
  EXPECT_EQ(query->until, kInsightsNow);
  EXPECT_EQ(query->group_by, smartshop::v1::INSIGHTS_GROUPING_VARIANT);
  EXPECT_EQ(query->experiment, "home-ranker");
  EXPECT_EQ(query->placement, smartshop::v1::PLACEMENT_CART);
  EXPECT_EQ(query->conversion_window, absl::Hours(48));

  r.set_all_placements(true);
  r.set_conversion_window_hours(0);
  query = ToInsightsQuery(r);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->placement, std::nullopt);
  EXPECT_EQ(query->conversion_window, absl::Hours(24));
  // Unset placement without all_placements: the home page.
  query = ToInsightsQuery(ValidInsightsRequest());
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->placement, smartshop::v1::PLACEMENT_HOME);
}

TEST(ToInsightsQueryTest, RefusesWithTheFieldNamed) {
  struct Case {
    std::function<void(GetInsightsRequest&)> spoil;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_since(); }, "since: required"},
      {[](auto& r) { r.clear_until(); }, "until: required"},
      {[](auto& r) { r.mutable_until()->set_nanos(-3); },
       "until: out of the valid range"},
      {[](auto& r) { *r.mutable_until() = r.since(); },
       "until: must be after since"},
      {[](auto& r) {
         SetTimestamp(
             ToTime(r.since()) + absl::Hours(24 * 92) + absl::Seconds(1),
             r.mutable_until());
       },
       "until: at most 92 days after since"},
      {[](auto& r) {
         r.set_group_by(smartshop::v1::INSIGHTS_GROUPING_VARIANT);
       },
       "experiment: required for INSIGHTS_GROUPING_VARIANT"},
      {[](auto& r) {
         r.set_group_by(static_cast<smartshop::v1::InsightsGrouping>(40));
       },
       "group_by: unknown grouping 40"},
      {[](auto& r) {
         r.set_placement(static_cast<smartshop::v1::Placement>(12));
       },
       "placement: unknown placement 12"},
      {[](auto& r) { r.set_conversion_window_hours(721); },
       "conversion_window_hours: must be 0 (default 24) to 720"},
      {[](auto& r) { r.set_conversion_window_hours(-1); },
       "conversion_window_hours: must be 0 (default 24) to 720"},
      {[](auto& r) { r.set_experiment(std::string(200, 'x')); },
       "experiment: must be valid UTF-8 of at most 128 bytes without NUL"},
  };
  for (const Case& c : cases) {
    GetInsightsRequest r = ValidInsightsRequest();
    c.spoil(r);
    EXPECT_THAT(ToInsightsQuery(r),
                StatusIs(absl::StatusCode::kInvalidArgument, c.error));
  }
  // 92 days exactly and 720 hours: accepted.
  GetInsightsRequest edge = ValidInsightsRequest();
  SetTimestamp(ToTime(edge.since()) + absl::Hours(24 * 92),
               edge.mutable_until());
  edge.set_conversion_window_hours(720);
  EXPECT_TRUE(ToInsightsQuery(edge).ok());
}

}  // namespace
}  // namespace smartshop::tracking
