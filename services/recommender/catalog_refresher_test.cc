#include "services/recommender/catalog_refresher.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_recommender_deps.h"

namespace smartshop::recommender {
namespace {

smartshop::v1::Product Product(int64_t id) {
  smartshop::v1::Product product;
  product.set_id(id);
  product.set_name("P");
  product.set_is_active(true);
  return product;
}

smartshop::v1::MerchandisingRule Pin(const std::string& id, int64_t product) {
  smartshop::v1::MerchandisingRule rule;
  rule.set_id(id);
  rule.set_product_id(product);
  rule.set_action(smartshop::v1::MERCHANDISING_PIN);
  rule.set_pin_position(1);
  return rule;
}

class CatalogRefresherTest : public ::testing::Test {
 protected:
  testing::FakeTrackingReader tracking_;
  CatalogRefresher refresher_{&tracking_, absl::Hours(1), absl::Seconds(1)};
};

TEST_F(CatalogRefresherTest, LoadsTheRulesWithTheProducts) {
  tracking_.SetProducts({Product(1), Product(2)});
  tracking_.SetRules({Pin("b", 2), Pin("a", 1)});
  ASSERT_TRUE(refresher_.Refresh().ok());
  auto snapshot = refresher_.Current();
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->merchandising_rules().size(), 2u);
  EXPECT_EQ(snapshot->merchandising_rules()[0].id(), "a");  // by id
  ASSERT_EQ(snapshot->RulesForProduct(2).size(), 1u);
  EXPECT_EQ(snapshot->RulesForProduct(2)[0]->id(), "b");
  EXPECT_EQ(snapshot->pins().size(), 2u);
}

TEST_F(CatalogRefresherTest, AFailedRulesLoadKeepsThePreviousRules) {
  tracking_.SetProducts({Product(1)});
  tracking_.SetRules({Pin("a", 1)});
  ASSERT_TRUE(refresher_.Refresh().ok());
  tracking_.SetProducts({Product(1), Product(2)});
  tracking_.SetRules({});
  tracking_.FailRulesWith(absl::UnavailableError("tracking: down"));
  ASSERT_TRUE(refresher_.Refresh().ok());
  auto snapshot = refresher_.Current();
  EXPECT_EQ(snapshot->size(), 2u);  // the products did load
  ASSERT_EQ(snapshot->merchandising_rules().size(), 1u);
  EXPECT_EQ(snapshot->merchandising_rules()[0].id(), "a");
  // Recovered: the rules as they are now (none).
  tracking_.FailRulesWith(absl::OkStatus());
  ASSERT_TRUE(refresher_.Refresh().ok());
  EXPECT_TRUE(refresher_.Current()->merchandising_rules().empty());
}

TEST_F(CatalogRefresherTest, AFirstLoadWithoutRulesStillLoadsTheProducts) {
  tracking_.SetProducts({Product(1)});
  tracking_.FailRulesWith(absl::UnimplementedError("old tracking"));
  ASSERT_TRUE(refresher_.Refresh().ok());
  EXPECT_EQ(refresher_.Current()->size(), 1u);
  EXPECT_TRUE(refresher_.Current()->merchandising_rules().empty());
}

TEST_F(CatalogRefresherTest, AFailedProductLoadLoadsNoRulesEither) {
  tracking_.SetProducts({Product(1)});
  ASSERT_TRUE(refresher_.Refresh().ok());
  tracking_.SetRules({Pin("a", 1)});
  tracking_.FailWith(absl::UnavailableError("tracking: down"));
  EXPECT_FALSE(refresher_.Refresh().ok());
  EXPECT_TRUE(refresher_.Current()->merchandising_rules().empty());
}

}  // namespace
}  // namespace smartshop::recommender
