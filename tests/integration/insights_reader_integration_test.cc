// PgInsightsReader against a hand-computed fixture: every attribution rule
// of docs/attribution.md and every grouping, on fixture rows written with
// plain SQL. The fixture (times UTC, window 24 h, range [11-10, 11-12)):
//
//   answer served       shopper  placement strategy  variant     products
//   A1     11-10 10:00  u1       PRODUCT   MODEL     exp1/control 101 102 103
//   A2     11-10 12:00  u2       HOME      BUILTIN   exp1/treat.  102 104
//   A3     11-11 09:00  s:s3     CART      BUILTIN   -            103 101 104
//   105 A4     11-11 15:00  u1       PRODUCT   MODEL     exp1/control 104 101
//   A6     11-11 20:00  (none)   HOME      NO_DATA   -            101 102
//   A7     11-10 20:00  u1       HOME      BUILTIN   -            105 101
//   A5     11-09 20:00  u1 (before the range), A8 11-12 01:00 u2 (after).
//
// Each test runs three times: every answer attributed when read, the
// answers served before 11-11 settled (PgOutcomeSettler) and the rest
// attributed when read, and every answer settled. The counts are the same.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_insights_reader.h"
#include "services/tracking/pg_outcome_settler.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::GetInsightsResponse;
using smartshop::v1::InsightsGrouping;
using smartshop::v1::InsightsRow;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using tracking::InsightsQuery;
using tracking::PgInsightsReader;

absl::Time Utc(const std::string& text) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &error)) << error;
  return t;
}

std::string Rid(const std::string& name) {
  return absl::StrCat("'00000000-0000-0000-0000-0000000000", name, "'");
}

// One served answer; `who` is "u1" (a user), "s:s3" (a session) or "".
std::string Served(const std::string& name, const std::string& at,
                   const std::string& who, const std::string& placement,
                   const std::string& strategy, const std::string& variant,
                   bool cache_hit, const std::string& products, int calls,
                   double cost, int latency_ms, const std::string& fallback) {
  const bool session = who.rfind("s:", 0) == 0;
  auto text = [](const std::string& v) {
    return v.empty() ? std::string("NULL") : absl::StrCat("'", v, "'");
  };
  return absl::StrFormat(
      "INSERT INTO served_recommendations (recommendation_id, served_at, "
      "user_id, session_key, placement, strategy, experiment, variant, "
      "cache_hit, product_ids, model_calls, model_cost_usd, latency_micros, "
      "fallback_code) VALUES (%s, '2026-%s+00', %s, %s, '%s', '%s', %s, %s, "
      "%s, '{%s}', %d, %f, %d, %s);",
      Rid(name), at, session ? "NULL" : text(who),
      session ? text(who.substr(2)) : "NULL", placement, strategy,
      variant.empty() ? "NULL" : "'exp1'", text(variant),
      cache_hit ? "true" : "false", products, calls, cost, latency_ms * 1000,
      text(fallback));
}

// One interaction; `who` as for Served (a user's events are in session
// "w-<user>"); `rid` "" = none, `position` 0 = none.
std::string Event(const std::string& who, const std::string& type,
                  const std::string& at, int product, int quantity,
                  const std::string& rid, int position) {
  const bool session = who.rfind("s:", 0) == 0;
  return absl::StrFormat(
      "INSERT INTO interactions (event_id, user_id, session_key, "
      "interaction_type, occurred_at, product_id, quantity, "
      "recommendation_id, recommendation_position) VALUES ("
      "gen_random_uuid(), %s, %s, '%s', '2026-%s+00', %d, %d, %s, %s);",
      session ? "NULL" : absl::StrCat("'", who, "'"),
      absl::StrCat("'", session ? who.substr(2) : "w-" + who, "'"), type, at,
      product, quantity, rid.empty() ? "NULL" : Rid(rid),
      position == 0 ? "NULL" : absl::StrCat(position));
}

std::string Impression(const std::string& rid, const std::string& positions) {
  return absl::StrFormat(
      "INSERT INTO recommendation_impressions (event_id, recommendation_id, "
      "shown_at, user_id, positions) VALUES (gen_random_uuid(), %s, "
      "'2026-11-10T12:00:00+00', 'u1', %s);",
      Rid(rid), positions);
}

// The counts of a row on one line, so a test states a row in one string.
std::string Counts(const InsightsRow& r) {
  return absl::StrCat(
      r.key(), ": answers=", r.served_answers(), " items=", r.served_items(),
      " impressed=", r.impressed_items(), " clicks=", r.clicks(),
      " carts=", r.add_to_carts(), " orders=", r.orders(),
      " revenue=", r.revenue_cents(), " shoppers=", r.shoppers(), "/",
      r.shoppers_clicked(), "/", r.shoppers_converted(),
      " calls=", r.model_calls(), " hits=", r.cache_hits(),
      " fallbacks=", r.fallbacks(), " products=", r.distinct_products());
}

std::vector<std::string> AllCounts(const GetInsightsResponse& response) {
  std::vector<std::string> rows;
  for (const InsightsRow& row : response.rows()) rows.push_back(Counts(row));
  return rows;
}

// How much of the fixture is settled when read.
enum class Settled { kNothing, kBefore1111, kEverything };

std::string SettledName(const ::testing::TestParamInfo<Settled>& info) {
  switch (info.param) {
    case Settled::kNothing:
      return "Live";
    case Settled::kBefore1111:
      return "HalfSettled";
    default:
      return "Settled";
  }
}

class InsightsReaderTest : public ::testing::TestWithParam<Settled> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    PgPool pool({.url = db_->url(), .size = 1});
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(tracking::ApplyMigrations(pool, *migrations,
                                          absl::Now() + absl::Seconds(60))
                    .ok());
    std::string sql =
        "SELECT interactions_ensure_partition('2026-11-01T00:00:00+00');"
        "SELECT insights_ensure_partition(t, '2026-11-01T00:00:00+00') "
        "FROM unnest('{served_recommendations,recommendation_impressions}'"
        "::regclass[]) t;"
        "INSERT INTO products (id, name, is_active, units_sold, price_cents) "
        "VALUES (101, 'a', true, 0, 1000), (102, 'b', true, 0, 2500), "
        "(103, 'c', true, 0, 400), (104, 'd', true, 0, 999);";
    const std::string p = "PLACEMENT_", s = "STRATEGY_";
    for (const std::string& row : {
             Served("a1", "11-10T10:00:00", "u1", p + "PRODUCT", s + "MODEL",
                    "control", false, "101,102,103", 1, 0.002, 100, ""),
             Served("a2", "11-10T12:00:00", "u2", p + "HOME", s + "BUILTIN",
                    "treatment", true, "102,104", 0, 0, 20, "model_timeout"),
             Served("a3", "11-11T09:00:00", "s:s3", p + "CART", s + "BUILTIN",
                    "", false, "103,101,104,105", 0, 0, 50, "model_timeout"),
             Served("a4", "11-11T15:00:00", "u1", p + "PRODUCT", s + "MODEL",
                    "control", false, "104,101", 2, 0.004, 300, "model_error"),
             Served("a6", "11-11T20:00:00", "", p + "HOME", s + "NO_DATA", "",
                    false, "101,102", 0, 0, 10, ""),
             Served("a7", "11-10T20:00:00", "u1", p + "HOME", s + "BUILTIN", "",
                    false, "105,101", 0, 0, 40, ""),
             Served("a5", "11-09T20:00:00", "u1", p + "PRODUCT", s + "MODEL",
                    "", false, "101", 1, 0.001, 100, "model_error"),
             Served("a8", "11-12T01:00:00", "u2", p + "HOME", s + "BUILTIN", "",
                    false, "102", 0, 0, 10, ""),
             // Clicks. Two views of 101 on A1: one click.
             Event("u1", "view_product", "11-10T10:05:00", 101, 0, "a1", 1),
             Event("u1", "view_product", "11-10T10:30:00", 101, 0, "a1", 1),
             Event("u1", "view_product", "11-10T11:00:00", 102, 0, "a1", 2),
             // After A1's window (ends 11-11 10:00): no click.
             Event("u1", "view_product", "11-11T10:01:00", 103, 0, "a1", 3),
             // 104 is not in A1: no click.
             Event("u1", "view_product", "11-10T10:40:00", 104, 0, "a1", 0),
             // Without an id: no click (and no touch).
             Event("u1", "view_product", "11-10T10:50:00", 101, 0, "", 0),
             // Position 1 of A2 is 102, not 104: position 2 from the array.
             Event("u2", "view_product", "11-10T12:10:00", 104, 0, "a2", 1),
             Event("u2", "view_product", "11-11T06:00:00", 102, 0, "a2", 1),
             Event("s:s3", "view_product", "11-11T09:10:00", 105, 0, "a3", 4),
             Event("s:s3", "view_product", "11-11T09:20:00", 103, 0, "a3", 0),
             Event("u1", "view_product", "11-11T15:05:00", 104, 0, "a4", 1),
             Event("u1", "view_product", "11-10T20:30:00", 101, 0, "a7", 2),
             // On answers outside the range.
             Event("u1", "view_product", "11-09T20:10:00", 101, 0, "a5", 1),
             Event("u2", "view_product", "11-12T01:05:00", 102, 0, "a8", 1),
             // e1: the id carried (rule a): A2, position 2.
             Event("u2", "add_to_cart", "11-10T13:00:00", 104, 1, "a2", 2),
             // e2: no id; the last click of 102 by u1 is on A1 (rule b):
             // 3 x 2500.
             Event("u1", "order_placed", "11-10T18:00:00", 102, 3, "", 0),
             // e3: clicks of 101 on A1 (10:05, 10:30) and on A7 (20:30):
             // the later, A7, position 2.
             Event("u1", "add_to_cart", "11-11T08:00:00", 101, 1, "", 0),
             // e4: 24 h and a minute after u2's click of 104: none.
             Event("u2", "order_placed", "11-11T12:11:00", 104, 1, "", 0),
             // e5-e7: anonymous, by session s3, on A3; 0 units count as 1;
             // 105 has no catalog price.
             Event("s:s3", "order_placed", "11-11T10:00:00", 103, 0, "", 0),
             Event("s:s3", "add_to_cart", "11-11T09:30:00", 105, 1, "", 0),
             Event("s:s3", "order_placed", "11-11T09:40:00", 105, 2, "", 0),
             // e8: carries A1 (rule a) though A7 has the later click of 101:
             // A1, position 1, 2 x 1000.
             Event("u1", "order_placed", "11-11T07:00:00", 101, 2, "a1", 1),
             // e9: carries A7, which does not hold 102: rule b, A1.
             Event("u1", "add_to_cart", "11-10T19:00:00", 102, 1, "a7", 0),
             // e11: u2 clicked 102 on A2, then on A8 (after the range): the
             // last touch is A8's, so nothing in the range.
             Event("u2", "order_placed", "11-12T02:00:00", 102, 1, "", 0),
             // e12: logged in (u9) in session s3: not matched to the
             // session's anonymous click of 103 (matching is by user then).
             std::string(
                 "INSERT INTO interactions (event_id, user_id, "
                 "session_key, "
                 "interaction_type, occurred_at, product_id, quantity) VALUES "
                 "(gen_random_uuid(), 'u9', 's3', 'order_placed', "
                 "'2026-11-11T10:05:00+00', 103, 1);"),
             // Unknown ids: two in the range, one after it.
             Event("u3", "view_product", "11-10T13:00:00", 101, 0, "f1", 0),
             Event("u3", "order_placed", "11-11T13:00:00", 101, 1, "f2", 0),
             Event("u3", "add_to_cart", "11-12T01:00:00", 101, 1, "f3", 0),
             // A1 shown twice: all 3, then 1 and 2 (9 is beyond its items).
             Impression("a1", "NULL"),
             Impression("a1", "'{1,2,9}'"),
             Impression("a3", "'{4}'"),
             Impression("a5", "NULL"),
         }) {
      sql += row;
    }
    Execute(db_->url(), sql);
    Execute(db_->url(), "ANALYZE");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // Settles as the parameter says: from scratch, up to 11-11 (the horizon
  // is 2 windows and an hour before the job's now) or up to 12-01.
  void SetUp() override {
    Execute(db_->url(),
            "DELETE FROM served_outcomes_settled; DELETE FROM served_outcomes");
    if (GetParam() == Settled::kNothing) return;
    const absl::Time horizon = GetParam() == Settled::kBefore1111
                                   ? Utc("2026-11-11T00:00:00Z")
                                   : Utc("2026-12-01T00:00:00Z");
    SimulatedClock clock(horizon + absl::Hours(49));
    PgPool pool({.url = db_->url(), .size = 1});
    tracking::PgOutcomeSettler settler(&pool, {}, &clock);
    auto progress = settler.RunOnce();
    ASSERT_TRUE(progress.ok()) << progress.status();
    EXPECT_EQ(progress->settled_until, horizon);
    // A5, A1, A2, A7 before 11-11; then A3, A4, A6, A8.
    EXPECT_EQ(progress->answers, GetParam() == Settled::kBefore1111 ? 4 : 8);
  }

  // The fixture's range, [11-10, 11-12).
  GetInsightsResponse Read(
      InsightsGrouping group_by = smartshop::v1::INSIGHTS_GROUPING_STRATEGY,
      const std::string& experiment = "",
      std::optional<smartshop::v1::Placement> placement = std::nullopt,
      absl::Duration window = absl::Hours(24)) {
    PgPool pool({.url = db_->url(), .size = 1});
    PgInsightsReader reader(&pool);
    InsightsQuery query;
    query.group_by = group_by;
    query.experiment = experiment;
    query.placement = placement;
    query.conversion_window = window;
    query.since = Utc("2026-11-10T00:00:00Z");
    query.until = Utc("2026-11-12T00:00:00Z");
    auto response = reader.Read(query, absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : GetInsightsResponse();
  }

  static TestDatabase* db_;
};

TestDatabase* InsightsReaderTest::db_ = nullptr;

TEST_P(InsightsReaderTest, GroupsByStrategy) {
  const GetInsightsResponse r = Read();
  EXPECT_THAT(
      AllCounts(r),
      ElementsAre("STRATEGY_BUILTIN: answers=3 items=8 impressed=1 clicks=5 "
                  "carts=3 orders=2 revenue=400 shoppers=3/3/3 calls=0 hits=1 "
                  "fallbacks=2 products=5",
                  "STRATEGY_MODEL: answers=2 items=5 impressed=5 clicks=3 "
                  "carts=1 orders=2 revenue=9500 shoppers=1/1/1 calls=3 "
                  "hits=0 fallbacks=1 products=4",
                  "STRATEGY_NO_DATA: answers=1 items=2 impressed=0 clicks=0 "
                  "carts=0 orders=0 revenue=0 shoppers=0/0/0 calls=0 hits=0 "
                  "fallbacks=0 products=2"));
  ASSERT_EQ(r.rows_size(), 3);
  // Latencies 20, 40, 50 ms; 100, 300 ms; 10 ms (percentile_cont).
  EXPECT_NEAR(r.rows(0).latency_p50_ms(), 40, 1e-9);
  EXPECT_NEAR(r.rows(0).latency_p99_ms(), 49.8, 1e-9);
  EXPECT_NEAR(r.rows(1).latency_p50_ms(), 200, 1e-9);
  EXPECT_NEAR(r.rows(1).latency_p99_ms(), 298, 1e-9);
  EXPECT_NEAR(r.rows(2).latency_p50_ms(), 10, 1e-9);
  EXPECT_NEAR(r.rows(1).model_cost_usd(), 0.006, 1e-12);
  EXPECT_NEAR(r.rows(0).model_cost_usd(), 0, 1e-12);
  // f1 and f2; f3 is after the range.
  EXPECT_EQ(r.unknown_recommendation_ids(), 2);
  // A5's model_error is before the range.
  EXPECT_THAT(
      r.fallbacks_by_code(),
      UnorderedElementsAre(Pair("model_timeout", 2), Pair("model_error", 1)));
}

TEST_P(InsightsReaderTest, GroupsByPlacement) {
  EXPECT_THAT(
      AllCounts(Read(smartshop::v1::INSIGHTS_GROUPING_PLACEMENT)),
      ElementsAre("PLACEMENT_CART: answers=1 items=4 impressed=1 clicks=2 "
                  "carts=1 orders=2 revenue=400 shoppers=1/1/1 calls=0 hits=0 "
                  "fallbacks=1 products=4",
                  "PLACEMENT_HOME: answers=3 items=6 impressed=0 clicks=3 "
                  "carts=2 orders=0 revenue=0 shoppers=2/2/2 calls=0 hits=1 "
                  "fallbacks=1 products=4",
                  "PLACEMENT_PRODUCT: answers=2 items=5 impressed=5 clicks=3 "
                  "carts=1 orders=2 revenue=9500 shoppers=1/1/1 calls=3 "
                  "hits=0 fallbacks=1 products=4"));
}

TEST_P(InsightsReaderTest, FiltersByPlacement) {
  const GetInsightsResponse r = Read(smartshop::v1::INSIGHTS_GROUPING_STRATEGY,
                                     "", smartshop::v1::PLACEMENT_HOME);
  EXPECT_THAT(
      AllCounts(r),
      ElementsAre("STRATEGY_BUILTIN: answers=2 items=4 impressed=0 clicks=3 "
                  "carts=2 orders=0 revenue=0 shoppers=2/2/2 calls=0 hits=1 "
                  "fallbacks=1 products=4",
                  "STRATEGY_NO_DATA: answers=1 items=2 impressed=0 clicks=0 "
                  "carts=0 orders=0 revenue=0 shoppers=0/0/0 calls=0 hits=0 "
                  "fallbacks=0 products=2"));
  EXPECT_THAT(r.fallbacks_by_code(),
              UnorderedElementsAre(Pair("model_timeout", 1)));
}

// Served and shown per position; clicks and conversions at the position of
// their product (recommendation_position when it names the product).
TEST_P(InsightsReaderTest, GroupsByPosition) {
  const GetInsightsResponse r = Read(smartshop::v1::INSIGHTS_GROUPING_POSITION);
  EXPECT_THAT(AllCounts(r),
              ElementsAre("1: answers=6 items=6 impressed=2 clicks=4 carts=0 "
                          "orders=2 revenue=2400 shoppers=3/3/2 calls=3 hits=1 "
                          "fallbacks=3 products=5",
                          "2: answers=6 items=6 impressed=2 clicks=3 carts=3 "
                          "orders=1 revenue=7500 shoppers=3/2/2 calls=3 hits=1 "
                          "fallbacks=3 products=3",
                          "3: answers=2 items=2 impressed=1 clicks=0 carts=0 "
                          "orders=0 revenue=0 shoppers=2/0/0 calls=1 hits=0 "
                          "fallbacks=1 products=2",
                          "4: answers=1 items=1 impressed=1 clicks=1 carts=1 "
                          "orders=1 revenue=0 shoppers=1/1/1 calls=0 hits=0 "
                          "fallbacks=1 products=1"));
  ASSERT_EQ(r.rows_size(), 4);
  // Every answer has a first item: 10, 20, 40, 50, 100, 300 ms.
  EXPECT_NEAR(r.rows(0).latency_p50_ms(), 45, 1e-9);
}

TEST_P(InsightsReaderTest, GroupsByVariantOfOneExperiment) {
  const GetInsightsResponse r =
      Read(smartshop::v1::INSIGHTS_GROUPING_VARIANT, "exp1");
  EXPECT_THAT(
      AllCounts(r),
      ElementsAre("control: answers=2 items=5 impressed=5 clicks=3 carts=1 "
                  "orders=2 revenue=9500 shoppers=1/1/1 calls=3 hits=0 "
                  "fallbacks=1 products=4",
                  "treatment: answers=1 items=2 impressed=0 clicks=2 carts=1 "
                  "orders=0 revenue=0 shoppers=1/1/1 calls=0 hits=1 "
                  "fallbacks=1 products=2"));
  EXPECT_THAT(
      r.fallbacks_by_code(),
      UnorderedElementsAre(Pair("model_timeout", 1), Pair("model_error", 1)));
  EXPECT_TRUE(
      Read(smartshop::v1::INSIGHTS_GROUPING_VARIANT, "exp2").rows().empty());
}

TEST_P(InsightsReaderTest, GroupsByUtcDay) {
  EXPECT_THAT(
      AllCounts(Read(smartshop::v1::INSIGHTS_GROUPING_DAY)),
      ElementsAre("2026-11-10: answers=3 items=7 impressed=5 clicks=5 "
                  "carts=3 orders=2 revenue=9500 shoppers=2/2/2 calls=1 "
                  "hits=1 fallbacks=1 products=5",
                  "2026-11-11: answers=3 items=8 impressed=1 clicks=3 "
                  "carts=1 orders=2 revenue=400 shoppers=2/2/1 calls=2 "
                  "hits=0 fallbacks=2 products=5"));
}

// A one-hour window: A1's click at 11:00 (served 10:00) is out, and so is
// every conversion but e1 (its carried id is an hour late, so rule b: the
// click at 12:10) and A3's three (within the hour of their clicks).
TEST_P(InsightsReaderTest, ConversionWindowBoundsClicksAndConversions) {
  EXPECT_THAT(AllCounts(Read(smartshop::v1::INSIGHTS_GROUPING_DAY, "",
                             std::nullopt, absl::Hours(1))),
              ElementsAre("2026-11-10: answers=3 items=7 impressed=5 clicks=3 "
                          "carts=1 orders=0 revenue=0 shoppers=2/2/1 calls=1 "
                          "hits=1 fallbacks=1 products=5",
                          "2026-11-11: answers=3 items=8 impressed=1 clicks=3 "
                          "carts=1 orders=2 revenue=400 shoppers=2/2/1 calls=2 "
                          "hits=0 fallbacks=2 products=5"));
}

TEST_P(InsightsReaderTest, RefusesAnEmptyRange) {
  PgPool pool({.url = db_->url(), .size = 1});
  PgInsightsReader reader(&pool);
  InsightsQuery query;
  query.since = query.until = Utc("2026-11-10T00:00:00Z");
  EXPECT_THAT(reader.Read(query, absl::Now() + absl::Seconds(5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("until")));
}

TEST_P(InsightsReaderTest, StorageErrorsCarryNoDatabaseText) {
  // Nothing listens on port 1.
  PgPool pool({.url = "postgresql://postgres@127.0.0.1:1/none", .size = 1});
  PgInsightsReader reader(&pool);
  InsightsQuery query;
  query.since = Utc("2026-11-10T00:00:00Z");
  query.until = Utc("2026-11-12T00:00:00Z");
  EXPECT_THAT(
      reader.Read(query, absl::Now() + absl::Seconds(5)),
      StatusIs(absl::StatusCode::kUnavailable, Not(HasSubstr("127.0.0.1"))));
}

INSTANTIATE_TEST_SUITE_P(AttributedWhenReadOrSettled, InsightsReaderTest,
                         ::testing::Values(Settled::kNothing,
                                           Settled::kBefore1111,
                                           Settled::kEverything),
                         SettledName);

}  // namespace
}  // namespace smartshop::testing
