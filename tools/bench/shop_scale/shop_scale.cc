// shop_scale: a shop's history at scale, through the real services. Ingests
// N synthetic events of a shop (catalog of --products, months of history,
// long-tailed users) through the tracking service's TrackBatch against a
// COPY of the same events into the same table; starts a new recommender
// replica on that history and times its catch-up; then soaks it with page
// traffic and live events, once with the fake model answering slowly and
// once with no key. Starts and stops the services itself (loopback only);
// Postgres and Redis are given (run_shop_scale_bench.sh starts them).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
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
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/bearer_channel.h"
#include "common/env_flags.h"
#include "common/json_log.h"
#include "hiredis/hiredis.h"
#include "tools/bench/admin_metrics.h"
#include "tools/bench/bench_database.h"
#include "tools/bench/child_process.h"
#include "tools/bench/grpc_phases.h"
#include "tools/bench/shop_scale/shop_catalog.h"
#include "tools/bench/shop_scale/shop_scale_report.h"
#include "tools/bench/shop_scale/soak.h"
#include "tools/bench/synthetic_events.h"

ABSL_FLAG(int, events, 5'000'000, "events in the shop's history");
ABSL_FLAG(int, products, 20'000, "products in the catalog (10 000-50 000)");
ABSL_FLAG(uint64_t, seed, 42, "seed of the synthetic shop");
ABSL_FLAG(int, history_days, 180, "the history spans this many days");
ABSL_FLAG(int, streams, 4, "concurrent TrackBatch calls while ingesting");
ABSL_FLAG(int, batch_size, 1000, "events per TrackBatch call");
ABSL_FLAG(int, soak_seconds, 60, "length of each soak");
ABSL_FLAG(int, soak_callers, 16, "concurrent GetRecommendations callers");
ABSL_FLAG(double, live_events_per_second, 200,
          "unary Track calls per second during the soaks");
ABSL_FLAG(absl::Duration, page_deadline, absl::Milliseconds(300),
          "deadline of each GetRecommendations call");
ABSL_FLAG(absl::Duration, model_delay, absl::Seconds(2),
          "how long the fake model takes to answer");
ABSL_FLAG(absl::Duration, catch_up_timeout, absl::Minutes(30),
          "give up on a replica that has not caught up by then");
ABSL_FLAG(std::string, json_out, "", "also write the report as JSON here");
ABSL_FLAG(std::string, database_url, "",
          "a scratch Postgres database (env DATABASE_URL); its "
          "interactions are replaced");
ABSL_FLAG(std::string, redis_url, "",
          "a scratch Redis (env REDIS_URL); it is flushed");
ABSL_FLAG(std::string, tracking_bin, "", "the tracking binary");
ABSL_FLAG(std::string, recommender_bin, "", "the recommender binary");
ABSL_FLAG(std::string, fake_openai_bin, "", "the fake_openai binary");
ABSL_FLAG(std::string, work_dir, "",
          "directory for the services' logs and files (must exist)");

namespace smartshop::bench {
namespace {

constexpr FlagEnv kFlagEnv[] = {
    {"database_url", "DATABASE_URL"},
    {"redis_url", "REDIS_URL"},
};

constexpr int kSlice = 100'000;  // events generated and sent at a time
constexpr absl::Duration kRpcTimeout = absl::Seconds(60);
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr char kPortPattern[] = R"re("event":"started".*?"port":(\d+))re";
constexpr char kAdminPortPattern[] = R"re("admin_port":(\d+))re";

struct Config {
  int events = 0;
  EventShape shape;
  uint64_t seed = 0;
  int streams = 0;
  int batch_size = 0;
  absl::Duration soak;
  int soak_callers = 0;
  absl::Duration page_deadline;
  double live_events_per_second = 0;
  absl::Duration model_delay;
  absl::Duration catch_up_timeout;
  std::string database_url;
  std::string redis_url;
  std::string tracking_bin;
  std::string recommender_bin;
  std::string fake_openai_bin;
  std::string work_dir;
};

absl::StatusOr<Config> LoadConfig() {
  Config c;
  c.events = absl::GetFlag(FLAGS_events);
  if (c.events < 1000) {
    return absl::InvalidArgumentError("--events: at least 1000");
  }
  c.shape.products = absl::GetFlag(FLAGS_products);
  if (c.shape.products < 10'000 || c.shape.products > 50'000) {
    return absl::InvalidArgumentError("--products: 10000 to 50000");
  }
  c.shape.categories = std::max(20, c.shape.products / 100);
  // About 25 events per user and 10 per anonymous session on average; the
  // skew makes a few very active and most rare.
  c.shape.users = std::max(100, c.events / 25);
  c.shape.anonymous_sessions = std::max(100, c.events / 10);
  c.shape.activity_skew = 0.7;
  const int days = absl::GetFlag(FLAGS_history_days);
  if (days < 1 || days > 3650) {
    return absl::InvalidArgumentError("--history_days: 1 to 3650");
  }
  c.shape.history = absl::Hours(24) * days;
  c.seed = absl::GetFlag(FLAGS_seed);
  c.streams = absl::GetFlag(FLAGS_streams);
  c.batch_size = absl::GetFlag(FLAGS_batch_size);
  if (c.streams < 1 || c.batch_size < 1 || c.batch_size > 1000) {
    return absl::InvalidArgumentError(
        "--streams: at least 1; --batch_size: 1 to 1000");
  }
  c.soak = absl::Seconds(absl::GetFlag(FLAGS_soak_seconds));
  c.soak_callers = absl::GetFlag(FLAGS_soak_callers);
  if (c.soak < absl::Seconds(1) || c.soak_callers < 1) {
    return absl::InvalidArgumentError(
        "--soak_seconds and --soak_callers: at least 1");
  }
  c.page_deadline = absl::GetFlag(FLAGS_page_deadline);
  c.live_events_per_second = absl::GetFlag(FLAGS_live_events_per_second);
  c.model_delay = absl::GetFlag(FLAGS_model_delay);
  c.catch_up_timeout = absl::GetFlag(FLAGS_catch_up_timeout);
  if (c.page_deadline <= absl::ZeroDuration() || c.live_events_per_second < 0 ||
      c.model_delay < absl::ZeroDuration() ||
      c.catch_up_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--page_deadline, --catch_up_timeout: > 0; --model_delay, "
        "--live_events_per_second: >= 0");
  }
  c.database_url = absl::GetFlag(FLAGS_database_url);
  c.redis_url = absl::GetFlag(FLAGS_redis_url);
  c.tracking_bin = absl::GetFlag(FLAGS_tracking_bin);
  c.recommender_bin = absl::GetFlag(FLAGS_recommender_bin);
  c.fake_openai_bin = absl::GetFlag(FLAGS_fake_openai_bin);
  c.work_dir = absl::GetFlag(FLAGS_work_dir);
  const std::pair<const std::string*, const char*> required[] = {
      {&c.database_url, "--database_url"},
      {&c.redis_url, "--redis_url"},
      {&c.tracking_bin, "--tracking_bin"},
      {&c.recommender_bin, "--recommender_bin"},
      {&c.fake_openai_bin, "--fake_openai_bin"},
      {&c.work_dir, "--work_dir"}};
  for (const auto& [value, name] : required) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    }
  }
  return c;
}

boost::json::object ConfigJson(const Config& c) {
  return {{"events", c.events},
          {"products", c.shape.products},
          {"categories", c.shape.categories},
          {"users", c.shape.users},
          {"anonymous_sessions", c.shape.anonymous_sessions},
          {"history_days", absl::ToInt64Hours(c.shape.history) / 24},
          {"seed", c.seed},
          {"streams", c.streams},
          {"batch_size", c.batch_size},
          {"soak_seconds", absl::ToInt64Seconds(c.soak)},
          {"soak_callers", c.soak_callers},
          {"live_events_per_second", c.live_events_per_second},
          {"model_delay_ms", absl::ToInt64Milliseconds(c.model_delay)},
          {"cpus", std::thread::hardware_concurrency()}};
}

std::string RandomToken() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string token;
  for (int i = 0; i < 24; ++i) {
    absl::StrAppendFormat(&token, "%02x", random.get() & 0xff);
  }
  return token;
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// Redis is shared by the two replicas in turn: each soak starts cold.
absl::Status FlushRedis(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError("--redis_url: want redis://host:port");
  }
  rest = rest.substr(0, rest.find('/'));
  const size_t colon = rest.rfind(':');
  int port = 6379;
  if (colon != absl::string_view::npos &&
      !absl::SimpleAtoi(rest.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError("--redis_url: bad port");
  }
  const std::string host(rest.substr(0, colon));
  timeval timeout{.tv_sec = 5, .tv_usec = 0};
  redisContext* redis = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (redis == nullptr || redis->err) {
    if (redis != nullptr) redisFree(redis);
    return absl::UnavailableError(absl::StrCat("cannot reach Redis at ", url));
  }
  auto* reply = static_cast<redisReply*>(redisCommand(redis, "FLUSHALL"));
  const bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(redis);
  if (!ok) return absl::UnavailableError("Redis refused FLUSHALL");
  return absl::OkStatus();
}

// A started service and where it listens.
struct Service {
  std::unique_ptr<ChildProcess> process;
  std::string target;
  int admin_port = 0;
};

absl::StatusOr<Service> StartService(const std::string& binary,
                                     std::vector<std::string> args,
                                     const std::vector<std::string>& env,
                                     const std::vector<std::string>& unset_env,
                                     const std::string& log_path) {
  args.insert(args.begin(),
              {"--listen=127.0.0.1:0", "--admin_listen=127.0.0.1:0"});
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(binary, args, env, unset_env, log_path);
  if (!process.ok()) return process.status();
  absl::StatusOr<std::string> port =
      (*process)->WaitForLog(kPortPattern, kStartTimeout);
  if (!port.ok()) return port.status();
  absl::StatusOr<std::string> admin =
      (*process)->WaitForLog(kAdminPortPattern, kStartTimeout);
  if (!admin.ok()) return admin.status();
  Service service{.process = *std::move(process),
                  .target = absl::StrCat("127.0.0.1:", *port)};
  if (!absl::SimpleAtoi(*admin, &service.admin_port)) {
    return absl::InternalError("unreadable admin port");
  }
  return service;
}

class ShopScale {
 public:
  explicit ShopScale(Config config)
      : config_(std::move(config)),
        now_(absl::Now()),
        bench_token_(RandomToken()),
        recommender_token_(RandomToken()) {}

  absl::StatusOr<ShopScaleReport> Run() {
    ShopScaleReport report;
    report.config = ConfigJson(config_);
    absl::StatusOr<std::unique_ptr<BenchDatabase>> db =
        BenchDatabase::Connect(config_.database_url);
    if (!db.ok()) return db.status();
    if (absl::Status s = StartTracking(); !s.ok()) return s;
    Progress("uploading the catalog");
    if (absl::Status s = UploadCatalog(tracking_channel_, config_.shape);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Ingest(**db, &report.ingest); !s.ok()) return s;

    // Without a key first: the builtin ranker answers every miss.
    for (const bool with_model : {false, true}) {
      const std::string name = with_model ? "model" : "builtin";
      if (absl::Status s = FlushRedis(config_.redis_url); !s.ok()) return s;
      std::unique_ptr<ChildProcess> fake_model;
      std::vector<std::string> env = {
          absl::StrCat("TRACKING_TOKEN=", recommender_token_)};
      if (with_model) {
        absl::StatusOr<std::unique_ptr<ChildProcess>> fake = StartFakeModel();
        if (!fake.ok()) return fake.status();
        fake_model = *std::move(fake);
        env.push_back("OPENAI_API_KEY=bench-key-for-the-fake-model");
        env.push_back(absl::StrCat("OPENAI_BASE_URL=", model_base_url_));
        env.push_back(absl::StrCat("OPENAI_CA_FILE=", config_.work_dir,
                                   "/fake-cert/cert.pem"));
      }
      ReplicaFigures replica;
      replica.name = name;
      absl::StatusOr<Service> recommender = StartReplica(env, &replica);
      if (!recommender.ok()) return recommender.status();
      report.replicas.push_back(replica);
      SoakOptions soak{.name = name,
                       .duration = config_.soak,
                       .callers = config_.soak_callers,
                       .deadline = config_.page_deadline,
                       .live_events_per_second = config_.live_events_per_second,
                       .shape = config_.shape,
                       .seed = config_.seed};
      Progress(absl::StrCat("soak ", name, " for ",
                            absl::FormatDuration(config_.soak)));
      absl::StatusOr<SoakResult> result =
          RunSoak(soak,
                  CreateChannelWithToken(recommender->target,
                                         grpc::InsecureChannelCredentials(), {},
                                         bench_token_),
                  recommender->admin_port, tracking_channel_);
      if (!result.ok()) return result.status();
      report.soaks.push_back({.options = soak, .result = *std::move(result)});
    }
    return report;
  }

 private:
  static void Progress(absl::string_view what) {
    std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::UTCTimeZone())
              << what << std::endl;
  }

  std::string WorkPath(absl::string_view name) const {
    return absl::StrCat(config_.work_dir, "/", name);
  }

  absl::Status StartTracking() {
    if (absl::Status s =
            WriteFile(WorkPath("tracking.tokens"),
                      absl::StrCat("bench read,write ", bench_token_,
                                   "\nrecommender read,record ",
                                   recommender_token_, "\n"));
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            WriteFile(WorkPath("recommender.tokens"),
                      absl::StrCat("bench read,write ", bench_token_, "\n"));
        !s.ok()) {
      return s;
    }
    Progress("starting tracking");
    absl::StatusOr<Service> tracking = StartService(
        config_.tracking_bin,
        {absl::StrCat("--database_url=", config_.database_url),
         absl::StrCat("--auth_tokens_file=", WorkPath("tracking.tokens"))},
        {}, {}, WorkPath("tracking.log"));
    if (!tracking.ok()) return tracking.status();
    tracking_ = *std::move(tracking);
    tracking_channel_ = CreateChannelWithToken(
        tracking_.target, grpc::InsecureChannelCredentials(), {}, bench_token_);
    return WaitUntilServing(tracking_channel_, kStartTimeout);
  }

  // The same events twice, generated slice by slice from the seed: COPY
  // (then emptied), then TrackBatch, which stays for the replicas.
  absl::Status Ingest(BenchDatabase& db, IngestFigures* out) {
    out->events = config_.events;
    bool checkpointed = false;
    if (absl::Status s = db.Reset(&checkpointed); !s.ok()) return s;
    Progress(absl::StrCat("COPY of ", config_.events, " events"));
    absl::Status copied = EachSlice([&](const auto& events) -> absl::Status {
      absl::StatusOr<absl::Duration> took = db.CopyIn(events);
      if (!took.ok()) return took.status();
      out->copy_elapsed += *took;
      return absl::OkStatus();
    });
    if (!copied.ok()) return copied;
    absl::StatusOr<int64_t> bytes = db.InteractionsBytes();
    if (!bytes.ok()) return bytes.status();
    out->copy_table_bytes = *bytes;
    if (absl::Status s = db.Reset(&checkpointed); !s.ok()) return s;

    Progress(absl::StrCat("TrackBatch of ", config_.events, " events, ",
                          config_.streams, " in flight"));
    absl::Status sent = EachSlice([&](const auto& events) -> absl::Status {
      absl::StatusOr<PhaseRun> run =
          RunTrackBatch(tracking_channel_, events, config_.batch_size,
                        config_.streams, kRpcTimeout);
      if (!run.ok()) return run.status();
      out->track_batch_elapsed += run->elapsed;
      out->track_batch_refused += run->refused;
      return absl::OkStatus();
    });
    if (!sent.ok()) return sent;
    absl::StatusOr<int64_t> count = db.CountInteractions();
    if (!count.ok()) return count.status();
    if (*count != config_.events) {
      return absl::InternalError(absl::StrCat(
          "TrackBatch stored ", *count, " of ", config_.events, " events"));
    }
    history_events_ = *count;
    bytes = db.InteractionsBytes();
    if (!bytes.ok()) return bytes.status();
    out->table_bytes = *bytes;
    return absl::OkStatus();
  }

  template <typename Work>
  absl::Status EachSlice(Work work) {
    SyntheticEvents events(config_.shape, config_.seed, now_);
    for (int done = 0; done < config_.events; done += kSlice) {
      absl::StatusOr<std::vector<smartshop::v1::Interaction>> slice =
          events.Next(std::min(kSlice, config_.events - done));
      if (!slice.ok()) return slice.status();
      if (absl::Status s = work(*slice); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<ChildProcess>> StartFakeModel() {
    if (absl::Status s = WriteFile(WorkPath("model_reply.json"),
                                   ModelReplyContent(config_.shape));
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::unique_ptr<ChildProcess>> fake = ChildProcess::Start(
        config_.fake_openai_bin,
        {"--listen=127.0.0.1:0",
         absl::StrCat("--make_cert_dir=", WorkPath("fake-cert")),
         absl::StrCat("--reply_file=", WorkPath("model_reply.json")),
         absl::StrCat("--reply_delay=",
                      absl::FormatDuration(config_.model_delay))},
        {}, {}, WorkPath("fake_openai.log"));
    if (!fake.ok()) return fake.status();
    absl::StatusOr<std::string> url =
        (*fake)->WaitForLog(R"re("base_url":"([^"]+)")re", kStartTimeout);
    if (!url.ok()) return url.status();
    model_base_url_ = *url;
    return fake;
  }

  // A new replica on the whole history: from its start to the log line that
  // says its model has caught up with the event log.
  absl::StatusOr<Service> StartReplica(const std::vector<std::string>& env,
                                       ReplicaFigures* out) {
    Progress(absl::StrCat("new replica (", out->name, ") replaying ",
                          history_events_, " events"));
    const absl::Time start = absl::Now();
    absl::StatusOr<Service> replica = StartService(
        config_.recommender_bin,
        {absl::StrCat("--tracking_target=", tracking_.target),
         absl::StrCat("--redis_url=", config_.redis_url),
         absl::StrCat("--auth_tokens_file=", WorkPath("recommender.tokens"))},
        env,
        HasKey(env) ? std::vector<std::string>{}
                    : std::vector<std::string>{"OPENAI_API_KEY"},
        WorkPath(absl::StrCat("recommender-", out->name, ".log")));
    if (!replica.ok()) return replica.status();
    absl::StatusOr<std::string> events = replica->process->WaitForLog(
        R"re("event":"model_caught_up".*?"events":(\d+))re",
        config_.catch_up_timeout);
    if (!events.ok()) return events.status();
    out->caught_up = absl::Now() - start;
    out->history_events = history_events_;
    absl::StatusOr<ProcessMemory> memory = replica->process->Memory();
    if (!memory.ok()) return memory.status();
    out->resident_bytes = memory->resident_bytes;
    out->peak_resident_bytes = memory->peak_resident_bytes;
    absl::StatusOr<std::string> metrics = ScrapeMetrics(replica->admin_port);
    if (!metrics.ok()) return metrics.status();
    out->model_events = static_cast<int64_t>(
        SumSamples(*metrics, "smartshop_recommender_builtin_model_events"));
    out->model_bytes = static_cast<int64_t>(
        SumSamples(*metrics, "smartshop_recommender_builtin_model_bytes"));
    return replica;
  }

  static bool HasKey(const std::vector<std::string>& env) {
    for (const std::string& e : env) {
      if (absl::StartsWith(e, "OPENAI_API_KEY=")) return true;
    }
    return false;
  }

  const Config config_;
  const absl::Time now_;
  const std::string bench_token_;
  const std::string recommender_token_;
  Service tracking_;
  std::shared_ptr<grpc::Channel> tracking_channel_;
  std::string model_base_url_;
  int64_t history_events_ = 0;
};

// The environment's defaults, then the command line, then the checks.
absl::StatusOr<Config> ParseFlags(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The shop-scale benchmark: ingest, a new replica's catch-up and a soak "
      "of page traffic, through the real services on loopback. Replaces the "
      "interactions of --database_url and flushes --redis_url: use scratch "
      "ones (run_shop_scale_bench.sh starts private ones).");
  if (absl::Status env = ApplyEnvironmentToFlags(kFlagEnv); !env.ok()) {
    return env;
  }
  absl::ParseCommandLine(argc, argv);
  return LoadConfig();
}

}  // namespace
}  // namespace smartshop::bench

int main(int argc, char** argv) {
  using namespace smartshop;
  absl::StatusOr<bench::Config> config = bench::ParseFlags(argc, argv);
  if (!config.ok()) {
    std::cerr << "error: " << config.status() << std::endl;
    return 2;
  }
  absl::StatusOr<bench::ShopScaleReport> report =
      bench::ShopScale(*std::move(config)).Run();
  if (!report.ok()) {
    std::cerr << "error: " << report.status() << std::endl;
    return 1;
  }
  std::cout << bench::FormatText(*report) << std::flush;
  const std::string json_out = absl::GetFlag(FLAGS_json_out);
  if (json_out.empty()) return 0;
  std::ofstream out(json_out, std::ios::trunc);
  out << bench::FormatJson(*report) << "\n";
  out.close();
  if (out) return 0;
  std::cerr << "error: cannot write " << json_out << std::endl;
  return 1;
}
