// The monthly partitioned interaction log on a real Postgres: event ids stay
// unique across months, months are made on demand and ahead, old months are
// dropped whole, and migration 0003 moves an unpartitioned table with data
// without changing a single id, event id or log position.
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/interaction_validator.h"
#include "services/tracking/migrations.h"
#include "services/tracking/pg_interaction_store.h"
#include "services/tracking/pii_retention.h"
#include "tests/testing/eventually.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

Interaction ViewAt(const std::string& user, int64_t product, absl::Time at) {
  return tracking::Normalize(UserView(user, product, at), absl::Now());
}

std::vector<tracking::Migration> Migrations(int count = -1) {
  auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
  EXPECT_TRUE(migrations.ok()) << migrations.status();
  std::vector<tracking::Migration> all = *std::move(migrations);
  if (count >= 0) all.resize(count);
  return all;
}

int64_t Count(const std::string& url, const std::string& sql) {
  return std::stoll(QueryScalar(url, sql));
}

bool TableExists(const std::string& url, const std::string& name) {
  return QueryScalar(url, absl::StrCat("SELECT to_regclass('", name,
                                       "') IS NOT NULL")) == "t";
}

class InteractionPartitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto applied = tracking::ApplyMigrations(pool_, Migrations(),
                                             absl::Now() + absl::Seconds(60));
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  std::vector<bool> Insert(const std::vector<Interaction>& events) {
    auto stored = store_.Insert(events, Deadline());
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : std::vector<bool>{};
  }

  TestDatabase db_;
  PgPool pool_{{.url = db_.url(), .size = 2}};
  tracking::PgInteractionStore store_{&pool_};
};

TEST_F(InteractionPartitionsTest, EventIdIsStoredOnceWhateverItsMonth) {
  const Interaction first = ViewAt("u", 1, Utc(2026, 3, 10));
  ASSERT_THAT(Insert({first}), ElementsAre(true));
  // Replayed as it was, and with a time in other months (one made now).
  Interaction later = first;
  later.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(Utc(2026, 7, 1)));
  Interaction older = first;
  older.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(Utc(2011, 1, 5)));
  EXPECT_THAT(Insert({first}), ElementsAre(false));
  EXPECT_THAT(Insert({later}), ElementsAre(false));
  EXPECT_THAT(Insert({older}), ElementsAre(false));
  // Per event in a batch: the replay refused, the new ones stored.
  const Interaction fresh = ViewAt("v", 2, Utc(2026, 3, 11));
  const Interaction fresh_old = ViewAt("v", 3, Utc(2010, 12, 1));
  EXPECT_THAT(Insert({fresh, later, fresh_old}),
              ElementsAre(true, false, true));
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interactions"), 3);
  EXPECT_EQ(Count(db_.url(), absl::StrCat("SELECT count(*) FROM interactions"
                                          " WHERE event_id = '",
                                          first.event_id(), "'")),
            1);
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interaction_event_ids"), 3);
}

// Imports of old history (Online Retail 2010-2011, MovieLens 1990s) land in
// months made for them on demand.
TEST_F(InteractionPartitionsTest, OldHistoryLandsInMonthsMadeOnDemand) {
  EXPECT_FALSE(TableExists(db_.url(), "interactions_y1997m03"));
  EXPECT_THAT(Insert({ViewAt("u", 1, Utc(1997, 3, 31)),
                      ViewAt("u", 2, Utc(2010, 12, 1)),
                      ViewAt("u", 3, Utc(2011, 1, 1))}),
              ElementsAre(true, true, true));
  EXPECT_TRUE(TableExists(db_.url(), "interactions_y1997m03"));
  EXPECT_TRUE(TableExists(db_.url(), "interactions_y2010m12"));
  EXPECT_TRUE(TableExists(db_.url(), "interactions_y2011m01"));
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interactions_y2011m01"), 1);
  // The first microsecond of a month belongs to it, in UTC.
  EXPECT_THAT(Insert({ViewAt("u", 4, Utc(2011, 2, 1) - absl::Microseconds(1)),
                      ViewAt("u", 5, Utc(2011, 2, 1))}),
              ElementsAre(true, true));
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interactions_y2011m01"), 2);
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interactions_y2011m02"), 1);
}

TEST_F(InteractionPartitionsTest, UpkeepMakesMonthsAheadAndDropsOldMonths) {
  std::vector<Interaction> events;
  const std::vector<std::tuple<absl::Time, int>> months = {
      {Utc(2026, 1, 20), 5},
      {Utc(2026, 2, 28), 3},
      {Utc(2026, 3, 1), 2},
      {Utc(2026, 5, 9), 4}};
  for (const auto& [at, count] : months) {
    for (int i = 0; i < count; ++i) events.push_back(ViewAt("u", i + 1, at));
  }
  ASSERT_EQ(Insert(events).size(), events.size());
  SimulatedClock clock(Utc(2026, 6, 15));
  tracking::PiiRetention job(&store_, &store_,
                             {.retention = absl::ZeroDuration(),
                              .months_ahead = 2,
                              .retention_months = 3},
                             &clock);
  absl::StatusOr<tracking::PartitionUpkeep> upkeep = job.KeepPartitions();
  ASSERT_TRUE(upkeep.ok()) << upkeep.status();
  // June, July, August made; January and February (before March) dropped.
  EXPECT_EQ(upkeep->created, 3);
  EXPECT_EQ(upkeep->dropped.months, 2);
  EXPECT_EQ(upkeep->dropped.events, 8);
  for (const char* kept : {"interactions_y2026m03", "interactions_y2026m05",
                           "interactions_y2026m06", "interactions_y2026m08"}) {
    EXPECT_TRUE(TableExists(db_.url(), kept)) << kept;
  }
  EXPECT_FALSE(TableExists(db_.url(), "interactions_y2026m01"));
  EXPECT_FALSE(TableExists(db_.url(), "interactions_y2026m02"));
  EXPECT_FALSE(TableExists(db_.url(), "interactions_y2026m09"));
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interactions"), 6);
  EXPECT_EQ(Count(db_.url(), "SELECT count(*) FROM interaction_event_ids"), 6);
  // A kept event is still refused when replayed.
  EXPECT_THAT(Insert({events.back()}), ElementsAre(false));

  upkeep = job.KeepPartitions();
  ASSERT_TRUE(upkeep.ok()) << upkeep.status();
  EXPECT_EQ(upkeep->created, 0);
  EXPECT_EQ(upkeep->dropped.months, 0);
}

// A row as the migration must keep it.
struct StoredRow {
  std::string id, event_id, txid, occurred_at, user_id;
  bool operator==(const StoredRow&) const = default;
};

std::vector<StoredRow> AllRows(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::read_transaction txn(connection);
  std::vector<StoredRow> rows;
  for (const auto& r :
       txn.exec("SELECT id::text, event_id::text, txid::text, "
                "(extract(epoch FROM occurred_at) * 1000000)::bigint::text, "
                "user_id FROM interactions ORDER BY interactions.id")) {
    rows.push_back({r[0].as<std::string>(), r[1].as<std::string>(),
                    r[2].as<std::string>(), r[3].as<std::string>(),
                    r[4].as<std::string>()});
  }
  return rows;
}

std::vector<int64_t> Sequences(const std::vector<tracking::LogEntry>& log) {
  std::vector<int64_t> ids;
  for (const auto& entry : log) ids.push_back(entry.position.sequence);
  return ids;
}

// The first `count` log entries after `after`, once readable (transactions
// anywhere on the server hold the horizon back meanwhile). With `all`,
// expects no more than those.
std::vector<tracking::LogEntry> ReadLog(tracking::PgInteractionStore& store,
                                        tracking::LogPosition after,
                                        size_t count, bool all = true) {
  std::vector<tracking::LogEntry> log;
  EXPECT_TRUE(Eventually(
      [&] {
        auto page = store.ListAfter(after, 1000, Deadline());
        EXPECT_TRUE(page.ok()) << page.status();
        if (page.ok()) log = *std::move(page);
        return log.size() >= count;
      },
      absl::Seconds(20)));
  if (all) {
    EXPECT_EQ(log.size(), count);
  }
  if (log.size() > count) log.resize(count);
  return log;
}

TEST(PartitionMigrationTest, MovesAnUnpartitionedTableLosingNothing) {
  TestDatabase db;
  PgPool pool({.url = db.url(), .size = 2});
  auto applied = tracking::ApplyMigrations(pool, Migrations(2), Deadline());
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_EQ(*applied, 2);
  {
    // Three writing transactions, each over several months, some old.
    pqxx::connection connection(db.url());
    for (const char* start : {"1997-03-02", "2010-11-20", "2026-01-30"}) {
      pqxx::work txn(connection);
      txn.exec(absl::StrCat(
          "INSERT INTO interactions (event_id, user_id, interaction_type, "
          "occurred_at, product_id) SELECT gen_random_uuid(), 'u' || g % 7, "
          "'view_product', timestamptz '",
          start,
          " 12:00+00' + g * interval '5 days', g FROM "
          "generate_series(1, 40) g"));
      txn.commit();
    }
    // An id taken by a rolled-back write: new ids must still pass it.
    pqxx::work txn(connection);
    txn.exec("SELECT nextval('interactions_id_seq')");
    txn.commit();
  }
  const std::vector<StoredRow> before = AllRows(db.url());
  ASSERT_EQ(before.size(), 120u);
  tracking::PgInteractionStore store(&pool);
  // Where a subscriber of the old schema stood after 50 entries: read in
  // the log's order by hand, as today's store reads columns of later
  // migrations (0005) that this schema has not.
  const tracking::LogPosition resume_at = {
      std::stoll(QueryScalar(db.url(),
                             "SELECT txid::text::bigint FROM interactions "
                             "ORDER BY txid, id OFFSET 49 LIMIT 1")),
      std::stoll(QueryScalar(db.url(),
                             "SELECT id FROM interactions ORDER BY txid, id "
                             "OFFSET 49 LIMIT 1"))};

  applied = tracking::ApplyMigrations(pool, Migrations(), Deadline());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, static_cast<int>(Migrations().size()) - 2);

  EXPECT_EQ(AllRows(db.url()), before);
  EXPECT_EQ(QueryScalar(db.url(),
                        "SELECT relkind FROM pg_class "
                        "WHERE relname = 'interactions'"),
            "p");
  EXPECT_TRUE(TableExists(db.url(), "interactions_y1997m03"));
  EXPECT_EQ(Count(db.url(), "SELECT count(*) FROM interaction_event_ids"), 120);
  // A subscriber resumes where it was: the other 70, in the same order.
  const std::vector<tracking::LogEntry> rest = ReadLog(store, resume_at, 70);
  std::vector<int64_t> expected;
  for (size_t i = 50; i < before.size(); ++i) {
    expected.push_back(std::stoll(before[i].id));
  }
  EXPECT_EQ(Sequences(rest), expected);  // one txid per row range: id order

  // A replayed event id is refused, whatever month it now claims.
  Interaction replay = ViewAt("u1", 1, Utc(2026, 11, 2));
  replay.set_event_id(before[3].event_id);
  auto stored = store.Insert({replay}, Deadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(*stored, ElementsAre(false));
  // New writes get ids past every id handed out before, and follow the log.
  stored = store.Insert({ViewAt("u1", 2, absl::Now())}, Deadline());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(*stored, ElementsAre(true));
  const std::vector<tracking::LogEntry> tail =
      ReadLog(store, rest.back().position, 1);
  EXPECT_EQ(tail.front().position.sequence, 122);
  EXPECT_EQ(tail.front().event.product_id(), 2);
}

}  // namespace
}  // namespace smartshop::testing
