#include "common/method_scopes.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "gtest/gtest.h"

namespace smartshop {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::ServiceDescriptor;

// Every service of package smartshop.v1 compiled into this binary (the test
// links the whole proto library), found through the generated pool rather
// than a list, so that a new service or method is covered without editing
// this test.
std::vector<const ServiceDescriptor*> SmartshopServices() {
  std::vector<std::string> files;
  EXPECT_TRUE(
      DescriptorPool::internal_generated_database()->FindAllFileNames(&files));
  std::vector<const ServiceDescriptor*> services;
  for (const std::string& name : files) {
    const auto* file = DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr || file->package() != "smartshop.v1") continue;
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(file->service(i));
    }
  }
  return services;
}

TEST(MethodScopesTest, FindsTheThreeServices) {
  std::vector<std::string> names;
  for (const ServiceDescriptor* service : SmartshopServices()) {
    names.push_back(service->full_name());
  }
  EXPECT_THAT(names,
              ::testing::IsSupersetOf({"smartshop.v1.TrackingService",
                                       "smartshop.v1.CatalogService",
                                       "smartshop.v1.RecommenderService"}));
}

TEST(MethodScopesTest, EveryMethodOfEveryServiceHasAScope) {
  for (const ServiceDescriptor* service : SmartshopServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_TRUE(MethodScope(service->full_name(), service->method(i)->name()))
          << service->method(i)->full_name()
          << " has no scope in common/method_scopes.cc";
    }
  }
}

TEST(MethodScopesTest, TheTableNamesOnlyMethodsThatExist) {
  absl::flat_hash_set<std::string> methods;
  for (const ServiceDescriptor* service : SmartshopServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(
          absl::StrCat(service->full_name(), "/", service->method(i)->name()));
    }
  }
  for (const std::string& scoped : ScopedMethods()) {
    EXPECT_TRUE(methods.contains(scoped)) << scoped << " is no method";
  }
}

TEST(MethodScopesTest, ReadsAndWritesAreTheDocumentedOnes) {
  EXPECT_EQ(MethodScope("smartshop.v1.TrackingService", "Track"),
            Scope::kWrite);
  EXPECT_EQ(MethodScope("smartshop.v1.TrackingService", "Subscribe"),
            Scope::kRead);
  EXPECT_EQ(
      MethodScope("smartshop.v1.RecommenderService", "GetRecommendations"),
      Scope::kRead);
  EXPECT_EQ(MethodScope("smartshop.v1.RecommenderService", "DeleteUserData"),
            Scope::kWrite);
  // The recommender's served log is recorded; the shop's impressions write,
  // as Track.
  EXPECT_EQ(MethodScope("smartshop.v1.InsightsService", "RecordServed"),
            Scope::kRecord);
  EXPECT_EQ(MethodScope("smartshop.v1.InsightsService", "TrackImpressions"),
            Scope::kWrite);
  EXPECT_EQ(MethodScope("smartshop.v1.InsightsService", "GetInsights"),
            Scope::kRead);
  EXPECT_EQ(MethodScope("smartshop.v1.TrackingService", "Nope"), std::nullopt);
}

}  // namespace
}  // namespace smartshop
