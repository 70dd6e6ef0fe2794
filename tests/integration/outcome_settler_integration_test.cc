// PgOutcomeSettler against a real Postgres: what it settles, and that
// nothing arriving late is lost from the insights — a served answer, a
// click or an impression older than the settlement moves it back, and the
// next run settles again. Erasure and a change of window reach the settled
// facts; one replica settles at a time. (The counts themselves, settled or
// not, are checked against the hand-computed fixture of
// insights_reader_integration_test.cc.)
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/insights_validation.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_insights_reader.h"
#include "services/tracking/pg_insights_store.h"
#include "services/tracking/pg_interaction_store.h"
#include "services/tracking/pg_outcome_settler.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/private_postgres.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::GetInsightsResponse;
using smartshop::v1::ServedRecommendation;
using tracking::PgOutcomeSettler;

absl::Time SettleUtc(int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(2026, month, day, hour, minute),
                         absl::UTCTimeZone());
}

absl::Time SettleDeadline() { return absl::Now() + absl::Seconds(30); }

std::string SettledAnswerId(int n) {
  return absl::StrFormat("7a2e0c5f-1b2d-4c3e-8f40-%012d", n);
}

ServedRecommendation Answer(int n, absl::Time at, const std::string& user) {
  ServedRecommendation s;
  s.set_recommendation_id(SettledAnswerId(n));
  SetTimestamp(at, s.mutable_served_at());
  s.set_user_id(user);
  s.set_placement(smartshop::v1::PLACEMENT_HOME);
  s.set_strategy(smartshop::v1::STRATEGY_BUILTIN);
  s.add_product_ids(101);
  s.add_product_ids(102);
  s.set_latency_micros(5000);
  return s;
}

// `user` clicked `product` of answer `n` at `at`.
smartshop::v1::Interaction Click(int n, const std::string& user,
                                 int64_t product, absl::Time at) {
  smartshop::v1::Interaction e = UserView(user, product, at);
  e.set_event_id(absl::StrFormat("5c3f9a10-2d4b-4e6f-9a81-%012d",
                                 absl::ToUnixSeconds(at) % 1000000000));
  e.set_recommendation_id(SettledAnswerId(n));
  e.set_position(product == 101 ? 1 : 2);
  e.set_extra_data("{}");  // as validation leaves it
  return e;
}

class OutcomeSettlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(
        tracking::ApplyMigrations(pool_, *migrations, SettleDeadline()).ok());
    Execute(db_.url(),
            "INSERT INTO products (id, name, is_active, units_sold, "
            "price_cents) VALUES (101, 'a', true, 0, 1000), "
            "(102, 'b', true, 0, 2500)");
  }

  void Record(const std::vector<ServedRecommendation>& served) {
    auto stored = insights_.RecordServed(served, SettleDeadline());
    ASSERT_TRUE(stored.ok()) << stored.status();
  }

  // Settles what the job settles on 12-01 (up to 11-28 23:00).
  tracking::SettleProgress Settle(absl::Duration window = absl::Hours(24)) {
    SimulatedClock clock(SettleUtc(12, 1));
    PgOutcomeSettler settler(&pool_, {.conversion_window = window}, &clock);
    auto progress = settler.RunOnce();
    EXPECT_TRUE(progress.ok()) << progress.status();
    return progress.ok() ? *progress : tracking::SettleProgress{};
  }

  std::string Mark() {
    return QueryScalar(db_.url(),
                       "SELECT to_char(settled_until AT TIME ZONE 'UTC', "
                       "'MM-DD HH24:MI') FROM served_outcomes_settled");
  }

  // November, by strategy: the one row's counts.
  std::string November() {
    tracking::PgInsightsReader reader(&pool_);
    tracking::InsightsQuery query;
    query.since = SettleUtc(11, 1);
    query.until = SettleUtc(12, 1);
    auto r = reader.Read(query, SettleDeadline());
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->rows_size() != 1) return "no row";
    const auto& row = r->rows(0);
    return absl::StrCat("answers=", row.served_answers(),
                        " impressed=", row.impressed_items(),
                        " clicks=", row.clicks(), " carts=", row.add_to_carts(),
                        " shoppers=", row.shoppers());
  }

  int64_t Settled(const std::string& where = "true") {
    return std::stoll(QueryScalar(
        db_.url(),
        absl::StrCat("SELECT count(*) FROM served_outcomes WHERE ", where)));
  }

  TestDatabase db_;
  PgPool pool_{{.url = db_.url(), .size = 2}};
  tracking::PgInsightsStore insights_{&pool_};
  tracking::PgInteractionStore interactions_{&pool_};
};

TEST_F(OutcomeSettlerTest, SettlesWhatCanNoLongerChangeInChunks) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1"),
          Answer(2, SettleUtc(11, 10, 12), "u2"),
          Answer(3, SettleUtc(11, 20, 9), "u1"),
          // Within 2 windows and an hour of 12-01: not yet.
          Answer(4, SettleUtc(11, 29, 1), "u3")});
  auto stored = interactions_.Insert(
      {Click(1, "u1", 101, SettleUtc(11, 10, 10, 5))}, SettleDeadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  const tracking::SettleProgress progress = Settle();
  EXPECT_EQ(progress.answers, 3);
  // Chunks of an hour from the next answer on, skipping the time between:
  // [11-10 10:00, 11:00) A1, [12:00, 13:00) A2, [11-20 09:00, 10:00) A3.
  EXPECT_EQ(progress.chunks, 3);
  EXPECT_EQ(progress.settled_until, SettleUtc(11, 28, 23));
  EXPECT_EQ(Mark(), "11-28 23:00");
  EXPECT_EQ(Settled(), 3);
  EXPECT_EQ(Settled("clicked = '{1}'"), 1);
  EXPECT_EQ(November(), "answers=4 impressed=0 clicks=1 carts=0 shoppers=3");
  // Again: nothing more to settle.
  EXPECT_EQ(Settle().answers, 0);
}

TEST_F(OutcomeSettlerTest, ALateAnswerIsSettledAgain) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1")});
  Settle();
  ASSERT_EQ(Mark(), "11-28 23:00");
  // The served log of a replica that could not reach tracking for weeks.
  // Its id can move carts and orders from answers up to 2 windows before.
  Record({Answer(2, SettleUtc(11, 5, 8), "u2")});
  EXPECT_EQ(Mark(), "11-03 08:00");
  EXPECT_EQ(November(), "answers=2 impressed=0 clicks=0 carts=0 shoppers=2");
  // Both settled (A1 again), nothing counted twice.
  EXPECT_EQ(Settle().answers, 2);
  EXPECT_EQ(Settled(), 2);
  EXPECT_EQ(November(), "answers=2 impressed=0 clicks=0 carts=0 shoppers=2");
}

TEST_F(OutcomeSettlerTest, ALateClickOrImpressionIsCounted) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1")});
  Settle();
  // A click sent weeks late: the answers it can count for (2 windows
  // before it) are attributed when read again.
  auto stored = interactions_.Insert(
      {Click(1, "u1", 102, SettleUtc(11, 10, 10, 30))}, SettleDeadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Mark(), "11-08 10:30");
  EXPECT_EQ(November(), "answers=1 impressed=0 clicks=1 carts=0 shoppers=1");
  Settle();
  EXPECT_EQ(Settled("clicked = '{2}'"), 1);

  // An impression of the settled answer: from its served_at on.
  smartshop::v1::Impression m;
  m.set_event_id("0b7e4f3c-9d1a-4b2e-8c5f-000000000001");
  m.set_recommendation_id(SettledAnswerId(1));
  m.set_user_id("u1");
  SetTimestamp(SettleUtc(11, 10, 10, 1), m.mutable_timestamp());
  auto shown = insights_.InsertImpressions(
      {tracking::NormalizeImpression(m, absl::Now())}, SettleDeadline());
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(Mark(), "11-10 10:00");
  EXPECT_EQ(November(), "answers=1 impressed=2 clicks=1 carts=0 shoppers=1");
  Settle();
  EXPECT_EQ(Settled("impressed = '{1,2}'"), 1);
  EXPECT_EQ(November(), "answers=1 impressed=2 clicks=1 carts=0 shoppers=1");
}

// A late click while a chunk is being settled (the chunk holds the mark):
// the click waits for the chunk and then moves back the mark it left, so the
// chunk cannot settle past it unseen. On a server of its own: the open
// transaction would hold back the log horizon of every test on the shared
// one.
TEST(OutcomeSettlerRaceTest, ALateClickDuringAChunkMovesBackWhereTheChunkEnds) {
  PrivatePostgres server;
  PgPool pool({.url = server.url(), .size = 2});
  auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_TRUE(
      tracking::ApplyMigrations(pool, *migrations, SettleDeadline()).ok());
  tracking::PgInsightsStore insights(&pool);
  tracking::PgInteractionStore interactions(&pool);
  ASSERT_TRUE(insights
                  .RecordServed({Answer(1, SettleUtc(11, 10, 10), "u1")},
                                SettleDeadline())
                  .ok());
  pqxx::connection chunk(server.url());
  pqxx::work holding(chunk);
  holding.exec("SELECT 1 FROM served_outcomes_settled FOR UPDATE");
  std::atomic<bool> stored{false};
  std::thread late([&] {
    auto result = interactions.Insert(
        {Click(1, "u1", 101, SettleUtc(11, 10, 10, 30))}, SettleDeadline());
    EXPECT_TRUE(result.ok()) << result.status();
    stored = true;
  });
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(stored.load());  // waiting for the chunk
  holding.exec(
      "UPDATE served_outcomes_settled SET settled_until = "
      "'2026-11-28T23:00:00+00'");
  holding.commit();
  late.join();
  EXPECT_TRUE(stored.load());
  EXPECT_EQ(QueryScalar(server.url(),
                        "SELECT to_char(settled_until AT TIME ZONE 'UTC', "
                        "'MM-DD HH24:MI') FROM served_outcomes_settled"),
            "11-08 10:30");
}

TEST_F(OutcomeSettlerTest, RecentEventsLeaveTheMarkAlone) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1")});
  Settle();
  auto stored = interactions_.Insert(
      {Click(1, "u1", 101, absl::Now() - absl::Minutes(1))}, SettleDeadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  Record({Answer(2, absl::Now() - absl::Seconds(5), "u2")});
  EXPECT_EQ(Mark(), "11-28 23:00");
}

TEST_F(OutcomeSettlerTest, ErasureReachesSettledFacts) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1"),
          Answer(2, SettleUtc(11, 11, 10), "u2")});
  Settle();
  ASSERT_EQ(Settled(), 2);
  auto erased = insights_.DeleteUser("u1", SettleDeadline());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(Settled("user_id = 'u1'"), 0);
  EXPECT_EQ(Settled(), 1);
  EXPECT_EQ(November(), "answers=1 impressed=0 clicks=0 carts=0 shoppers=1");
}

TEST_F(OutcomeSettlerTest, AnotherWindowStartsOverAndReadsWithItsOwn) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1")});
  // The click is 3 hours after serving: within 24 h, not within 1 h.
  auto stored = interactions_.Insert(
      {Click(1, "u1", 101, SettleUtc(11, 10, 13))}, SettleDeadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  Settle();
  ASSERT_EQ(Settled("clicked = '{1}'"), 1);
  // Settled with a window of an hour now: from scratch, up to 11-30 21:00.
  const tracking::SettleProgress progress = Settle(absl::Hours(1));
  EXPECT_EQ(progress.answers, 1);
  EXPECT_EQ(Mark(), "11-30 21:00");
  EXPECT_EQ(Settled("clicked = '{}'"), 1);
  // A 24-hour read no longer uses them: attributed when read, it still
  // finds the click.
  EXPECT_EQ(November(), "answers=1 impressed=0 clicks=1 carts=0 shoppers=1");
}

TEST_F(OutcomeSettlerTest, OneReplicaSettlesAtATime) {
  Record({Answer(1, SettleUtc(11, 10, 10), "u1")});
  pqxx::connection other(db_.url());
  pqxx::nontransaction hold(other);
  hold.exec("SELECT pg_advisory_lock(7596553517003597934)");
  tracking::SettleProgress progress = Settle();
  EXPECT_TRUE(progress.busy);
  EXPECT_EQ(progress.answers, 0);
  EXPECT_EQ(Settled(), 0);
  hold.exec("SELECT pg_advisory_unlock(7596553517003597934)");
  progress = Settle();
  EXPECT_FALSE(progress.busy);
  EXPECT_EQ(progress.answers, 1);
}

}  // namespace
}  // namespace smartshop::testing
