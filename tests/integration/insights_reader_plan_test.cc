// The plan of the insights statement at scale: 300 000 served answers over
// 30 days (two months), 1 000 000 interactions and 150 000 impressions, read
// for one day, and a week read attributed when read and then settled. Every
// read of the interactions, served answers and impressions that hold rows goes
// through an index (probes per answer, click or conversion), never a Seq Scan.
// The execution time is printed, not asserted: it depends on the machine.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_insights_reader.h"
#include "services/tracking/pg_outcome_settler.h"
#include "tests/testing/private_postgres.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using tracking::InsightsQuery;
using tracking::PgInsightsReader;
using tracking::PgStatement;

// As generated below.
constexpr int kServed = 300'000;

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
    // A server of its own: the fill is one long transaction, and a
    // transaction open anywhere in a cluster holds back every tracking
    // service's Subscribe there (the log horizon), so on the shared server
    // it stalled the other tests' event feeds for its 25 s.
    db_ = new PrivatePostgres();
    PgPool pool({.url = db_->url(), .size = 1});
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(tracking::ApplyMigrations(pool, *migrations,
                                          absl::Now() + absl::Seconds(60))
                    .ok());
    // Answer g (one every 8.64 s from 2026-10-20, two months) is for user
    // u(g % 20000), or for session s(g % 50000) alone when g % 10 = 0, with
    // 4 of 5000 products; half the answers have an impression. Each answer
    // has two clicks (5 and 10 minutes after serving) and a third event 15
    // minutes after: a cart (g % 3 = 0), an order (g % 3 = 1) or a view, of
    // the first click's product, carrying the id when g is even (rule a),
    // else none (rule b). 100 000 more views carry no id, one in a hundred
    // of them an unknown id: 1 000 000 interactions.
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
            "FROM generate_series(1, 5000) p;"
            "CREATE TEMP TABLE answers AS SELECT g, "
            "('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid "
            "AS rid, '2026-10-20T00:00:00+00'::timestamptz "
            "+ g * interval '8.64 seconds' AS at, "
            "CASE WHEN g % 10 <> 0 THEN 'u' || g % 20000 END AS u, "
            "'s' || g % 50000 AS s, ARRAY[1 + g % 5000, 1 + (g * 7) % 5000, "
            "1 + (g * 13) % 5000, 1 + (g * 31) % 5000]::bigint[] AS products "
            "FROM generate_series(1, 300000) g;"
            "INSERT INTO served_recommendations (recommendation_id, served_at, "
            "user_id, session_key, placement, strategy, experiment, variant, "
            "cache_hit, product_ids, model_calls, model_cost_usd, "
            "latency_micros, fallback_code) "
            "SELECT rid, at, u, s, (ARRAY['PLACEMENT_HOME', "
            "'PLACEMENT_PRODUCT', 'PLACEMENT_CART'])[1 + g % 3], "
            "(ARRAY['STRATEGY_MODEL', 'STRATEGY_BUILTIN'])[1 + g % 2], 'exp1', "
            "(ARRAY['control', 'treatment'])[1 + g / 7 % 2], g % 5 = 0, "
            "products, g % 2, (g % 2) * 0.001, 1000 * (g % 700), "
            "CASE WHEN g % 50 = 0 THEN 'model_timeout' END FROM answers;"
            "INSERT INTO recommendation_impressions (event_id, "
            "recommendation_id, shown_at, user_id, session_key, positions) "
            "SELECT gen_random_uuid(), rid, at + interval '1 second', u, s, "
            "CASE WHEN g % 4 = 0 THEN '{1,2}'::integer[] END "
            "FROM answers WHERE g % 2 = 0;"
            "INSERT INTO interactions (event_id, user_id, session_key, "
            "interaction_type, occurred_at, product_id, quantity, "
            "recommendation_id, recommendation_position) "
            "SELECT gen_random_uuid(), u, s, CASE WHEN k < 2 THEN "
            "'view_product' WHEN g % 3 = 0 THEN 'add_to_cart' "
            "WHEN g % 3 = 1 THEN 'order_placed' ELSE 'view_product' END, "
            "at + (1 + k) * interval '5 minutes', "
            "products[1 + (g + k % 2) % 4], 1 + g % 3, "
            "CASE WHEN k < 2 OR g % 2 = 0 THEN rid END, "
            "CASE WHEN k < 2 OR g % 2 = 0 THEN 1 + (g + k % 2) % 4 END "
            "FROM answers, generate_series(0, 2) k;"
            "INSERT INTO interactions (event_id, user_id, session_key, "
            "interaction_type, occurred_at, product_id, recommendation_id) "
            "SELECT gen_random_uuid(), 'u' || h % 20000, 's' || h % 50000, "
            "'view_product', '2026-10-20T00:00:00+00'::timestamptz "
            "+ h * interval '25.92 seconds', 1 + h % 5000, "
            "CASE WHEN h % 100 = 0 THEN gen_random_uuid() END "
            "FROM generate_series(1, 100000) h;");
    Execute(db_->url(), "ANALYZE");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  static PrivatePostgres* db_;
};

PrivatePostgres* InsightsPlanTest::db_ = nullptr;

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
    // As the reader runs it.
    txn.exec(PgInsightsReader::SettingsSql());
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
    boost::json::parse_options deep;
    deep.max_depth = 1000;  // the plan nests deeper than the default 32
    const boost::json::object top =
        boost::json::parse(text, {}, deep).as_array().at(0).as_object();
    std::vector<std::string> seq_scanned, indexes;
    CollectScans(top.at("Plan").as_object(), seq_scanned, indexes);
    // The month partitions the data does not reach (the current month's,
    // made by the migrations) are empty: a Seq Scan of an empty table costs
    // nothing, and the planner rightly picks it there.
    for (const std::string& relation : seq_scanned) {
      if (!IsLogTable(relation)) continue;
      EXPECT_EQ(QueryScalar(db_->url(),
                            absl::StrCat("SELECT count(*) FROM ", relation)),
                "0")
          << "Seq Scan on " << relation << "\n"
          << text;
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
    int64_t answers = 0, clicks = 0, carts = 0, orders = 0;
    for (const auto& row : response->rows()) {
      answers += row.served_answers();
      clicks += row.clicks();
      carts += row.add_to_carts();
      orders += row.orders();
    }
    // Answers 160 000 to 169 999: two clicks each (fewer where the two
    // products coincide), a cart for a third of them, an order for a third.
    if (grouping == smartshop::v1::INSIGHTS_GROUPING_STRATEGY) {
      EXPECT_EQ(answers, kServed / 30);
    }
    EXPECT_GT(clicks, 19'900);
    EXPECT_LE(clicks, 20'000);
    EXPECT_EQ(carts, 3333);
    EXPECT_EQ(orders, 3334);
    // The noise views 53 400, 53 500, ... 56 600.
    EXPECT_EQ(response->unknown_recommendation_ids(), 33);
  }

  // A week, for the dashboard's 7-day view, attributed when read and then
  // settled: the same answer, and what settling saves, printed. (In this
  // test: each test is a process under ctest, and filling the tables takes
  // the most.)
  PgPool pool({.url = db_->url(), .size = 1});
  PgInsightsReader reader(&pool);
  InsightsQuery week;
  week.since =
      absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());
  week.until = week.since + absl::Hours(7 * 24);
  absl::Time begin = absl::Now();
  auto live = reader.Read(week, absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(live.ok()) << live.status();
  const absl::Duration live_time = absl::Now() - begin;
  int64_t answers = 0;
  for (const auto& row : live->rows()) answers += row.served_answers();
  EXPECT_EQ(answers, 7 * kServed / 30);

  // Settled from the week's start to its end (the job's now is 2 windows
  // and an hour later).
  Execute(db_->url(),
          "UPDATE served_outcomes_settled SET settled_until = "
          "'2026-11-01T00:00:00+00'");
  SimulatedClock clock(week.until + absl::Hours(49));
  tracking::PgOutcomeSettler settler(&pool, {}, &clock);
  begin = absl::Now();
  auto progress = settler.RunOnce();
  ASSERT_TRUE(progress.ok()) << progress.status();
  const absl::Duration settle_time = absl::Now() - begin;
  EXPECT_EQ(progress->answers, 7 * kServed / 30);
  EXPECT_EQ(progress->settled_until, week.until);
  Execute(db_->url(), "ANALYZE served_outcomes");

  begin = absl::Now();
  auto settled = reader.Read(week, absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(settled.ok()) << settled.status();
  const absl::Duration settled_time = absl::Now() - begin;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*live, *settled))
      << "attributed when read:\n"
      << live->DebugString() << "settled:\n"
      << settled->DebugString();
  std::cout << "insights read of 7 days: attributed when read " << live_time
            << ", settled " << settled_time << " ("
            << absl::FDivDuration(live_time, settled_time)
            << "x faster); settling the week took " << settle_time << "\n";

  // The settled week's plan: the facts come from served_outcomes; the
  // served answers and impressions holding rows are read only through
  // indexes (the empty live part). The interactions are not checked: the
  // unknown-id count reads every event of the range carrying an id (here a
  // third of the month's partition, which a Seq Scan rightly reads).
  const PgStatement statement = PgInsightsReader::Statement(week, week.until);
  pqxx::connection connection(db_->url());
  pqxx::work txn(connection);
  txn.exec(PgInsightsReader::SettingsSql());
  txn.exec(absl::StrCat("PREPARE settled AS ", statement.sql));
  std::vector<std::string> literals;
  for (const std::string& param : statement.params) {
    literals.push_back(txn.quote(param));
  }
  const std::string text =
      txn.exec1(absl::StrCat("EXPLAIN (FORMAT JSON) EXECUTE settled(",
                             absl::StrJoin(literals, ", "), ")"))[0]
          .as<std::string>();
  boost::json::parse_options deep;
  deep.max_depth = 1000;
  std::vector<std::string> seq_scanned, indexes;
  CollectScans(boost::json::parse(text, {}, deep)
                   .as_array()
                   .at(0)
                   .as_object()
                   .at("Plan")
                   .as_object(),
               seq_scanned, indexes);
  for (const std::string& relation : seq_scanned) {
    if (!IsLogTable(relation) || relation.rfind("interactions", 0) == 0) {
      continue;
    }
    EXPECT_EQ(QueryScalar(db_->url(),
                          absl::StrCat("SELECT count(*) FROM ", relation)),
              "0")
        << "Seq Scan on " << relation << "\n"
        << text;
  }
  EXPECT_NE(text.find("served_outcomes"), std::string::npos) << text;
}

}  // namespace
}  // namespace smartshop::testing
