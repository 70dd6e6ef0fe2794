// The plans of the store's hot statements, on a partitioned interactions
// table of 200 000 rows over seven months: each is served by indexes (per
// partition, merged or appended in order), never by a Seq Scan, and never
// sorts a large part of the table. The statements are the store's own text
// (PgInteractionStore::*Sql), planned both as custom and as generic plans,
// as a prepared statement may be after its fifth run.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "boost/json.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_interaction_store.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::InteractionType;
using tracking::InteractionQuery;
using tracking::PgInteractionStore;
using tracking::PgStatement;

constexpr int kRows = 200'000;

// What a plan does, from EXPLAIN (FORMAT JSON).
struct PlanSummary {
  std::vector<std::string> node_types;
  std::vector<std::string> indexes;
  // Rows estimated into the largest Sort.
  double largest_sort_input = 0;
  std::vector<std::string> arbiter_indexes;
  std::string text;  // the whole plan, for failure messages
};

void Walk(const boost::json::object& node, PlanSummary& summary) {
  const std::string type(node.at("Node Type").as_string());
  summary.node_types.push_back(type);
  if (const auto* index = node.if_contains("Index Name")) {
    summary.indexes.push_back(std::string(index->as_string()));
  }
  if (const auto* arbiters = node.if_contains("Conflict Arbiter Indexes")) {
    for (const auto& name : arbiters->as_array()) {
      summary.arbiter_indexes.push_back(std::string(name.as_string()));
    }
  }
  const auto* children = node.if_contains("Plans");
  if (type == "Sort" && children != nullptr) {
    for (const auto& child : children->as_array()) {
      summary.largest_sort_input =
          std::max(summary.largest_sort_input,
                   child.as_object().at("Plan Rows").to_number<double>());
    }
  }
  if (children == nullptr) return;
  for (const auto& child : children->as_array()) {
    Walk(child.as_object(), summary);
  }
}

class InteractionStorePlanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    PgPool pool({.url = db_->url(), .size = 1});
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    auto applied = tracking::ApplyMigrations(pool, *migrations,
                                             absl::Now() + absl::Seconds(60));
    ASSERT_TRUE(applied.ok()) << applied.status();
    // One row a minute back from now: about 139 days, in up to seven months.
    const absl::CivilMonth now(
        absl::ToCivilSecond(absl::Now(), absl::UTCTimeZone()));
    std::vector<absl::CivilMonth> months;
    for (int back = 0; back <= 6; ++back) months.push_back(now - back);
    PgInteractionStore store(&pool);
    ASSERT_TRUE(
        store.CreateMonths(months, absl::Now() + absl::Seconds(60)).ok());
    pqxx::connection connection(db_->url());
    // Four writing transactions, so the log has more than one txid.
    for (int part = 0; part < 4; ++part) {
      pqxx::work txn(connection);
      txn.exec(absl::StrCat(
          "INSERT INTO interactions (event_id, user_id, session_key, "
          "interaction_type, occurred_at, product_id, ip_address) "
          "SELECT gen_random_uuid(), 'u' || g % 300, 's' || g % 700, "
          "CASE WHEN g % 50 = 0 THEN 'order_placed' "
          "WHEN g % 10 = 0 THEN 'add_to_cart' ELSE 'view_product' END, "
          "now() - g * interval '1 minute', 1 + g % 5000, '10.0.0.1' "
          "FROM generate_series(",
          part * kRows / 4 + 1, ", ", (part + 1) * kRows / 4, ") g"));
      txn.commit();
    }
    pqxx::work txn(connection);
    txn.exec(
        "INSERT INTO interaction_event_ids SELECT event_id FROM interactions");
    txn.commit();
    pqxx::nontransaction(connection).exec("ANALYZE");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // EXPLAINs `statement` with its parameters under plan_cache_mode `mode_`.
  PlanSummary Explain(const PgStatement& statement) {
    pqxx::connection connection(db_->url());
    pqxx::work txn(connection);
    txn.exec(absl::StrCat("SET plan_cache_mode = ", mode_));
    txn.exec(absl::StrCat("PREPARE checked AS ", statement.sql));
    std::vector<std::string> literals;
    for (const std::string& param : statement.params) {
      literals.push_back(txn.quote(param));
    }
    const std::string execute =
        statement.params.empty()
            ? "EXECUTE checked"
            : absl::StrCat("EXECUTE checked(", absl::StrJoin(literals, ", "),
                           ")");
    PlanSummary summary;
    summary.text = txn.exec1(absl::StrCat("EXPLAIN (FORMAT JSON) ", execute))[0]
                       .as<std::string>();
    const boost::json::value plan = boost::json::parse(summary.text);
    Walk(plan.as_array().at(0).as_object().at("Plan").as_object(), summary);
    return summary;
  }

  // Served by indexes alone: no Seq Scan, and no Sort of more than a tenth
  // of the table.
  void ExpectIndexed(const PgStatement& statement) {
    const PlanSummary plan = Explain(statement);
    EXPECT_FALSE(plan.indexes.empty()) << plan.text;
    for (const std::string& type : plan.node_types) {
      EXPECT_NE(type, "Seq Scan") << plan.text;
    }
    EXPECT_LT(plan.largest_sort_input, kRows / 10.0) << plan.text;
  }

  // Filling the table dominates, so each test checks both modes.
  static constexpr const char* kModes[] = {"force_custom_plan",
                                           "force_generic_plan"};
  static TestDatabase* db_;
  std::string mode_;
};

TestDatabase* InteractionStorePlanTest::db_ = nullptr;

// The Subscribe backlog page, from the start and from the middle, and the
// horizon probe: ordered scans of the (txid, id) indexes, nothing sorted.
TEST_F(InteractionStorePlanTest, LogReadsWalkTheLogIndex) {
  for (const char* mode : kModes) {
    SCOPED_TRACE(mode);
    mode_ = mode;
    const std::string middle = QueryScalar(
        db_->url(),
        "SELECT txid::text || ',' || id FROM interactions ORDER BY id "
        "OFFSET 100000 LIMIT 1");
    const size_t comma = middle.find(',');
    const PgStatement from_start{"list_log_after",
                                 PgInteractionStore::ListAfterSql(),
                                 {"0", "0", "1000"}};
    const PgStatement from_middle{
        "list_log_after",
        PgInteractionStore::ListAfterSql(),
        {middle.substr(0, comma), middle.substr(comma + 1), "1000"}};
    for (const PgStatement& page : {from_start, from_middle}) {
      const PlanSummary plan = Explain(page);
      EXPECT_FALSE(plan.indexes.empty()) << plan.text;
      for (const std::string& index : plan.indexes) {
        EXPECT_NE(index.find("txid_id"), std::string::npos) << plan.text;
      }
      for (const std::string& type : plan.node_types) {
        EXPECT_NE(type, "Seq Scan") << plan.text;
        EXPECT_NE(type, "Sort") << plan.text;
      }
    }
    const PlanSummary horizon = Explain(
        {"log_horizon_lag", PgInteractionStore::LogHorizonLagSql(), {}});
    EXPECT_FALSE(horizon.indexes.empty()) << horizon.text;
    for (const std::string& type : horizon.node_types) {
      EXPECT_NE(type, "Seq Scan") << horizon.text;
      EXPECT_NE(type, "Sort") << horizon.text;
    }
  }
}

// ListInteractions' shapes, and the event-id claim: a probe of
// interaction_event_ids' primary key, however large the table.
TEST_F(InteractionStorePlanTest, ListingsAndEventIdClaimUseIndexes) {
  for (const char* mode : kModes) {
    SCOPED_TRACE(mode);
    mode_ = mode;
    const absl::Time now = absl::Now();
    const tracking::InteractionCursor cursor{
        absl::ToUnixMicros(now - absl::Hours(24 * 50)), 150'000};
    std::vector<InteractionQuery> shapes(11);
    shapes[1].user_id = "u7";
    shapes[2].exclude_user_id = "u7";
    shapes[3].session_key = "s9";
    shapes[4].types = {smartshop::v1::ORDER_PLACED};
    shapes[5].types = {smartshop::v1::ORDER_PLACED, smartshop::v1::ADD_TO_CART};
    shapes[6].types = {smartshop::v1::VIEW_PRODUCT};
    shapes[7].user_id = "u7";
    shapes[7].since = now - absl::Hours(24 * 30);
    shapes[7].until = now - absl::Hours(24 * 10);
    shapes[8].since = now - absl::Hours(24 * 60);
    // Later pages: strictly older than the cursor.
    shapes[9].user_id = "u7";
    shapes[9].after = cursor;
    shapes[10].after = cursor;
    for (InteractionQuery& query : shapes) {
      query.limit = 50;
      SCOPED_TRACE(PgInteractionStore::ListStatement(query).name);
      ExpectIndexed(PgInteractionStore::ListStatement(query));
    }
    // One event as the store's arrays, in kInsertSql's order.
    const std::vector<std::string> one_event = {
        "{6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01}",
        "{u1}",
        "{\"\"}",
        "{view_product}",
        "{2026-01-01T00:00:00.000000+00}",
        "{1}",
        "{0}",
        "{0}",
        "{0}",
        "{\"\"}",
        "{\"\"}",
        "{\"\"}",
        "{\"\"}",
        "{\"\"}",
        "{\"{}\"}",
        "{6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e02}",
        "{3}"};
    const PlanSummary plan = Explain(
        {"insert_interactions", PgInteractionStore::InsertSql(), one_event});
    EXPECT_THAT(plan.arbiter_indexes,
                ::testing::ElementsAre("interaction_event_ids_pkey"))
        << plan.text;
    for (const std::string& type : plan.node_types) {
      EXPECT_NE(type, "Seq Scan") << plan.text;
    }
  }
}

}  // namespace
}  // namespace smartshop::testing
