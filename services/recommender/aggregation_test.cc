#include "services/recommender/aggregation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/model/prompt_builder.h"

namespace smartshop::recommender {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

smartshop::v1::Product AggregatedProduct(int64_t id, std::string name,
                                         std::string category,
                                         bool active = true) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(std::move(name));
  p.set_category_name(std::move(category));
  p.set_is_active(active);
  return p;
}

smartshop::v1::Interaction I(smartshop::v1::InteractionType type,
                             int64_t product) {
  smartshop::v1::Interaction i;
  i.set_type(type);
  i.set_product_id(product);
  return i;
}

TEST(AggregateTest, CountsPerProductInOrderOfFirstAppearance) {
  CatalogSnapshot catalog(
      {AggregatedProduct(1, "Mug", "Kitchen"), AggregatedProduct(2, "Pen", "")},
      absl::Now());
  auto summary = Aggregate(
      {I(smartshop::v1::VIEW_PRODUCT, 2), I(smartshop::v1::VIEW_PRODUCT, 1),
       I(smartshop::v1::ADD_TO_CART, 1), I(smartshop::v1::ORDER_PLACED, 1),
       I(smartshop::v1::VIEW_PRODUCT, 2), I(smartshop::v1::SEARCH, 0),
       I(smartshop::v1::VIEW_PRODUCT, 99)},  // unknown
      catalog);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].key, "Pen");
  EXPECT_EQ(summary[0].views, 2);
  EXPECT_EQ(summary[1].key, "Mug (Kitchen)");
  EXPECT_EQ(summary[1].views, 1);
  EXPECT_EQ(summary[1].cart_adds, 1);
  EXPECT_EQ(summary[1].purchases, 1);
  EXPECT_EQ(summary[1].product_id, 1);
}

TEST(AggregateTest, ProductsShownAlikeAreOneEntryAsInTheOriginal) {
  CatalogSnapshot catalog({AggregatedProduct(1, "Mug", "Kitchen"),
                           AggregatedProduct(2, "Mug", "Kitchen"),
                           AggregatedProduct(3, "Mug", "Garden")},
                          absl::Now());
  auto summary = Aggregate(
      {I(smartshop::v1::VIEW_PRODUCT, 2), I(smartshop::v1::ORDER_PLACED, 1),
       I(smartshop::v1::VIEW_PRODUCT, 3)},
      catalog);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].key, "Mug (Kitchen)");
  EXPECT_EQ(summary[0].product_id, 2);  // the first one seen
  EXPECT_EQ(summary[0].views, 1);
  EXPECT_EQ(summary[0].purchases, 1);
  // No duplicate key in the prompt's JSON.
  const std::string json = SummaryJson(summary);
  EXPECT_EQ(json.find("\"Mug (Kitchen)\""), json.rfind("\"Mug (Kitchen)\""));
}

TEST(AggregateTest, SummaryIsJson) {
  EXPECT_EQ(
      SummaryJson({{"Mug (Kitchen)", 1, 2, 1, 0}}),
      "{\n  \"Mug (Kitchen)\": "
      "{\"views\":2,\"cart_adds\":1,\"purchases\":0,\"product_id\":1}\n}");
  EXPECT_EQ(SummaryJson({}), "{}");
}

TEST(PromptBuilderTest, BuildsTheOriginalRequest) {
  auto builder = PromptBuilder::Create({});
  ASSERT_TRUE(builder.ok()) << builder.status();
  std::vector<smartshop::v1::Product> products;
  for (int i = 1; i <= 60; ++i) {
    products.push_back(
        AggregatedProduct(i, absl::StrCat("Item ", i), "Cat", i != 3));
  }
  CatalogSnapshot catalog(products, absl::Now());
  ChatRequest request =
      builder->Build({{"Item 1 (Cat)", 1, 3, 0, 0}}, catalog, true);
  EXPECT_EQ(request.model, "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(request.temperature, 0.7);
  EXPECT_EQ(request.max_tokens, 1000);
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, "system");
  EXPECT_EQ(request.messages[0].content,
            "You are an expert e-commerce product recommendation engine. "
            "Always return valid JSON.");
  const std::string& user = request.messages[1].content;
  EXPECT_THAT(user, HasSubstr("most relevant for this specific user."));
  EXPECT_THAT(user, HasSubstr("\"Item 1 (Cat)\": {\"views\":3"));
  EXPECT_THAT(user, HasSubstr("\"Item 51 (Cat)\""));  // 50 active: 1..51 w/o 3
  EXPECT_THAT(user, Not(HasSubstr("\"Item 52 (Cat)\"")));
  EXPECT_THAT(user, Not(HasSubstr("\"Item 3 (Cat)\"")));
  EXPECT_THAT(user, HasSubstr("4. Balance popularity with discovery"));
  EXPECT_THAT(user, HasSubstr("Return ONLY a JSON array"));
  EXPECT_THAT(builder->Build({}, catalog, false).messages[1].content,
              HasSubstr("most relevant for anonymous visitors."));
}

TEST(PromptBuilderTest, CatalogTextCannotInjectPlaceholders) {
  auto builder = PromptBuilder::Create({});
  ASSERT_TRUE(builder.ok());
  CatalogSnapshot catalog(
      {AggregatedProduct(1, "Evil \"{product_catalog}\"\n", "X")}, absl::Now());
  const std::string user =
      builder->Build({}, catalog, false).messages[1].content;
  EXPECT_THAT(user, HasSubstr(R"j("Evil \"{product_catalog}\"\n (X)")j"));
}

TEST(PromptBuilderTest, UnknownVersionIsNotFound) {
  PromptSettings settings;
  settings.version = "v99";
  EXPECT_EQ(PromptBuilder::Create(settings).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace smartshop::recommender
