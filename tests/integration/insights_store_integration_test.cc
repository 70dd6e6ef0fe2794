// PgInsightsStore on a real Postgres: served answers and impressions stored
// once however often they are sent, unknown answers told apart, months made
// on demand and ahead, old months of both tables dropped (with the
// impressions' event ids), erasure of a user, and the plans of the
// impressions' known-id lookup and of the erasure deletes on enough rows.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "boost/json.hpp"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/insights_validation.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_insights_store.h"
#include "services/tracking/pg_interaction_store.h"
#include "services/tracking/pii_retention.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Impression;
using smartshop::v1::ServedRecommendation;
using ::testing::ElementsAre;
using tracking::PgInsightsStore;

absl::Time InsightsUtc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

absl::Time InsightsDeadline() { return absl::Now() + absl::Seconds(30); }

std::string AnswerId(int n) {
  return absl::StrFormat("6f1d1b4e-8c39-4d0e-9d43-%012d", n);
}

ServedRecommendation ServedAt(int n, absl::Time at,
                              const std::string& user = "u1") {
  ServedRecommendation s;
  s.set_recommendation_id(AnswerId(n));
  SetTimestamp(at, s.mutable_served_at());
  s.set_user_id(user);
  s.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  s.set_strategy(smartshop::v1::STRATEGY_BUILTIN);
  s.set_experiment("home-test");
  s.set_variant("builtin");
  s.add_product_ids(11);
  s.add_product_ids(12);
  s.set_model_calls(2);
  s.set_model_cost_usd(0.000123456789012345);
  s.set_latency_micros(1234);
  return s;
}

Impression ShownAt(int answer, absl::Time at, const std::string& user = "u1",
                   const std::string& event_id = "") {
  Impression m;
  m.set_event_id(event_id);
  m.set_recommendation_id(AnswerId(answer));
  m.set_user_id(user);
  SetTimestamp(at, m.mutable_timestamp());
  return tracking::NormalizeImpression(m, absl::Now());
}

int64_t InsightsCount(const std::string& url, const std::string& sql) {
  return std::stoll(QueryScalar(url, sql));
}

class InsightsStoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    auto applied = tracking::ApplyMigrations(pool_, *migrations,
                                             absl::Now() + absl::Seconds(60));
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  int64_t Record(const std::vector<ServedRecommendation>& served) {
    auto stored = store_.RecordServed(served, InsightsDeadline());
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : -1;
  }

  // Per impression: "stored+known", "stored+unknown" or "duplicate".
  std::vector<std::string> Show(const std::vector<Impression>& impressions) {
    auto outcomes = store_.InsertImpressions(impressions, InsightsDeadline());
    EXPECT_TRUE(outcomes.ok()) << outcomes.status();
    std::vector<std::string> out;
    if (!outcomes.ok()) return out;
    for (const auto& o : *outcomes) {
      out.push_back(!o.stored                ? "duplicate"
                    : o.known_recommendation ? "stored+known"
                                             : "stored+unknown");
    }
    return out;
  }

  TestDatabase db_;
  PgPool pool_{{.url = db_.url(), .size = 2}};
  PgInsightsStore store_{&pool_};
};

TEST_F(InsightsStoreIntegrationTest, ALaterLargerModelSpendIsTakenOnce) {
  const absl::Time now = absl::Now() - absl::Minutes(1);
  ServedRecommendation first = ServedAt(4, now);
  first.set_model_calls(0);
  first.set_model_cost_usd(0);
  EXPECT_EQ(Record({first}), 1);
  // The model call that answer started ended after it left.
  ServedRecommendation spent = first;
  spent.set_model_calls(1);
  spent.set_model_cost_usd(0.002);
  EXPECT_EQ(Record({spent}), 0);         // not a new answer
  EXPECT_EQ(Record({spent, first}), 0);  // retried, in any order
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT model_calls || ',' || model_cost_usd FROM "
                        "served_recommendations WHERE recommendation_id = '" +
                            AnswerId(4) + "'"),
            "1,0.002");
  // Both in one batch: the larger spend wins, one row.
  ServedRecommendation other = ServedAt(5, now);
  other.set_model_calls(0);
  ServedRecommendation other_spent = other;
  other_spent.set_model_calls(1);
  EXPECT_EQ(Record({other, other_spent}), 1);
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT model_calls FROM served_recommendations WHERE "
                        "recommendation_id = '" +
                            AnswerId(5) + "'"),
            "1");
}

TEST_F(InsightsStoreIntegrationTest, RecordServedIsIdempotentOnRetry) {
  const absl::Time now = absl::Now() - absl::Minutes(1);
  const std::vector<ServedRecommendation> batch = {ServedAt(1, now),
                                                   ServedAt(2, now)};
  EXPECT_EQ(Record(batch), 2);
  EXPECT_EQ(Record(batch), 0);  // the recommender's retry
  // One new among old ones, and one twice in the same batch.
  EXPECT_EQ(Record({ServedAt(1, now), ServedAt(3, now), ServedAt(3, now)}), 1);
  EXPECT_EQ(
      InsightsCount(db_.url(), "SELECT count(*) FROM served_recommendations"),
      3);
  // Stored as given: enum names, NULL for empty strings, exact cost.
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT placement || ',' || strategy || ',' || "
                        "experiment || ',' || variant || ',' || "
                        "array_to_string(product_ids, ':') || ',' || "
                        "(session_key IS NULL) || ',' || "
                        "(fallback_code IS NULL) || ',' || model_calls || ',' "
                        "|| latency_micros || ',' || (model_cost_usd = "
                        "0.000123456789012345) FROM served_recommendations "
                        "WHERE recommendation_id = '" +
                            AnswerId(1) + "'"),
            "PLACEMENT_PRODUCT,STRATEGY_BUILTIN,home-test,builtin,11:12,true,"
            "true,2,1234,true");
}

TEST_F(InsightsStoreIntegrationTest,
       ImpressionsAreIdempotentAndUnknownIdsTold) {
  const absl::Time now = absl::Now() - absl::Minutes(1);
  ASSERT_EQ(Record({ServedAt(1, now)}), 1);
  Impression partial = ShownAt(1, now, "u1");
  partial.add_positions(2);
  partial.add_positions(1);
  const std::vector<Impression> batch = {partial, ShownAt(9, now, "u2")};
  EXPECT_THAT(Show(batch), ElementsAre("stored+known", "stored+unknown"));
  EXPECT_THAT(Show(batch), ElementsAre("duplicate", "duplicate"));
  // The same event id dated in another month is still a duplicate.
  Impression moved = batch[0];
  SetTimestamp(InsightsUtc(2025, 2, 3), moved.mutable_timestamp());
  EXPECT_THAT(Show({moved}), ElementsAre("duplicate"));
  EXPECT_EQ(
      QueryScalar(
          db_.url(),
          "SELECT string_agg(coalesce(array_to_string(positions, ':'), "
          "'all'), ',' ORDER BY user_id) FROM recommendation_impressions"),
      "2:1,all");
  EXPECT_EQ(
      InsightsCount(db_.url(), "SELECT count(*) FROM impression_event_ids"), 2);
}

// An import of old history, or a clock far ahead: the months are made by
// the insert that needs them, for both tables.
TEST_F(InsightsStoreIntegrationTest, MonthsAreMadeOnDemand) {
  const absl::Time old = InsightsUtc(2019, 5, 6);
  EXPECT_EQ(Record({ServedAt(1, old)}), 1);
  EXPECT_THAT(Show({ShownAt(1, InsightsUtc(2018, 1, 31))}),
              ElementsAre("stored+known"));
  for (const char* table : {"served_recommendations_y2019m05",
                            "recommendation_impressions_y2019m05",
                            "recommendation_impressions_y2018m01"}) {
    EXPECT_EQ(QueryScalar(db_.url(), absl::StrCat("SELECT to_regclass('", table,
                                                  "') IS NOT NULL")),
              "t")
        << table;
  }
}

TEST_F(InsightsStoreIntegrationTest, DeleteUserErasesServedAndImpressions) {
  const absl::Time now = absl::Now() - absl::Minutes(1);
  ASSERT_EQ(Record({ServedAt(1, now, "gone"), ServedAt(2, now, "kept"),
                    ServedAt(3, InsightsUtc(2024, 4, 4), "gone")}),
            3);
  ASSERT_EQ(Show({ShownAt(1, now, "gone"), ShownAt(2, now, "kept"),
                  ShownAt(3, InsightsUtc(2024, 4, 5), "gone")})
                .size(),
            3u);
  auto erased = store_.DeleteUser("gone", InsightsDeadline());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->served_recommendations, 2);
  EXPECT_EQ(erased->impressions, 2);
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(user_id, ',') FROM "
                        "served_recommendations"),
            "kept");
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(user_id, ',') FROM "
                        "recommendation_impressions"),
            "kept");
  erased = store_.DeleteUser("gone", InsightsDeadline());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->served_recommendations + erased->impressions, 0);
}

// The retention job keeps the insights tables' months (served answers,
// impressions, settled outcomes) beside the interactions': months ahead
// made, months that ended before the retention dropped whole with the
// impressions' event ids, so such an id may come again.
TEST_F(InsightsStoreIntegrationTest, RetentionDropsOldMonthsOfEveryTable) {
  const absl::Time now = InsightsUtc(2027, 3, 15);
  SimulatedClock clock(now);
  tracking::PgInteractionStore interactions(&pool_);
  tracking::PiiRetention retention(
      &interactions, &interactions,
      {.months_ahead = 2,
       .insights_partitions = &store_,
       .insights_retention = absl::Hours(24 * 400)},
      &clock);
  // 400 days before 2027-03-15 is 2026-02-08: February 2026 is kept whole,
  // January 2026 dropped.
  const std::string old_event = "00000000-0000-4000-8000-0000000000a1";
  ASSERT_EQ(Record({ServedAt(1, InsightsUtc(2026, 1, 20)),
                    ServedAt(2, InsightsUtc(2026, 2, 1)),
                    ServedAt(3, InsightsUtc(2027, 3, 1))}),
            3);
  ASSERT_THAT(Show({ShownAt(1, InsightsUtc(2026, 1, 31), "u1", old_event),
                    ShownAt(2, InsightsUtc(2026, 2, 2)),
                    ShownAt(3, InsightsUtc(2027, 3, 2))}),
              ElementsAre("stored+known", "stored+known", "stored+known"));

  auto upkeep = retention.KeepPartitions();
  ASSERT_TRUE(upkeep.ok()) << upkeep.status();
  // April and May 2027 for the three tables (March exists already; the
  // outcomes' Januaries and Februaries were made when answers came in).
  EXPECT_EQ(upkeep->insights_created, 6);
  EXPECT_EQ(upkeep->insights_dropped.months, 3);
  EXPECT_EQ(upkeep->insights_dropped.events, 2);  // one answer, one impression
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(to_char(served_at, 'YYYY-MM'), ',' "
                        "ORDER BY served_at) FROM served_recommendations"),
            "2026-02,2027-03");
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(to_char(shown_at, 'YYYY-MM'), ',' "
                        "ORDER BY shown_at) FROM recommendation_impressions"),
            "2026-02,2027-03");
  EXPECT_EQ(
      InsightsCount(db_.url(), "SELECT count(*) FROM impression_event_ids"), 2);
  for (const char* table :
       {"served_recommendations_y2027m05",
        "recommendation_impressions_y2027m05", "served_outcomes_y2027m05",
        "served_outcomes_y2026m02"}) {
    EXPECT_EQ(QueryScalar(db_.url(), absl::StrCat("SELECT to_regclass('", table,
                                                  "') IS NOT NULL")),
              "t")
        << table;
  }
  for (const char* table :
       {"served_recommendations_y2026m01", "served_outcomes_y2026m01"}) {
    EXPECT_EQ(QueryScalar(db_.url(), absl::StrCat("SELECT to_regclass('", table,
                                                  "') IS NULL")),
              "t")
        << table;
  }
  // A second run changes nothing.
  upkeep = retention.KeepPartitions();
  ASSERT_TRUE(upkeep.ok()) << upkeep.status();
  EXPECT_EQ(upkeep->insights_created, 0);
  EXPECT_EQ(upkeep->insights_dropped.months, 0);
}

// What a plan does, from EXPLAIN (FORMAT JSON): node types and indexes.
struct InsightsPlan {
  std::vector<std::string> node_types;
  std::vector<std::string> indexes;
  std::string text;
};

void WalkInsightsPlan(const boost::json::object& node, InsightsPlan& plan) {
  plan.node_types.push_back(std::string(node.at("Node Type").as_string()));
  if (const auto* index = node.if_contains("Index Name")) {
    plan.indexes.push_back(std::string(index->as_string()));
  }
  if (const auto* children = node.if_contains("Plans")) {
    for (const auto& child : children->as_array()) {
      WalkInsightsPlan(child.as_object(), plan);
    }
  }
}

// 60 000 answers and 60 000 impressions of 2 000 users over about six weeks
// (two or three months).
class InsightsStorePlanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    PgPool pool({.url = db_->url(), .size = 1});
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(tracking::ApplyMigrations(pool, *migrations,
                                          absl::Now() + absl::Seconds(60))
                    .ok());
    const absl::CivilMonth now(
        absl::ToCivilSecond(absl::Now(), absl::UTCTimeZone()));
    PgInsightsStore store(&pool);
    ASSERT_TRUE(
        store.CreateMonths({now - 2, now - 1, now}, InsightsDeadline()).ok());
    pqxx::connection connection(db_->url());
    pqxx::work txn(connection);
    txn.exec(
        "INSERT INTO served_recommendations (recommendation_id, served_at, "
        "user_id, placement, strategy, cache_hit, product_ids) "
        "SELECT gen_random_uuid(), now() - g * interval '1 minute', "
        "'u' || g % 2000, 'PLACEMENT_HOME', 'STRATEGY_BUILTIN', false, "
        "ARRAY[1, 2, 3]::bigint[] FROM generate_series(1, 60000) g");
    txn.exec(
        "INSERT INTO recommendation_impressions (event_id, recommendation_id, "
        "shown_at, user_id) SELECT gen_random_uuid(), recommendation_id, "
        "served_at, user_id FROM served_recommendations");
    txn.exec(
        "INSERT INTO impression_event_ids SELECT event_id, shown_at FROM "
        "recommendation_impressions");
    txn.commit();
    pqxx::nontransaction(connection).exec("ANALYZE");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  static InsightsPlan Explain(const std::string& mode, const std::string& sql,
                              const std::vector<std::string>& params) {
    pqxx::connection connection(db_->url());
    pqxx::work txn(connection);
    txn.exec(absl::StrCat("SET plan_cache_mode = ", mode));
    txn.exec(absl::StrCat("PREPARE checked AS ", sql));
    std::vector<std::string> literals;
    for (const std::string& p : params) literals.push_back(txn.quote(p));
    InsightsPlan plan;
    plan.text = txn.exec1(absl::StrCat("EXPLAIN (FORMAT JSON) EXECUTE checked(",
                                       absl::StrJoin(literals, ", "), ")"))[0]
                    .as<std::string>();
    WalkInsightsPlan(boost::json::parse(plan.text)
                         .as_array()
                         .at(0)
                         .as_object()
                         .at("Plan")
                         .as_object(),
                     plan);
    return plan;
  }

  static TestDatabase* db_;
};

TestDatabase* InsightsStorePlanTest::db_ = nullptr;

TEST_F(InsightsStorePlanTest, KnownIdLookupAndErasureUseIndexes) {
  const std::string user = "u7";
  // One impression as the store's arrays, in kInsertImpressionsSql's order.
  const std::vector<std::string> one_impression = {
      "{6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01}",
      "{6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e02}",
      absl::StrCat("{",
                   absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6S+00", absl::Now(),
                                    absl::UTCTimeZone()),
                   "}"),
      "{u7}",
      "{\"\"}",
      "{\"\"}"};
  for (const char* mode : {"force_custom_plan", "force_generic_plan"}) {
    SCOPED_TRACE(mode);
    const InsightsPlan insert =
        Explain(mode, PgInsightsStore::InsertImpressionsSql(), one_impression);
    EXPECT_THAT(
        insert.indexes,
        ::testing::Contains(::testing::StartsWith("served_recommendations_y")))
        << insert.text;
    for (const auto& [sql, index_prefix] :
         std::vector<std::pair<std::string, std::string>>{
             {PgInsightsStore::DeleteServedSql(), "served_recommendations_y"},
             {PgInsightsStore::DeleteImpressionsSql(),
              "recommendation_impressions_y"}}) {
      const InsightsPlan erase = Explain(mode, sql, {user});
      EXPECT_THAT(erase.indexes,
                  ::testing::Contains(::testing::StartsWith(index_prefix)))
          << erase.text;
      for (const std::string& type : erase.node_types) {
        EXPECT_NE(type, "Seq Scan") << erase.text;
      }
    }
    for (const std::string& type : insert.node_types) {
      EXPECT_NE(type, "Seq Scan") << insert.text;
    }
  }
}

}  // namespace
}  // namespace smartshop::testing
