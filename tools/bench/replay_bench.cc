// replay_bench: how fast a new recommender replica catches up with the event
// log. COPYs --events synthetic interactions into the tracking database, then
// times a fresh InteractionModel fed by a real EventFeed through the tracking
// service's Subscribe until the feed says it has caught up. Run it with
// run_tracking_bench.sh (BENCH=replay_bench) for a private Postgres and a
// freshly built service.
//
// TRUNCATEs the interactions table first: point this only at a scratch
// database.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "common/bearer_channel.h"
#include "common/env_flags.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/event_feed.h"
#include "services/recommender/tracking_reader.h"
#include "tools/bench/bench_database.h"
#include "tools/bench/synthetic_events.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "tracking service host:port (env TRACKING_TARGET)");
ABSL_FLAG(std::string, database_url, "",
          "the tracking service's database (env DATABASE_URL); TRUNCATEd");
ABSL_FLAG(int, events, 1'000'000, "events in the log to replay");
ABSL_FLAG(bool, json, false, "print one JSON object instead of text");
ABSL_FLAG(int, chunk, 100'000, "events generated and COPYed at a time");
ABSL_FLAG(absl::Duration, replay_timeout, absl::Minutes(10),
          "give up when the replica has not caught up by then");
ABSL_FLAG(double, target_events_per_second, 100'000,
          "the replay rate the report compares against");

namespace smartshop::bench {
namespace {

int Fail(const absl::Status& status) {
  std::cerr << "error: " << status << std::endl;
  return EXIT_FAILURE;
}

constexpr FlagEnv kFlagEnv[] = {{"database_url", "DATABASE_URL"},
                                {"target", "TRACKING_TARGET"}};

// This process's resident set, from /proc (0 when unknown).
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    int64_t kib = 0;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits += c;
    }
    return absl::SimpleAtoi(digits, &kib) ? kib * 1024 : 0;
  }
  return 0;
}

// Fills the log with `events` events in COPY transactions of `chunk`.
absl::StatusOr<absl::Duration> FillLog(BenchDatabase& db, int events,
                                       int chunk) {
  bool checkpointed = false;
  if (absl::Status reset = db.Reset(&checkpointed); !reset.ok()) return reset;
  absl::Duration copying;
  const absl::Time now = absl::Now();
  for (int done = 0, seed = 1; done < events; done += chunk, ++seed) {
    absl::StatusOr<std::vector<smartshop::v1::Interaction>> batch =
        GenerateEvents(std::min(chunk, events - done), seed, now);
    if (!batch.ok()) return batch.status();
    absl::StatusOr<absl::Duration> took = db.CopyIn(*batch);
    if (!took.ok()) return took.status();
    copying += *took;
  }
  return copying;
}

int Run(const std::string& database_url) {
  if (database_url.empty()) {
    return Fail(
        absl::InvalidArgumentError("--database_url (DATABASE_URL) is empty"));
  }
  const int events = absl::GetFlag(FLAGS_events);
  const int chunk = absl::GetFlag(FLAGS_chunk);
  if (events < 1 || chunk < 1) {
    return Fail(
        absl::InvalidArgumentError("--events and --chunk must be at least 1"));
  }
  absl::StatusOr<std::unique_ptr<BenchDatabase>> db =
      BenchDatabase::Connect(database_url);
  if (!db.ok()) return Fail(db.status());
  absl::StatusOr<absl::Duration> copying = FillLog(**db, events, chunk);
  if (!copying.ok()) return Fail(copying.status());
  absl::StatusOr<int64_t> stored = (*db)->CountInteractions();
  if (!stored.ok()) return Fail(stored.status());
  std::cerr << "copied " << *stored << " events in "
            << absl::FormatDuration(*copying) << std::endl;

  const int64_t rss_before = ResidentBytes();
  recommender::InteractionModel model;
  recommender::EventFeed feed(
      CreateToolChannel(absl::GetFlag(FLAGS_target),
                        recommender::TrackingChannelArguments()),
      &model, nullptr);
  const absl::Time start = absl::Now();
  const std::clock_t cpu_start = std::clock();
  feed.Start();
  if (!feed.WaitUntilCaughtUp(start + absl::GetFlag(FLAGS_replay_timeout))) {
    return Fail(absl::DeadlineExceededError(
        absl::StrCat("not caught up within ",
                     absl::FormatDuration(absl::GetFlag(FLAGS_replay_timeout)),
                     "; learnt ", model.events_observed(), " events")));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // CPU of this process (the replica's feed and model, all threads): on a
  // shared machine the wall time says little, this says the replica's part.
  const double cpu_seconds =
      static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double rate = static_cast<double>(*stored) / seconds;
  const int64_t rss = ResidentBytes() - rss_before;

  boost::json::object o;
  o["events"] = *stored;
  o["copy_seconds"] = absl::ToDoubleSeconds(*copying);
  o["copy_events_per_second"] =
      static_cast<double>(*stored) / absl::ToDoubleSeconds(*copying);
  o["replay_seconds"] = seconds;
  o["replay_events_per_second"] = rate;
  o["replay_vs_target"] = rate / absl::GetFlag(FLAGS_target_events_per_second);
  o["replica_cpu_seconds"] = cpu_seconds;
  o["replica_cpu_us_per_event"] =
      cpu_seconds * 1e6 / static_cast<double>(*stored);
  o["model_events"] = model.events_observed();
  o["model_products"] = model.products();
  o["model_bytes"] = model.ApproximateBytes();
  o["replica_rss_growth_bytes"] = rss;
  o["cpus"] = std::thread::hardware_concurrency();
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << boost::json::serialize(o) << "\n";
  } else {
    for (const auto& [key, value] : o) {
      std::cout << key << ": " << boost::json::serialize(value) << "\n";
    }
  }
  std::cout << std::flush;
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Times a new recommender replica catching up with the event log. "
      "TRUNCATEs the interactions table: use a scratch database.");
  if (absl::Status env =
          smartshop::ApplyEnvironmentToFlags(smartshop::bench::kFlagEnv);
      !env.ok()) {
    return smartshop::bench::Fail(env);
  }
  absl::ParseCommandLine(argc, argv);
  return smartshop::bench::Run(absl::GetFlag(FLAGS_database_url));
}
