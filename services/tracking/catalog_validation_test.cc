#include "services/tracking/catalog_validation.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace smartshop::tracking {
namespace {

using ::testing::HasSubstr;

google::protobuf::RepeatedPtrField<smartshop::v1::Product> Products(int n) {
  google::protobuf::RepeatedPtrField<smartshop::v1::Product> list;
  for (int i = 1; i <= n; ++i) {
    auto* p = list.Add();
    p->set_id(i);
    p->set_name("Mug");
    p->set_is_active(true);
  }
  return list;
}

TEST(CatalogValidationTest, AcceptsAValidList) {
  EXPECT_TRUE(ValidateProducts(Products(3), 1000).ok());
}

TEST(CatalogValidationTest, NamesTheBadEntry) {
  auto list = Products(3);
  list[1].set_units_sold(-1);
  absl::Status status = ValidateProducts(list, 1000);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("products[1].units_sold"));
}

TEST(CatalogValidationTest, RejectsRepeatedIdsEmptyNamesAndOversizeBatches) {
  auto repeated = Products(2);
  repeated[1].set_id(1);
  EXPECT_THAT(ValidateProducts(repeated, 1000).message(), HasSubstr("repeats"));
  auto unnamed = Products(1);
  unnamed[0].clear_name();
  EXPECT_THAT(ValidateProducts(unnamed, 1000).message(),
              HasSubstr("products[0].name"));
  EXPECT_THAT(ValidateProducts(Products(3), 2).message(),
              HasSubstr("over the limit"));
  auto negative_stock = Products(1);
  negative_stock[0].set_stock(-5);
  EXPECT_THAT(ValidateProducts(negative_stock, 1000).message(),
              HasSubstr("stock"));
}

TEST(CatalogValidationTest, ChecksCategories) {
  google::protobuf::RepeatedPtrField<smartshop::v1::Category> list;
  list.Add()->set_id(0);
  EXPECT_THAT(ValidateCategories(list, 1000).message(),
              HasSubstr("categories[0].id"));
}

using RuleList =
    google::protobuf::RepeatedPtrField<smartshop::v1::MerchandisingRule>;

// Rules from text format, one string each.
RuleList Rules(std::initializer_list<const char*> texts) {
  RuleList list;
  for (const char* text : texts) {
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, list.Add()))
        << text;
  }
  return list;
}

// The message for one rule after a valid first one, so that the index is
// checked too.
std::string SecondRuleError(const char* text) {
  return std::string(
      ValidateMerchandisingRules(
          Rules({R"(id: "ok" product_id: 1 action: MERCHANDISING_EXCLUDE)",
                 text}),
          1000)
          .message());
}

TEST(MerchandisingRuleValidationTest, AcceptsEveryActionWithItsNumbers) {
  RuleList rules = Rules({
      R"(id: "boost-1" product_id: 7 action: MERCHANDISING_BOOST
         multiplier: 2.5 placements: PLACEMENT_HOME placements: PLACEMENT_CART)",
      R"(id: "bury.2" category_id: 3 action: MERCHANDISING_BURY)",
      R"(id: "pin:3" product_id: 99999 action: MERCHANDISING_PIN
         pin_position: 8 starts_at { seconds: 100 } ends_at { seconds: 200 })",
      R"(id: "pin-cat" category_id: 4 action: MERCHANDISING_PIN
         pin_position: 1)",
      R"(id: "x_4" category_id: 5 action: MERCHANDISING_EXCLUDE
         ends_at { seconds: -62135596800 })",
      R"(id: "slow" all_products: true action: MERCHANDISING_PROMOTE_SLOW_MOVING
         multiplier: 100 recent_sales_below: 3)",
  });
  EXPECT_TRUE(ValidateMerchandisingRules(rules, 1000).ok());
}

TEST(MerchandisingRuleValidationTest, NamesTheIndexAndFieldOfBadNumbers) {
  EXPECT_EQ(SecondRuleError(R"(id: "p" product_id: 1 action: MERCHANDISING_PIN
                               pin_position: 9)"),
            "rules[1].pin_position: must be 1 to 8");
  EXPECT_EQ(
      SecondRuleError(R"(id: "p" product_id: 1 action: MERCHANDISING_PIN)"),
      "rules[1].pin_position: must be 1 to 8");
  EXPECT_EQ(SecondRuleError(R"(id: "b" product_id: 1 action: MERCHANDISING_BOOST
                               multiplier: 1)"),
            "rules[1].multiplier: must be more than 1 and at most 100");
  EXPECT_EQ(SecondRuleError(R"(id: "b" product_id: 1 action: MERCHANDISING_BOOST
                               multiplier: 100.5)"),
            "rules[1].multiplier: must be more than 1 and at most 100");
  EXPECT_EQ(SecondRuleError(R"(id: "b" product_id: 1 action: MERCHANDISING_BURY
                               multiplier: 0.5)"),
            "rules[1].multiplier: only for MERCHANDISING_BOOST and "
            "MERCHANDISING_PROMOTE_SLOW_MOVING");
  EXPECT_EQ(SecondRuleError(R"(id: "x" product_id: 1
                               action: MERCHANDISING_EXCLUDE pin_position: 2)"),
            "rules[1].pin_position: only for MERCHANDISING_PIN");
  EXPECT_EQ(
      SecondRuleError(R"(id: "s" category_id: 1 multiplier: 2
                               action: MERCHANDISING_PROMOTE_SLOW_MOVING)"),
      "rules[1].recent_sales_below: must be more than 0 and at most 1000000");
  EXPECT_EQ(SecondRuleError(R"(id: "s" category_id: 1 recent_sales_below: 1
                               action: MERCHANDISING_BOOST multiplier: 2)"),
            "rules[1].recent_sales_below: only for "
            "MERCHANDISING_PROMOTE_SLOW_MOVING");
}

TEST(MerchandisingRuleValidationTest, ChecksIdsTargetsAndActions) {
  EXPECT_EQ(SecondRuleError(R"(product_id: 1 action: MERCHANDISING_EXCLUDE)"),
            "rules[1].id: must be 1 to 64 bytes");
  EXPECT_EQ(SecondRuleError(R"(id: "a b" product_id: 1
                               action: MERCHANDISING_EXCLUDE)"),
            "rules[1].id: may hold only A-Z a-z 0-9 _ . : -");
  EXPECT_EQ(SecondRuleError(R"(id: "ok" product_id: 2
                               action: MERCHANDISING_EXCLUDE)"),
            "rules[1].id: repeats id ok");
  EXPECT_EQ(SecondRuleError(R"(id: "t" action: MERCHANDISING_EXCLUDE)"),
            "rules[1].target: required: product_id, category_id or "
            "all_products");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: -4
                               action: MERCHANDISING_EXCLUDE)"),
            "rules[1].product_id: must be > 0");
  EXPECT_EQ(SecondRuleError(R"(id: "t" category_id: 0
                               action: MERCHANDISING_EXCLUDE)"),
            "rules[1].category_id: must be > 0");
  EXPECT_EQ(SecondRuleError(R"(id: "t" all_products: true
                               action: MERCHANDISING_PIN pin_position: 1)"),
            "rules[1].all_products: only for "
            "MERCHANDISING_PROMOTE_SLOW_MOVING");
  EXPECT_EQ(SecondRuleError(R"(id: "t" all_products: true
                               action: MERCHANDISING_EXCLUDE)"),
            "rules[1].all_products: only for "
            "MERCHANDISING_PROMOTE_SLOW_MOVING");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1)"),
            "rules[1].action: required: a MerchandisingAction");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1 action: 42)"),
            "rules[1].action: required: a MerchandisingAction");
}

TEST(MerchandisingRuleValidationTest, ChecksTimeRangesAndPlacements) {
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               starts_at { seconds: 200 }
                               ends_at { seconds: 200 })"),
            "rules[1].ends_at: must be after starts_at");
  // Postgres keeps microseconds: 1 ns apart would be stored equal.
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               starts_at { seconds: 200 }
                               ends_at { seconds: 200 nanos: 1 })"),
            "rules[1].ends_at: must be after starts_at");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               starts_at { seconds: 253402300800 })"),
            "rules[1].starts_at: not a valid Timestamp");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               ends_at { nanos: -1 })"),
            "rules[1].ends_at: not a valid Timestamp");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE placements: 17)"),
            "rules[1].placements: unknown placement 17");
  EXPECT_EQ(SecondRuleError(R"(id: "t" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               placements: PLACEMENT_CART
                               placements: PLACEMENT_CART)"),
            "rules[1].placements: repeats placement PLACEMENT_CART");
}

TEST(MerchandisingRuleValidationTest, StatesTheBatchLimitAndChecksDeleteIds) {
  EXPECT_EQ(
      ValidateMerchandisingRules(
          Rules({R"(id: "a" product_id: 1 action: MERCHANDISING_EXCLUDE)",
                 R"(id: "b" product_id: 1 action: MERCHANDISING_EXCLUDE)"}),
          1)
          .message(),
      "rules: 2 entries is over the limit of 1 per call");
  google::protobuf::RepeatedPtrField<std::string> ids;
  EXPECT_EQ(ValidateRuleIds(ids, 1000).message(),
            "ids: must hold 1 to 1000 ids");
  ids.Add("fine");
  EXPECT_TRUE(ValidateRuleIds(ids, 1000).ok());
  ids.Add(std::string(65, 'a'));
  EXPECT_EQ(ValidateRuleIds(ids, 1000).message(),
            "ids[1]: must be 1 to 64 bytes");
}

}  // namespace
}  // namespace smartshop::tracking
