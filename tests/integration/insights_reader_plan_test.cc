// The plan of the insights statement at scale: 300 000 served answers over
// 30 days (two months), 1 000 000 interactions and 150 000 impressions, read
// for one day. Every read of the interactions, served answers and
// impressions goes through an index (probes per answer, shopper or
// conversion), never a Seq Scan. The execution time is printed, not
// asserted: it depends on the machine.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_insights_reader.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using tracking::InsightsQuery;
using tracking::PgInsightsReader;
using tracking::PgStatement;

constexpr int kServed = 300'000;
constexpr int kInteractions = 1'000'000;

// Scanned relations by node type, from EXPLAIN (FORMAT JSON).
void CollectScans(const boost::json::object& node,
                  std::vector<std::string>& seq_scanned,
                  std::vector<std::string>& indexes) {
  const std::string type(node.at("Node Type").as_string());
  if (type == "Seq Scan") {
    seq_scanned.push_back(std::string(node.at("Relation Name").as_string()));
  }
  if (const auto* index = node.if_contains("Index Name")) {
    indexes.push_back(std::string(index->as_string()));
  }
  if (const auto* children = node.if_contains("Plans")) {
    for (const auto& child : children->as_array()) {
      CollectScans(child.as_object(), seq_scanned, indexes);
    }
  }
}

bool IsLogTable(const std::string& relation) {
  for (const char* prefix : {"interactions", "served_recommendations",
                             "recommendation_impressions"}) {
    if (relation.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

class InsightsPlanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    PgPool pool({.url = db_->url(), .size = 1});
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(tracking::ApplyMigrations(pool, *migrations,
                                          absl::Now() + absl::Seconds(60))
                    .ok());
    // Answer g is served at kStart + g * 8.64 s for shopper u(g % 20000),
    // with 4 of 5000 products; interaction h follows answer 1 + h % 300000
    // within the hour: 70 % carry its id (87 % views, 10 % carts, 3 %
    // orders), the rest none; one in a thousand an unknown id.
    const std::string start = "'2026-10-20T00:00:00+00'::timestamptz";
    const std::string served_at = absl::StrCat(
        start, " + g * interval '", 30 * 86400.0 / kServed, " seconds'");
    const std::string rid =
        "('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid";
    Execute(db_->url(),
            "SELECT interactions_ensure_partition(m) FROM unnest(ARRAY["
            "'2026-10-01T00:00:00+00', '2026-11-01T00:00:00+00']"
            "::timestamptz[]) m;"
            "SELECT insights_ensure_partition(t, m) FROM unnest("
            "'{served_recommendations,recommendation_impressions}'::regclass[])"
            " t, unnest(ARRAY['2026-10-01T00:00:00+00', "
            "'2026-11-01T00:00:00+00']::timestamptz[]) m;"
            "INSERT INTO products (id, name, is_active, units_sold, "
            "price_cents) SELECT p, 'p' || p, true, 0, 100 + p % 900 "
            "FROM generate_series(1, 5000) p;");
    Execute(
        db_->url(),
        absl::StrCat(
            "INSERT INTO served_recommendations (recommendation_id, "
            "served_at, user_id, session_key, placement, strategy, "
            "experiment, variant, cache_hit, product_ids, model_calls, "
            "model_cost_usd, latency_micros, fallback_code) SELECT ",
            rid, ", ", served_at,
            ", 'u' || g % 20000, 's' || g % 50000, "
            "(ARRAY['PLACEMENT_HOME','PLACEMENT_PRODUCT','PLACEMENT_CART'])"
            "[1 + g % 3], (ARRAY['STRATEGY_MODEL','STRATEGY_BUILTIN'])"
            "[1 + g % 2], 'exp1', (ARRAY['control','treatment'])[1 + g / 7 % "
            "2], g % 5 = 0, ARRAY[1 + g % 5000, 1 + (g * 7) % 5000, "
            "1 + (g * 13) % 5000, 1 + (g * 31) % 5000]::bigint[], g % 2, "
            "(g % 2) * 0.001, 1000 * (g % 700), CASE WHEN g % 50 = 0 THEN "
            "'model_timeout' END FROM generate_series(1, ",
            kServed, ") g"));
    Execute(db_->url(),
            absl::StrCat(
                "INSERT INTO recommendation_impressions (event_id, "
                "recommendation_id, shown_at, user_id, positions) SELECT "
                "gen_random_uuid(), ",
                rid, ", ", served_at,
                " + interval '1 second', 'u' || g % 20000, CASE WHEN g % 4 = "
                "0 THEN '{1,2}'::integer[] END FROM generate_series(2, ",
                kServed, ", 2) g"));
    // Interaction h follows answer g = 1 + h % kServed.
    const std::string g = absl::StrCat("(1 + h % ", kServed, ")");
    Execute(db_->url(),
            absl::StrCat(
                "INSERT INTO interactions (event_id, user_id, session_key, "
                "interaction_type, occurred_at, product_id, quantity, "
                "recommendation_id, recommendation_position) "
                "SELECT gen_random_uuid(), 'u' || g % 20000, 's' || g % 50000, "
                "CASE WHEN h % 100 < 10 THEN 'add_to_cart' WHEN h % 100 < 13 "
                "THEN 'order_placed' ELSE 'view_product' END, ",
                served_at,
                " + (h % 3600) * interval '1 second', "
                "(ARRAY[1 + g % 5000, 1 + (g * 7) % 5000, 1 + (g * 13) % 5000, "
                "1 + (g * 31) % 5000])[1 + h / 7 % 4], 1 + h % 3, "
                "CASE WHEN h % 1000 = 999 THEN gen_random_uuid() "
                "WHEN h % 10 < 7 THEN ",
                rid,
                " END, CASE WHEN h % 10 < 7 THEN 1 + h / 7 % 4 END "
                "FROM (SELECT h, ",
                g, " AS g FROM generate_series(1, ", kInteractions, ") h) x"));
    Execute(db_->url(), "ANALYZE");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  static TestDatabase* db_;
};

TestDatabase* InsightsPlanTest::db_ = nullptr;

TEST_F(InsightsPlanTest, OneDayReadsOnlyThroughIndexes) {
  for (auto grouping : {smartshop::v1::INSIGHTS_GROUPING_STRATEGY,
                        smartshop::v1::INSIGHTS_GROUPING_POSITION}) {
    SCOPED_TRACE(smartshop::v1::InsightsGrouping_Name(grouping));
    InsightsQuery query;
    query.group_by = grouping;
    query.since =
        absl::FromCivil(absl::CivilDay(2026, 11, 5), absl::UTCTimeZone());
    query.until = query.since + absl::Hours(24);
    const PgStatement statement = PgInsightsReader::Statement(query);
    pqxx::connection connection(db_->url());
    pqxx::work txn(connection);
    txn.exec("SET plan_cache_mode = force_custom_plan");
    txn.exec(absl::StrCat("PREPARE checked AS ", statement.sql));
    std::vector<std::string> literals;
    for (const std::string& param : statement.params) {
      literals.push_back(txn.quote(param));
    }
    const std::string text =
        txn.exec1(absl::StrCat("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE "
                               "checked(",
                               absl::StrJoin(literals, ", "), ")"))[0]
            .as<std::string>();
    const boost::json::object top =
        boost::json::parse(text).as_array().at(0).as_object();
    std::vector<std::string> seq_scanned, indexes;
    CollectScans(top.at("Plan").as_object(), seq_scanned, indexes);
    for (const std::string& relation : seq_scanned) {
      EXPECT_FALSE(IsLogTable(relation)) << relation << "\n" << text;
    }
    EXPECT_FALSE(indexes.empty()) << text;
    std::cout << "insights plan "
              << smartshop::v1::InsightsGrouping_Name(grouping)
              << ": execution " << top.at("Execution Time").to_number<double>()
              << " ms, planning " << top.at("Planning Time").to_number<double>()
              << " ms\n";

    // The same through the reader: something was attributed, so the plan
    // above did real work.
    PgPool pool({.url = db_->url(), .size = 1});
    PgInsightsReader reader(&pool);
    const absl::Time begin = absl::Now();
    auto response = reader.Read(query, absl::Now() + absl::Seconds(60));
    ASSERT_TRUE(response.ok()) << response.status();
    std::cout << "insights read " << absl::Now() - begin << "\n";
    int64_t answers = 0, clicks = 0, conversions = 0;
    for (const auto& row : response->rows()) {
      answers += row.served_answers();
      clicks += row.clicks();
      conversions += row.add_to_carts() + row.orders();
    }
    if (grouping == smartshop::v1::INSIGHTS_GROUPING_STRATEGY) {
      EXPECT_EQ(answers, kServed / 30);
    }
    EXPECT_GT(clicks, 0);
    EXPECT_GT(conversions, 0);
    EXPECT_GT(response->unknown_recommendation_ids(), 0);
  }
}

}  // namespace
}  // namespace smartshop::testing
