// tracking_bench: how fast the tracking service ingests, measured against
// raw COPY into the same table and indexes on the same database in the same
// run, so that the ratios hold across machines. See run_tracking_bench.sh
// for a run against private Postgres and a freshly built service.
//
// Every phase starts by TRUNCATEing the interactions table: point this only
// at a scratch database.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/env_flags.h"
#include "common/json_log.h"
#include "tools/bench/bench_database.h"
#include "tools/bench/bench_report.h"
#include "tools/bench/bench_runner.h"
#include "tools/bench/synthetic_events.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "tracking service gRPC address (env TRACKING_TARGET)");
ABSL_FLAG(std::string, database_url, "",
          "the tracking service's Postgres URL (env DATABASE_URL)");
ABSL_FLAG(int, events, 200'000, "events per COPY and TrackBatch phase");
ABSL_FLAG(int, batch_size, 1000, "events per TrackBatch call");
ABSL_FLAG(int, batch_in_flight, 4, "concurrent TrackBatch calls");
ABSL_FLAG(int, unary_events, 50'000, "events in the unary Track phase");
ABSL_FLAG(int, in_flight, 64, "concurrent unary Track calls");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(30),
          "deadline of every call");
ABSL_FLAG(absl::Duration, ready_timeout, absl::Seconds(60),
          "how long to wait for the service to report SERVING");
ABSL_FLAG(std::string, phases, "copy,track_batch,track_unary",
          "phases to run, in this order");
ABSL_FLAG(uint64_t, seed, 42, "seed of the synthetic events");
ABSL_FLAG(double, batch_target, 0.5,
          "TrackBatch target as a fraction of COPY's events/s");
ABSL_FLAG(double, unary_target, 0.25,
          "unary Track target as a fraction of COPY's events/s");
ABSL_FLAG(bool, truncate_existing, false,
          "run even when interactions already holds rows (they are lost)");
ABSL_FLAG(bool, json, false, "print one JSON object instead of the table");

namespace smartshop::bench {
namespace {

constexpr FlagEnv kFlagEnv[] = {
    {"target", "TRACKING_TARGET"},
    {"database_url", "DATABASE_URL"},
};

absl::StatusOr<BenchConfig> LoadConfig() {
  BenchConfig c;
  c.target = absl::GetFlag(FLAGS_target);
  c.events = absl::GetFlag(FLAGS_events);
  c.batch_size = absl::GetFlag(FLAGS_batch_size);
  c.batch_in_flight = absl::GetFlag(FLAGS_batch_in_flight);
  c.unary_events = absl::GetFlag(FLAGS_unary_events);
  c.in_flight = absl::GetFlag(FLAGS_in_flight);
  c.rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout);
  c.ready_timeout = absl::GetFlag(FLAGS_ready_timeout);
  c.phases =
      absl::StrSplit(absl::GetFlag(FLAGS_phases), ',', absl::SkipWhitespace());
  c.batch_target = absl::GetFlag(FLAGS_batch_target);
  c.unary_target = absl::GetFlag(FLAGS_unary_target);
  c.truncate_existing = absl::GetFlag(FLAGS_truncate_existing);
  for (const auto& [flag, value] :
       {std::pair<const char*, int>{"events", c.events},
        {"batch_size", c.batch_size},
        {"batch_in_flight", c.batch_in_flight},
        {"unary_events", c.unary_events},
        {"in_flight", c.in_flight}}) {
    if (value < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, "=", value, " must be at least 1"));
    }
  }
  if (c.rpc_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--rpc_timeout must be positive");
  }
  if (c.phases.empty()) {
    return absl::InvalidArgumentError("--phases names no phase");
  }
  for (const std::string& phase : c.phases) {
    if (phase != kCopyPhase && phase != kBatchPhase && phase != kUnaryPhase) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--phases: unknown phase \"", phase, "\" (known: ", kCopyPhase, ", ",
          kBatchPhase, ", ", kUnaryPhase, ")"));
    }
  }
  return c;
}

boost::json::object ConfigJson(const BenchConfig& c,
                               const std::string& database_url) {
  boost::json::object o;
  o["target"] = c.target;
  o["database"] = RedactConnectionString(database_url);
  o["events"] = c.events;
  o["batch_size"] = c.batch_size;
  o["batch_in_flight"] = c.batch_in_flight;
  o["unary_events"] = c.unary_events;
  o["in_flight"] = c.in_flight;
  o["seed"] = absl::GetFlag(FLAGS_seed);
  // Client and server share the machine in run_tracking_bench.sh.
  o["cpus"] = std::thread::hardware_concurrency();
  return o;
}

int Fail(const absl::Status& status) {
  std::cerr << "error: " << status << std::endl;
  return EXIT_FAILURE;
}

int Run(const BenchConfig& config, const std::string& database_url) {
  absl::StatusOr<std::unique_ptr<BenchDatabase>> db =
      BenchDatabase::Connect(database_url);
  if (!db.ok()) return Fail(db.status());
  const absl::Time now = absl::Now();
  absl::StatusOr<std::vector<smartshop::v1::Interaction>> events =
      GenerateEvents(std::max(config.events, config.unary_events),
                     absl::GetFlag(FLAGS_seed), now);
  if (!events.ok()) return Fail(events.status());
  std::cerr << "generated " << events->size() << " events in "
            << absl::FormatDuration(absl::Now() - now) << std::endl;
  absl::StatusOr<std::vector<PhaseResult>> results =
      RunPhases(config, **db, *events);
  if (!results.ok()) return Fail(results.status());
  // A missed target is a finding, not a failure: the exit status stays 0.
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << FormatJson(*results, ConfigJson(config, database_url)) << "\n";
  } else {
    std::cout << FormatTable(*results);
  }
  std::cout << std::flush;
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::bench

int main(int argc, char** argv) {
  using namespace smartshop;
  absl::SetProgramUsageMessage(
      "Measures tracking ingest (TrackBatch, unary Track) against raw COPY "
      "into the same table. TRUNCATEs the interactions table: use a scratch "
      "database.");
  if (absl::Status env = ApplyEnvironmentToFlags(bench::kFlagEnv); !env.ok()) {
    std::cerr << "error: " << env << std::endl;
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<bench::BenchConfig> config = bench::LoadConfig();
  if (!config.ok()) {
    std::cerr << "error: " << config.status() << std::endl;
    return 2;
  }
  const std::string database_url = absl::GetFlag(FLAGS_database_url);
  if (database_url.empty()) {
    std::cerr << "error: --database_url (DATABASE_URL) is empty" << std::endl;
    return 2;
  }
  return bench::Run(*config, database_url);
}
