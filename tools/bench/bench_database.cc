#include "tools/bench/bench_database.h"

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "services/tracking/interaction_validator.h"

namespace smartshop::bench {
namespace {

using smartshop::v1::Interaction;

// The columns PgInteractionStore writes; the rest take their defaults.
const std::vector<std::string>& CopyColumns() {
  static const auto* const columns = new std::vector<std::string>{
      "event_id",    "user_id",      "session_key", "interaction_type",
      "occurred_at", "product_id",   "category_id", "order_id",
      "quantity",    "search_query", "page_url",    "referrer_url",
      "ip_address",  "user_agent",   "extra_data"};
  return *columns;
}

// libpqxx reports everything by exception; the benchmark deals in statuses.
absl::Status Guard(absl::string_view what, absl::FunctionRef<void()> work) {
  try {
    work();
    return absl::OkStatus();
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat(what, ": ", e.what()));
  } catch (const pqxx::sql_error& e) {
    return absl::InternalError(
        absl::StrCat(what, ": postgres ", e.sqlstate(), ": ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, ": ", e.what()));
  }
}

// The NULLIF(x, '') / NULLIF(x, 0) of the service's INSERT.
std::optional<std::string> TextOrNull(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}
std::optional<int64_t> IdOrNull(int64_t id) {
  if (id == 0) return std::nullopt;
  return id;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  const absl::Time t = ToTime(ts);
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::unique_ptr<BenchDatabase>> BenchDatabase::Connect(
    const std::string& url) {
  std::unique_ptr<pqxx::connection> conn;
  absl::Status status = Guard("connecting to postgres", [&] {
    conn = std::make_unique<pqxx::connection>(url);
  });
  if (!status.ok()) return absl::UnavailableError(status.message());
  return std::unique_ptr<BenchDatabase>(new BenchDatabase(std::move(conn)));
}

absl::Status BenchDatabase::Reset(bool* checkpointed) {
  absl::Status status = Guard("TRUNCATE interactions", [&] {
    pqxx::work txn(*conn_);
    // The event ids go too: the next phase sends the same ones again.
    txn.exec("TRUNCATE interactions, interaction_event_ids RESTART IDENTITY");
    txn.commit();
  });
  if (!status.ok()) return status;
  *checkpointed = Guard("CHECKPOINT", [&] {
                    pqxx::nontransaction txn(*conn_);
                    txn.exec("CHECKPOINT");
                  }).ok();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> BenchDatabase::CountInteractions() {
  int64_t count = 0;
  absl::Status status = Guard("counting interactions", [&] {
    pqxx::read_transaction txn(*conn_);
    count = txn.exec1("SELECT count(*) FROM interactions")[0].as<int64_t>();
  });
  if (!status.ok()) return status;
  return count;
}

absl::StatusOr<int64_t> BenchDatabase::InteractionsBytes() {
  int64_t bytes = 0;
  absl::Status status = Guard("sizing interactions", [&] {
    pqxx::read_transaction txn(*conn_);
    // The table itself when it is not partitioned; else the tree, whose
    // partitioned parent has no storage of its own.
    bytes = txn.exec1(
                   "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
                   "FROM pg_class c WHERE c.oid = 'interactions'::regclass "
                   "OR c.oid IN (SELECT relid FROM "
                   "pg_partition_tree('interactions'))")[0]
                .as<int64_t>();
  });
  if (!status.ok()) return status;
  return bytes;
}

absl::StatusOr<absl::Duration> BenchDatabase::CopyIn(
    absl::Span<const Interaction> events) {
  // The months the events fall in exist first (tracking makes a missing
  // one on demand too), outside the timing: making a month is not copying.
  std::set<std::string> months;
  for (const Interaction& e : events) {
    months.insert(absl::FormatTime("%Y-%m-01T00:00:00+00",
                                   ToTime(e.timestamp()), absl::UTCTimeZone()));
  }
  absl::Status made = Guard("making the months", [&] {
    pqxx::work txn(*conn_);
    for (const std::string& month : months) {
      txn.exec_params("SELECT interactions_ensure_partition($1::timestamptz)",
                      month);
    }
    txn.commit();
  });
  if (!made.ok()) return made;
  const absl::Time start = absl::Now();
  absl::Status status = Guard("COPY interactions", [&] {
    pqxx::work txn(*conn_);
    // The event-id claims too, as tracking writes them with every event.
    {
      pqxx::stream_to claims(txn, "interaction_event_ids",
                             std::vector<std::string>{"event_id"});
      for (const Interaction& e : events) {
        claims << std::make_tuple(e.event_id());
      }
      claims.complete();
    }
    pqxx::stream_to stream(txn, "interactions", CopyColumns());
    for (const Interaction& e : events) {
      stream << std::make_tuple(
          e.event_id(), TextOrNull(e.user_id()), TextOrNull(e.session_key()),
          std::string(tracking::TypeName(e.type())),
          FormatTimestamp(e.timestamp()), IdOrNull(e.product_id()),
          IdOrNull(e.category_id()), IdOrNull(e.order_id()), e.quantity(),
          TextOrNull(e.search_query()), TextOrNull(e.page_url()),
          TextOrNull(e.referrer_url()), TextOrNull(e.ip_address()),
          TextOrNull(e.user_agent()),
          e.extra_data().empty() ? std::string("{}") : e.extra_data());
    }
    stream.complete();
    txn.commit();
  });
  if (!status.ok()) return status;
  return absl::Now() - start;
}

}  // namespace smartshop::bench
