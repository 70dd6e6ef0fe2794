// CatalogService's merchandising rules against a real Postgres: upsert,
// list, replace, delete, the limits, validation writing nothing, and no
// database text in errors.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::MerchandisingRule;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

MerchandisingRule Rule(const std::string& text) {
  MerchandisingRule rule;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rule))
      << text;
  return rule;
}

MerchandisingRule Exclude(const std::string& id, int64_t product) {
  MerchandisingRule rule;
  rule.set_id(id);
  rule.set_product_id(product);
  rule.set_action(smartshop::v1::MERCHANDISING_EXCLUDE);
  return rule;
}

class MerchandisingRulesIntegrationTest : public ::testing::Test {
 protected:
  grpc::Status Upsert(const std::vector<MerchandisingRule>& rules) {
    smartshop::v1::UpsertMerchandisingRulesRequest request;
    for (const auto& rule : rules) *request.add_rules() = rule;
    smartshop::v1::UpsertMerchandisingRulesResponse response;
    grpc::Status status = server_.catalog().UpsertMerchandisingRules(
        TrackingHarness::Context().get(), request, &response);
    if (status.ok()) EXPECT_EQ(response.upserted(), request.rules_size());
    return status;
  }

  std::vector<MerchandisingRule> List() {
    smartshop::v1::ListMerchandisingRulesResponse response;
    grpc::Status status = server_.catalog().ListMerchandisingRules(
        TrackingHarness::Context().get(), {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.rules().begin(), response.rules().end()};
  }

  std::vector<std::string> ListedIds() {
    std::vector<std::string> ids;
    for (const auto& rule : List()) ids.push_back(rule.id());
    return ids;
  }

  grpc::Status Delete(const std::vector<std::string>& ids, int* deleted) {
    smartshop::v1::DeleteMerchandisingRulesRequest request;
    for (const auto& id : ids) request.add_ids(id);
    smartshop::v1::DeleteMerchandisingRulesResponse response;
    grpc::Status status = server_.catalog().DeleteMerchandisingRules(
        TrackingHarness::Context().get(), request, &response);
    *deleted = response.deleted();
    return status;
  }

  TestDatabase db_;
  TrackingHarness server_{db_.url(),
                          {.max_batch_size = 5, .max_merchandising_rules = 6}};
};

TEST_F(MerchandisingRulesIntegrationTest, StoresEveryFieldOfEveryAction) {
  const std::vector<MerchandisingRule> rules = {
      Rule(R"(id: "a.boost" product_id: 424242 action: MERCHANDISING_BOOST
              multiplier: 2.25 placements: PLACEMENT_HOME
              placements: PLACEMENT_TRENDING
              starts_at { seconds: 1700000000 nanos: 123456000 }
              ends_at { seconds: 253402300799 nanos: 999999000 })"),
      Rule(R"(id: "b:bury" category_id: 9 action: MERCHANDISING_BURY
              starts_at { seconds: -62135596800 })"),
      Rule(R"(id: "c-pin" product_id: 7 action: MERCHANDISING_PIN
              pin_position: 3)"),
      Rule(R"(id: "d_exclude" category_id: 77 action: MERCHANDISING_EXCLUDE)"),
      Rule(R"(id: "e" all_products: true multiplier: 1.5
              action: MERCHANDISING_PROMOTE_SLOW_MOVING
              recent_sales_below: 2.5)"),
  };
  ASSERT_TRUE(Upsert(rules).ok());
  const std::vector<MerchandisingRule> listed = List();
  ASSERT_EQ(listed.size(), rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_TRUE(listed[i].has_updated_at()) << listed[i].id();
    MerchandisingRule without_time = listed[i];
    without_time.clear_updated_at();
    EXPECT_EQ(without_time.DebugString(), rules[i].DebugString());
  }
}

TEST_F(MerchandisingRulesIntegrationTest, UpsertReplacesByIdAndDeleteCounts) {
  ASSERT_TRUE(Upsert({Exclude("x", 1), Exclude("y", 2)}).ok());
  MerchandisingRule pin = Rule(
      R"(id: "x" product_id: 5 action: MERCHANDISING_PIN pin_position: 1)");
  ASSERT_TRUE(Upsert({pin}).ok());
  const std::vector<MerchandisingRule> listed = List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].product_id(), 5);
  EXPECT_EQ(listed[0].action(), smartshop::v1::MERCHANDISING_PIN);
  EXPECT_EQ(listed[0].pin_position(), 1);
  int deleted = -1;
  ASSERT_TRUE(Delete({"x", "unknown"}, &deleted).ok());
  EXPECT_EQ(deleted, 1);
  EXPECT_THAT(ListedIds(), ElementsAre("y"));
}

TEST_F(MerchandisingRulesIntegrationTest, InvalidUpsertWritesNothing) {
  MerchandisingRule bad = Exclude("bad", 1);
  *bad.mutable_starts_at() = Rule(R"(starts_at { seconds: 10 })").starts_at();
  *bad.mutable_ends_at() = Rule(R"(ends_at { seconds: 5 })").ends_at();
  grpc::Status status = Upsert({Exclude("fine", 1), bad});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "rules[1].ends_at: must be after starts_at");
  EXPECT_EQ(QueryScalar(db_.url(), "SELECT count(*) FROM merchandising_rules"),
            "0");
}

TEST_F(MerchandisingRulesIntegrationTest, BatchAndTotalLimitsRefuseWhole) {
  std::vector<MerchandisingRule> six;
  for (int i = 0; i < 6; ++i)
    six.push_back(Exclude(absl::StrCat("r", i), i + 1));
  grpc::Status too_many = Upsert(six);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(too_many.error_message(),
            "rules: 6 entries is over the limit of 5 per call");
  ASSERT_TRUE(Upsert({six.begin(), six.begin() + 5}).ok());
  // Replacing stored ids adds nothing; a sixth rule fits, a seventh not.
  ASSERT_TRUE(Upsert({six[0], six[5]}).ok());
  grpc::Status over =
      Upsert({Exclude("r0", 9), Exclude("new1", 1), Exclude("new2", 2)});
  EXPECT_EQ(over.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(over.error_message(),
            "rules: at most 6 rules in all; this upsert would make 8 (delete "
            "some first)");
  EXPECT_EQ(List().size(), 6u);
  EXPECT_EQ(List()[0].product_id(), 1);  // r0 kept, not replaced
}

TEST_F(MerchandisingRulesIntegrationTest, DeleteValidatesIds) {
  int deleted = 0;
  EXPECT_EQ(Delete({}, &deleted).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status bad = Delete({"ok", "not ok"}, &deleted);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "ids[1]: may hold only A-Z a-z 0-9 _ . : -");
}

TEST_F(MerchandisingRulesIntegrationTest, StorageFailuresCarryNoDatabaseText) {
  Execute(db_.url(), "ALTER TABLE merchandising_rules RENAME TO moved_away");
  grpc::Status upsert = Upsert({Exclude("x", 1)});
  EXPECT_EQ(upsert.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(upsert.error_message(), "storage: internal error");
  smartshop::v1::ListMerchandisingRulesResponse response;
  grpc::Status list = server_.catalog().ListMerchandisingRules(
      TrackingHarness::Context().get(), {}, &response);
  EXPECT_EQ(list.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(list.error_message(), "storage: internal error");
  int deleted = 0;
  EXPECT_EQ(Delete({"x"}, &deleted).error_message(), "storage: internal error");
  Execute(db_.url(), "ALTER TABLE moved_away RENAME TO merchandising_rules");
}

}  // namespace
}  // namespace smartshop::testing
