#include "services/tracking/catalog_validation.h"

#include "gmock/gmock.h"
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

}  // namespace
}  // namespace smartshop::tracking
