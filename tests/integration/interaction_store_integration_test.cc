// PgInteractionStore against a real Postgres, below the validator: how
// timestamps are written and read back, and that query bounds anywhere in
// google.protobuf.Timestamp's range never become a database error.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tracking/interaction_validator.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_interaction_store.h"
#include "tests/testing/eventually.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;

absl::Time Utc(int year, int month, int day, int hour = 0, int minute = 0,
               int second = 0) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

int64_t Micros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

Interaction ViewAt(int64_t product, absl::Time at) {
  // As stored: Postgres keeps microseconds.
  const absl::Time stored = absl::FromUnixMicros(absl::ToUnixMicros(at));
  return tracking::Normalize(UserView("u", product, stored), absl::Now());
}

class InteractionStoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    auto applied = tracking::ApplyMigrations(pool_, *migrations,
                                             absl::Now() + absl::Seconds(30));
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  // Products of the events listed for `query`, newest first.
  std::vector<int64_t> Listed(tracking::InteractionQuery query) {
    auto page = store_.List(query, Deadline());
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<int64_t> products;
    if (page.ok()) {
      for (const auto& e : page->interactions) {
        products.push_back(e.product_id());
      }
    }
    return products;
  }

  TestDatabase db_;
  PgPool pool_{{.url = db_.url(), .size = 2}};
  tracking::PgInteractionStore store_{&pool_};
};

// The valid range's edges, stored and read back to the microsecond; the
// database agrees on the year (it once read year 12 as 2012).
TEST_F(InteractionStoreIntegrationTest, TimestampsRoundTripExactly) {
  const absl::Time now = absl::Now();
  const std::vector<absl::Time> times = {
      absl::FromUnixSeconds(tracking::kEarliestEventUnixSeconds),
      absl::FromUnixSeconds(tracking::kEarliestEventUnixSeconds) +
          absl::Microseconds(1),
      Utc(2000, 12, 31, 23, 59, 59) + absl::Microseconds(999'999),
      Utc(2026, 1, 1) - absl::Microseconds(1),
      Utc(2026, 1, 1),
      Utc(2026, 12, 31, 23, 59, 59) + absl::Microseconds(123'457),
      now + tracking::kMaxFutureSkew,
  };
  std::vector<Interaction> events;
  for (size_t i = 0; i < times.size(); ++i) {
    events.push_back(ViewAt(static_cast<int64_t>(i) + 1, times[i]));
  }
  auto stored = store_.Insert(events, Deadline());
  ASSERT_TRUE(stored.ok()) << stored.status();

  tracking::InteractionQuery all;
  all.limit = 100;
  auto page = store_.List(all, Deadline());
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->interactions.size(), times.size());
  for (const Interaction& read : page->interactions) {
    const size_t i = static_cast<size_t>(read.product_id()) - 1;
    EXPECT_EQ(Micros(read.timestamp()), absl::ToUnixMicros(times[i]))
        << absl::FormatTime(times[i]);
  }
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(extract(year FROM occurred_at AT "
                        "TIME ZONE 'UTC')::text, ',' ORDER BY product_id) "
                        "FROM interactions WHERE product_id <= 6"),
            "1990,1990,2000,2025,2026,2026");
}

// The recommendation an event came from (recommendation_id, position) is
// stored and read back by both reads, List and the log (ListAfter); events
// without one read back empty.
TEST_F(InteractionStoreIntegrationTest, RecommendationIdAndPositionRoundTrip) {
  Interaction attributed = ViewAt(1, absl::Now() - absl::Minutes(2));
  attributed.set_recommendation_id("0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5a");
  attributed.set_position(7);
  Interaction id_only = ViewAt(2, absl::Now() - absl::Minutes(1));
  id_only.set_recommendation_id("0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5b");
  const Interaction plain = ViewAt(3, absl::Now());
  ASSERT_TRUE(store_.Insert({attributed, id_only, plain}, Deadline()).ok());

  tracking::InteractionQuery all;
  auto page = store_.List(all, Deadline());
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> listed;
  for (const Interaction& e : page->interactions) {
    listed.push_back(absl::StrCat(e.product_id(), ":", e.recommendation_id(),
                                  ":", e.position()));
  }
  EXPECT_THAT(listed,
              ElementsAre("3::0", "2:0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5b:0",
                          "1:0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5a:7"));
  // The log shows rows once every transaction older than theirs ended, in
  // the whole cluster: another test's (creating months, say) may still run.
  std::vector<std::string> followed;
  EXPECT_TRUE(Eventually(
      [&] {
        auto log = store_.ListAfter({}, 10, Deadline());
        EXPECT_TRUE(log.ok()) << log.status();
        followed.clear();
        if (!log.ok()) return true;
        for (const auto& entry : *log) {
          followed.push_back(absl::StrCat(entry.event.product_id(), ":",
                                          entry.event.recommendation_id(), ":",
                                          entry.event.position()));
        }
        return followed.size() == 3;
      },
      absl::Seconds(20)));
  EXPECT_THAT(followed,
              ElementsAre("1:0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5a:7",
                          "2:0b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b5b:0", "3::0"));
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT count(*) FROM interactions WHERE "
                        "recommendation_position IS NULL"),
            "2");
}

// Below the validator: the store itself writes years with four digits, so
// even an event from year 12 keeps its year instead of becoming 2012.
TEST_F(InteractionStoreIntegrationTest, EarlyYearsAreWrittenAsThemselves) {
  std::vector<Interaction> events;
  for (int year : {1, 12, 36, 49, 99}) {
    events.push_back(ViewAt(year, Utc(year, 3, 4, 5, 6, 7)));
  }
  auto stored = store_.Insert(events, Deadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(to_char(occurred_at AT TIME ZONE "
                        "'UTC', 'YYYY-MM-DD HH24:MI:SS'), ',' ORDER BY "
                        "product_id) FROM interactions"),
            "0001-03-04 05:06:07,0012-03-04 05:06:07,0036-03-04 05:06:07,"
            "0049-03-04 05:06:07,0099-03-04 05:06:07");
}

TEST_F(InteractionStoreIntegrationTest, QueryBoundsAnywhereInRangeWork) {
  ASSERT_TRUE(
      store_
          .Insert({ViewAt(1, Utc(2010, 1, 1)), ViewAt(2, Utc(2020, 1, 1))},
                  Deadline())
          .ok());
  tracking::InteractionQuery q;
  for (int year : {1, 12, 36, 49, 1999}) {
    q.since = Utc(year, 1, 1);
    q.until.reset();
    EXPECT_THAT(Listed(q), ElementsAre(2, 1)) << "since " << year;
    q.since.reset();
    q.until = Utc(year, 1, 1);
    EXPECT_THAT(Listed(q), ElementsAre()) << "until " << year;
  }
  q.since = Utc(2015, 1, 1);
  q.until = Utc(9999, 12, 31, 23, 59, 59) + absl::Microseconds(999'999);
  EXPECT_THAT(Listed(q), ElementsAre(2));
  auto cleared = store_.AnonymizeBefore(Utc(1, 1, 1), 10, Deadline());
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(*cleared, 0);
}

// The insert is one message to the server (timeout, insert, commit in one
// implicit transaction): the caller's deadline still bounds it when it
// waits on a lock, it leaves nothing behind, and the timeout does not stay
// on the connection for the next insert.
//
// SHARE mode blocks inserts and, unlike ACCESS EXCLUSIVE, takes no
// transaction id: one held would hold back the whole cluster's log horizon
// and stall the subscriptions of tests running beside this one.
TEST_F(InteractionStoreIntegrationTest, InsertWaitingOnALockEndsAtItsDeadline) {
  pqxx::connection holder(db_.url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE interaction_event_ids IN SHARE MODE");
  const std::vector<Interaction> events = {
      ViewAt(7, absl::Now() - absl::Minutes(1))};
  const absl::Time start = absl::Now();
  auto blocked = store_.Insert(events, start + absl::Milliseconds(300));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kDeadlineExceeded)
      << blocked.status();
  EXPECT_LT(waited, absl::Seconds(3));
  lock.commit();

  // The pool hands the same connection out again (the last one idle): an
  // insert that waits 600 ms on it now succeeds.
  for (int i = 0; i < 2; ++i) {
    pqxx::connection sleeper(db_.url());
    pqxx::work slow(sleeper);
    slow.exec("LOCK TABLE interaction_event_ids IN SHARE MODE");
    std::thread release([&] {
      absl::SleepFor(absl::Milliseconds(600));
      slow.commit();
    });
    auto stored = store_.Insert(events, Deadline());
    release.join();
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_THAT(*stored, ElementsAre(i == 0));  // then a duplicate
  }
  tracking::InteractionQuery all;
  all.limit = 10;
  EXPECT_THAT(Listed(all), ElementsAre(7));
}

}  // namespace
}  // namespace smartshop::testing
