#include "services/tracking/interaction_validator.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;
using ::testing::HasSubstr;

const absl::Time kValidationTime = absl::FromUnixSeconds(1'800'000'000);

Interaction ValidView() {
  Interaction event;
  event.set_user_id("42");
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(7);
  return event;
}

// The field a violation names, or "" when the event is valid.
std::string ViolatedField(const Interaction& event) {
  auto violation = FindViolation(event, kValidationTime);
  return violation ? violation->field : "";
}

TEST(InteractionValidatorTest, AcceptsMinimalView) {
  EXPECT_EQ(ViolatedField(ValidView()), "");
}

TEST(InteractionValidatorTest, RejectsUnspecifiedAndUnknownTypes) {
  Interaction event = ValidView();
  event.set_type(smartshop::v1::INTERACTION_TYPE_UNSPECIFIED);
  EXPECT_EQ(ViolatedField(event), "type");
  event.set_type(static_cast<smartshop::v1::InteractionType>(42));
  auto violation = FindViolation(event, kValidationTime);
  ASSERT_TRUE(violation);
  EXPECT_THAT(violation->description, HasSubstr("42"));
}

TEST(InteractionValidatorTest, RequiresUserOrSession) {
  Interaction event = ValidView();
  event.clear_user_id();
  EXPECT_EQ(ViolatedField(event), "user_id");
  event.set_session_key("s-1");
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, RequiresProductForProductTypes) {
  for (auto type : {smartshop::v1::VIEW_PRODUCT, smartshop::v1::ADD_TO_CART,
                    smartshop::v1::UPDATE_CART, smartshop::v1::REMOVE_FROM_CART,
                    smartshop::v1::REVIEW_SUBMITTED}) {
    Interaction event = ValidView();
    event.set_type(type);
    event.set_quantity(1);
    event.clear_product_id();
    EXPECT_EQ(ViolatedField(event), "product_id") << TypeName(type);
  }
}

TEST(InteractionValidatorTest, RequiresCategoryForViewCategory) {
  Interaction event = ValidView();
  event.set_type(smartshop::v1::VIEW_CATEGORY);
  EXPECT_EQ(ViolatedField(event), "category_id");
  event.set_category_id(3);
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, RequiresSearchQueryForSearch) {
  Interaction event = ValidView();
  event.set_type(smartshop::v1::SEARCH);
  EXPECT_EQ(ViolatedField(event), "search_query");
  event.set_search_query("   ");
  EXPECT_EQ(ViolatedField(event), "search_query");
  event.set_search_query("red shoes");
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, RequiresOrderForOrderPlaced) {
  Interaction event = ValidView();
  event.set_type(smartshop::v1::ORDER_PLACED);
  EXPECT_EQ(ViolatedField(event), "order_id");
  event.set_order_id(99);
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, QuantityRulesPerType) {
  Interaction add = ValidView();
  add.set_type(smartshop::v1::ADD_TO_CART);
  add.set_quantity(0);
  EXPECT_EQ(ViolatedField(add), "quantity");
  add.set_quantity(1);
  EXPECT_EQ(ViolatedField(add), "");

  Interaction update = ValidView();
  update.set_type(smartshop::v1::UPDATE_CART);
  update.set_quantity(0);
  EXPECT_EQ(ViolatedField(update), "");
  update.set_quantity(-1);
  EXPECT_EQ(ViolatedField(update), "quantity");

  add.set_quantity(kMaxQuantity + 1);
  EXPECT_EQ(ViolatedField(add), "quantity");
}

TEST(InteractionValidatorTest, RejectsNegativeIds) {
  Interaction event = ValidView();
  event.set_order_id(-1);
  EXPECT_EQ(ViolatedField(event), "order_id");
}

TEST(InteractionValidatorTest, ChecksIpAddresses) {
  Interaction event = ValidView();
  for (const char* ok : {"192.0.2.1", "2001:db8::1", "::1"}) {
    event.set_ip_address(ok);
    EXPECT_EQ(ViolatedField(event), "") << ok;
  }
  for (const char* bad : {"300.1.1.1", "localhost", "1.2.3", "::g"}) {
    event.set_ip_address(bad);
    EXPECT_EQ(ViolatedField(event), "ip_address") << bad;
  }
}

TEST(InteractionValidatorTest, ExtraDataMustBeASmallJsonObject) {
  Interaction event = ValidView();
  event.set_extra_data(R"({"ab_test": "b", "n": [1, 2]})");
  EXPECT_EQ(ViolatedField(event), "");
  for (const char* bad : {"[1,2]", "\"text\"", "{not json", "42"}) {
    event.set_extra_data(bad);
    EXPECT_EQ(ViolatedField(event), "extra_data") << bad;
  }
  event.set_extra_data(R"({"k": "a\u0000b"})");
  EXPECT_EQ(ViolatedField(event), "extra_data");
  event.set_extra_data(
      absl::StrCat(R"({"k": ")", std::string(kMaxExtraDataBytes, 'x'), "\"}"));
  EXPECT_EQ(ViolatedField(event), "extra_data");
  std::string deep(kMaxExtraDataDepth + 1, '[');
  event.set_extra_data(
      absl::StrCat(R"({"k": )", deep, std::string(deep.size(), ']'), "}"));
  EXPECT_EQ(ViolatedField(event), "extra_data");
}

TEST(InteractionValidatorTest, EnforcesStringLimits) {
  struct Case {
    void (Interaction::*set)(const std::string&);
    size_t limit;
    std::string field;
  };
  for (const Case& c :
       {Case{&Interaction::set_page_url, kMaxUrlBytes, "page_url"},
        Case{&Interaction::set_referrer_url, kMaxUrlBytes, "referrer_url"},
        Case{&Interaction::set_user_agent, kMaxUserAgentBytes, "user_agent"},
        Case{&Interaction::set_search_query, kMaxSearchQueryBytes,
             "search_query"},
        Case{&Interaction::set_session_key, kMaxIdBytes, "session_key"},
        Case{&Interaction::set_user_id, kMaxIdBytes, "user_id"}}) {
    Interaction event = ValidView();
    (event.*c.set)(std::string(c.limit, 'a'));
    EXPECT_EQ(ViolatedField(event), "") << c.field;
    (event.*c.set)(std::string(c.limit + 1, 'a'));
    EXPECT_EQ(ViolatedField(event), c.field);
  }
}

TEST(InteractionValidatorTest, RejectsNulAndInvalidUtf8) {
  Interaction event = ValidView();
  event.set_page_url(std::string("a\0b", 3));
  EXPECT_EQ(ViolatedField(event), "page_url");
  event.set_page_url("\xC3\x28");  // broken two-byte sequence
  EXPECT_EQ(ViolatedField(event), "page_url");
  event.set_page_url("https://shop.example/caf\xC3\xA9");
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, RejectsTimestampsFarInTheFuture) {
  Interaction event = ValidView();
  event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(kValidationTime) +
                                         4 * 60);
  EXPECT_EQ(ViolatedField(event), "");
  event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(kValidationTime) +
                                         6 * 60);
  EXPECT_EQ(ViolatedField(event), "timestamp");
  event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(kValidationTime));
  event.mutable_timestamp()->set_nanos(-1);
  EXPECT_EQ(ViolatedField(event), "timestamp");
}

// Years 1, 12, 36 and 49 were once stored as 2001, 2016, refused whole or
// answered with Postgres's own text; now they never reach the database.
TEST(InteractionValidatorTest, RejectsTimestampsBefore1990WithTheBound) {
  Interaction event = ValidView();
  for (int year : {1, 12, 36, 49, 1970, 1989}) {
    const absl::Time t = absl::FromCivil(absl::CivilSecond(year, 6, 1, 0, 0, 0),
                                         absl::UTCTimeZone());
    event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(t));
    auto violation = FindViolation(event, kValidationTime);
    ASSERT_TRUE(violation) << year;
    EXPECT_EQ(ToStatus(*violation).message(),
              "timestamp: before 1990-01-01T00:00:00Z")
        << year;
  }
  event.mutable_timestamp()->set_seconds(kEarliestEventUnixSeconds - 1);
  event.mutable_timestamp()->set_nanos(999'999'999);
  EXPECT_EQ(ViolatedField(event), "timestamp");
  event.mutable_timestamp()->set_seconds(kEarliestEventUnixSeconds);
  event.mutable_timestamp()->set_nanos(0);
  EXPECT_EQ(ViolatedField(event), "");
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                             absl::FromUnixSeconds(kEarliestEventUnixSeconds),
                             absl::UTCTimeZone()),
            kEarliestEventText);
}

TEST(InteractionValidatorTest, AcceptsUpToFiveMinutesAheadExactly) {
  Interaction event = ValidView();
  const absl::Time limit = kValidationTime + kMaxFutureSkew;
  event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(limit));
  EXPECT_EQ(ViolatedField(event), "");
  event.mutable_timestamp()->set_nanos(1000);
  auto violation = FindViolation(event, kValidationTime);
  ASSERT_TRUE(violation);
  EXPECT_EQ(ToStatus(*violation).message(),
            "timestamp: more than 5 minutes in the future");
}

TEST(InteractionValidatorTest, EventIdMustBeAUuid) {
  Interaction event = ValidView();
  event.set_event_id("not-a-uuid");
  EXPECT_EQ(ViolatedField(event), "event_id");
  event.set_event_id("6F9619FF-8B86-D011-B42D-00C04FC964FF");
  EXPECT_EQ(ViolatedField(event), "");
}

TEST(InteractionValidatorTest, StatusNamesTheField) {
  absl::Status status = ToStatus({"product_id", "required for view_product"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "product_id: required for view_product");
}

TEST(NormalizeTest, FillsServerChosenFields) {
  Interaction event = Normalize(ValidView(), kValidationTime);
  EXPECT_EQ(event.event_id().size(), 36u);
  EXPECT_EQ(event.timestamp().seconds(), absl::ToUnixSeconds(kValidationTime));
  EXPECT_EQ(event.extra_data(), "{}");
  EXPECT_NE(Normalize(ValidView(), kValidationTime).event_id(),
            event.event_id());
}

TEST(NormalizeTest, KeepsClientChoicesInCanonicalForm) {
  Interaction in = ValidView();
  in.set_event_id("6F9619FF-8B86-D011-B42D-00C04FC964FF");
  in.mutable_timestamp()->set_seconds(1'700'000'000);
  in.set_sequence(99);
  Interaction event = Normalize(in, kValidationTime);
  EXPECT_EQ(event.event_id(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
  EXPECT_EQ(event.timestamp().seconds(), 1'700'000'000);
  EXPECT_EQ(event.sequence(), 0);
}

TEST(TypeNameTest, RoundTripsEveryType) {
  for (int t = 1; t <= 9; ++t) {
    auto type = static_cast<smartshop::v1::InteractionType>(t);
    EXPECT_EQ(TypeFromName(TypeName(type)), type);
  }
  EXPECT_EQ(TypeName(smartshop::v1::ORDER_PLACED), "order_placed");
  EXPECT_EQ(TypeFromName("bogus"), smartshop::v1::INTERACTION_TYPE_UNSPECIFIED);
}

}  // namespace
}  // namespace smartshop::tracking

namespace smartshop::tracking {
namespace {

constexpr char kRecommendationUpper[] = "6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E01";
constexpr char kRecommendation[] = "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01";

Interaction AttributedView(std::string recommendation_id, int position) {
  Interaction event = ValidView();
  event.set_recommendation_id(std::move(recommendation_id));
  event.set_position(position);
  return event;
}

std::string AttributionField(const Interaction& event) {
  auto problem = FindAttributionProblem(event);
  return problem ? problem->field : "";
}

TEST(InteractionAttributionTest, AcceptsAnIdInAnyCaseWithAPosition) {
  for (int position : {0, 1, 8, kMaxInteractionPosition}) {
    const Interaction event = AttributedView(kRecommendationUpper, position);
    EXPECT_EQ(AttributionField(event), "") << position;
    // Never a reason to refuse the event.
    EXPECT_FALSE(FindViolation(event, kValidationTime));
    const Interaction stored = Normalize(event, kValidationTime);
    EXPECT_EQ(stored.recommendation_id(), kRecommendation);
    EXPECT_EQ(stored.position(), position);
  }
}

TEST(InteractionAttributionTest, AMalformedIdIsDroppedWithItsPosition) {
  for (const char* id : {"not-a-uuid", "6f1d1b4e-8c39-4d0e-9d43",
                         "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01x"}) {
    const Interaction event = AttributedView(id, 3);
    EXPECT_FALSE(FindViolation(event, kValidationTime)) << id;
    auto problem = FindAttributionProblem(event);
    ASSERT_TRUE(problem) << id;
    EXPECT_EQ(problem->field, "recommendation_id");
    EXPECT_EQ(problem->description, "not a UUID; stored without it");
    const Interaction stored = Normalize(event, kValidationTime);
    EXPECT_EQ(stored.recommendation_id(), "");
    EXPECT_EQ(stored.position(), 0);
    EXPECT_EQ(stored.product_id(), 7);  // the event itself is kept
  }
}

TEST(InteractionAttributionTest, ABadPositionIsDroppedAndTheIdKept) {
  for (int position : {-1, kMaxInteractionPosition + 1}) {
    const Interaction event = AttributedView(kRecommendation, position);
    auto problem = FindAttributionProblem(event);
    ASSERT_TRUE(problem) << position;
    EXPECT_EQ(problem->field, "position");
    EXPECT_THAT(problem->description, HasSubstr("0 to 1000"));
    const Interaction stored = Normalize(event, kValidationTime);
    EXPECT_EQ(stored.recommendation_id(), kRecommendation);
    EXPECT_EQ(stored.position(), 0);
  }
}

TEST(InteractionAttributionTest, APositionWithoutAnIdIsDropped) {
  const Interaction event = AttributedView("", 2);
  auto problem = FindAttributionProblem(event);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->field, "position");
  EXPECT_EQ(problem->description,
            "only with a recommendation_id; stored without it");
  EXPECT_EQ(Normalize(event, kValidationTime).position(), 0);
}

}  // namespace
}  // namespace smartshop::tracking
