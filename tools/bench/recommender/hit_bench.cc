#include "tools/bench/recommender/hit_bench.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/bearer_channel.h"
#include "common/caller_auth.h"
#include "common/clock.h"
#include "common/grpc_server.h"
#include "common/status_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/recommender/cache/redis_recommendation_cache.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "services/recommender/recommender_service.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tools/bench/recommender/synthetic_shop.h"

namespace smartshop::recommender::bench {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Recommendations;
using smartshop::v1::RecommenderService;

// Threads that warm the cache: each warm-up is a full miss.
constexpr int kWarmThreads = 8;
// Distinct interaction windows the synthetic users share.
constexpr int kHitUserWindows = 64;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

// The server checks callers' tokens as deployed servers do, so that the
// figures include that cost.
constexpr char kBenchToken[] = "bench-token-0123456789abcdef0123456789";

// A channel with a connection of its own: channels with equal arguments
// would share one subchannel, and so one TCP connection.
std::shared_ptr<grpc::Channel> ConnectChannel(const std::string& target,
                                              int index,
                                              absl::Duration timeout) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("smartshop.bench_channel", index);
  auto channel = CreateChannelWithToken(
      target, grpc::InsecureChannelCredentials(), args, kBenchToken);
  channel->WaitForConnected(ClientDeadline(timeout));
  return channel;
}

std::string UserId(int i) { return absl::StrCat("bench-user-", i); }

// Redis's own CPU since it started (INFO cpu), so that the report can say
// what a hit costs on the Redis side too.
absl::StatusOr<absl::Duration> RedisCpu(const RedisAddress& address) {
  const timeval timeout{1, 0};
  std::unique_ptr<redisContext, void (*)(redisContext*)> context(
      redisConnectWithTimeout(address.host.c_str(), address.port, timeout),
      redisFree);
  if (context == nullptr || context->err != 0) {
    return absl::UnavailableError("redis INFO: cannot connect");
  }
  std::unique_ptr<redisReply, void (*)(void*)> reply(
      static_cast<redisReply*>(redisCommand(context.get(), "INFO cpu")),
      freeReplyObject);
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
    return absl::UnavailableError("redis INFO: no reply");
  }
  double seconds = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(reply->str, reply->len), "\r\n")) {
    for (absl::string_view field : {"used_cpu_sys:", "used_cpu_user:"}) {
      double value = 0;
      if (absl::ConsumePrefix(&line, field) && absl::SimpleAtod(line, &value)) {
        seconds += value;
      }
    }
  }
  return absl::Seconds(seconds);
}

// Every user's answer computed once through the server (a full miss), then
// requested again: each must now be a cache hit.
absl::Status Warm(RecommenderService::Stub& stub, int users,
                  absl::Duration timeout) {
  std::atomic<int> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto get = [&](int user, Recommendations& answer) {
    GetRecommendationsRequest request;
    request.set_user_id(UserId(user));
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(timeout));
    return FromGrpc(stub.GetRecommendations(&context, request, &answer));
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kWarmThreads; ++t) {
    threads.emplace_back([&] {
      for (int user = next++; user < users; user = next++) {
        Recommendations answer;
        absl::Status status = get(user, answer);
        if (status.ok() && answer.strategy() != smartshop::v1::STRATEGY_MODEL) {
          status = absl::InternalError(absl::StrCat(
              "warming ", UserId(user), ": strategy ",
              smartshop::v1::Strategy_Name(answer.strategy()), " (",
              answer.fallback_reason(), "), expected the model's answer"));
        }
        if (!status.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.ok()) first_error = status;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) return first_error;
  for (int user = 0; user < users; ++user) {
    Recommendations answer;
    if (absl::Status status = get(user, answer); !status.ok()) return status;
    if (!answer.cache_hit()) {
      return absl::InternalError(
          absl::StrCat(UserId(user), " is not cached after warming"));
    }
  }
  return absl::OkStatus();
}

// What each phase's answer must be: the same checks for the blocking and
// the callback client.
absl::Status HealthOutcome(const grpc::Status& status,
                           const HealthCheckResponse& response) {
  if (!status.ok()) return FromGrpc(status);
  if (response.status() != HealthCheckResponse::SERVING) {
    return absl::FailedPreconditionError("health: not SERVING");
  }
  return absl::OkStatus();
}

absl::Status SyncEmptyOutcome(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrCat("sync0: expected INVALID_ARGUMENT, got ",
                   status.error_code(), " ", status.error_message()));
}

absl::Status HitOutcome(const grpc::Status& status,
                        const Recommendations& answer) {
  if (!status.ok()) return FromGrpc(status);
  if (!answer.cache_hit() || answer.items_size() != 8) {
    return absl::InternalError(absl::StrCat(
        "not a full cache hit: cache_hit=", answer.cache_hit(),
        " items=", answer.items_size(),
        " strategy=", smartshop::v1::Strategy_Name(answer.strategy())));
  }
  return absl::OkStatus();
}

// Each worker asks for the users in turn, from its own place in the user
// list, so that the workers do not ask for the same key at the same time.
class UserCycle {
 public:
  UserCycle(int worker, const HitOptions& options)
      : users_(options.users),
        next_(static_cast<int>(int64_t{worker} * options.users /
                               options.in_flight)) {}
  GetRecommendationsRequest NextRequest() {
    GetRecommendationsRequest request;
    request.set_user_id(UserId(next_));
    next_ = (next_ + 1) % users_;
    return request;
  }

 private:
  const int users_;
  int next_;  // a worker's calls follow one another
};

Call HealthCall(const std::shared_ptr<grpc::Channel>& channel,
                absl::Duration timeout) {
  std::shared_ptr<Health::Stub> stub = Health::NewStub(channel);
  return [stub, timeout]() -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(timeout));
    HealthCheckRequest request;  // "": the server as a whole
    HealthCheckResponse response;
    return HealthOutcome(stub->Check(&context, request, &response), response);
  };
}

Call SyncEmptyCall(const std::shared_ptr<grpc::Channel>& channel,
                   absl::Duration timeout) {
  std::shared_ptr<RecommenderService::Stub> stub =
      RecommenderService::NewStub(channel);
  return [stub, timeout]() -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(timeout));
    smartshop::v1::InvalidateRecommendationsRequest request;  // no target
    smartshop::v1::InvalidateRecommendationsResponse response;
    return SyncEmptyOutcome(
        stub->InvalidateRecommendations(&context, request, &response));
  };
}

Call HitCall(const std::shared_ptr<grpc::Channel>& channel, int worker,
             const HitOptions& options) {
  std::shared_ptr<RecommenderService::Stub> stub =
      RecommenderService::NewStub(channel);
  auto users = std::make_shared<UserCycle>(worker, options);
  const absl::Duration timeout = options.rpc_timeout;
  return [stub, users, timeout]() -> absl::Status {
    GetRecommendationsRequest request = users->NextRequest();
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(timeout));
    Recommendations answer;
    return HitOutcome(stub->GetRecommendations(&context, request, &answer),
                      answer);
  };
}

// One call of the callback client: what must live until its callback.
template <typename Request, typename Response>
struct InFlight {
  grpc::ClientContext context;
  Request request;
  Response response;
};

AsyncCall AsyncHealthCall(const std::shared_ptr<grpc::Channel>& channel,
                          absl::Duration timeout) {
  std::shared_ptr<Health::Stub> stub = Health::NewStub(channel);
  return [stub, timeout](CallDone done) {
    auto call = std::make_shared<InFlight<HealthCheckRequest,  // "": all
                                          HealthCheckResponse>>();
    call->context.set_deadline(ClientDeadline(timeout));
    stub->async()->Check(&call->context, &call->request, &call->response,
                         [call, done](grpc::Status status) {
                           done(HealthOutcome(status, call->response));
                         });
  };
}

AsyncCall AsyncSyncEmptyCall(const std::shared_ptr<grpc::Channel>& channel,
                             absl::Duration timeout) {
  std::shared_ptr<RecommenderService::Stub> stub =
      RecommenderService::NewStub(channel);
  return [stub, timeout](CallDone done) {
    auto call = std::make_shared<
        InFlight<smartshop::v1::InvalidateRecommendationsRequest,  // no target
                 smartshop::v1::InvalidateRecommendationsResponse>>();
    call->context.set_deadline(ClientDeadline(timeout));
    stub->async()->InvalidateRecommendations(
        &call->context, &call->request, &call->response,
        [call, done](grpc::Status status) { done(SyncEmptyOutcome(status)); });
  };
}

AsyncCall AsyncHitCall(const std::shared_ptr<grpc::Channel>& channel,
                       int worker, const HitOptions& options) {
  std::shared_ptr<RecommenderService::Stub> stub =
      RecommenderService::NewStub(channel);
  auto users = std::make_shared<UserCycle>(worker, options);
  const absl::Duration timeout = options.rpc_timeout;
  return [stub, users, timeout](CallDone done) {
    auto call = std::make_shared<
        InFlight<GetRecommendationsRequest, Recommendations>>();
    call->request = users->NextRequest();
    call->context.set_deadline(ClientDeadline(timeout));
    stub->async()->GetRecommendations(
        &call->context, &call->request, &call->response,
        [call, done](grpc::Status status) {
          done(HitOutcome(status, call->response));
        });
  };
}

}  // namespace

absl::StatusOr<HitRun> RunHitBench(const HitOptions& options) {
  HitRun run;
  RedisCacheOptions redis_options;
  redis_options.url = options.redis_url;
  redis_options.pool_size = options.redis_pool_size;
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(options.redis_url);
  if (!address.ok()) return address.status();
  auto cache = RedisRecommendationCache::Create(redis_options);
  if (!cache.ok()) return cache.status();
  if (absl::Status up = (*cache)->Ping(absl::Now() + absl::Seconds(2));
      !up.ok()) {
    return absl::UnavailableError(
        absl::StrCat("redis at ", options.redis_url, ": ", up.message()));
  }
  run.redis_address = (*cache)->address();

  ShopOptions shop;
  shop.products = options.products;
  shop.seed = options.seed;
  std::vector<smartshop::v1::Product> catalog = MakeCatalog(shop);
  InstantLlmClient llm(ModelReply(catalog));
  SyntheticTrackingReader reader(std::move(catalog), kHitUserWindows,
                                 options.seed);
  CatalogRefresher refresher(&reader, absl::Hours(1), absl::Seconds(5));
  if (absl::Status loaded = refresher.Refresh(); !loaded.ok()) return loaded;
  auto prompt = PromptBuilder::Create({});
  if (!prompt.ok()) return prompt.status();
  EngineOptions engine_options;
  engine_options.local_cache.ttl = options.local_cache_ttl;
  // A prefix of our own: the Redis may be shared, and we delete it after.
  engine_options.cache_prefix =
      absl::StrCat("recommender_bench:", getpid(), ":",
                   absl::ToUnixNanos(absl::Now()) % 1'000'000'000,
                   ":ai_recommended_products_");
  RecommendationEngine engine(&reader, &refresher, cache->get(),
                              MakeRankerChain(&llm, *std::move(prompt),
                                              engine_options, nullptr, nullptr),
                              engine_options, Clock::Real());
  absl::StatusOr<std::shared_ptr<const CallerAuth>> auth =
      CallerAuth::Parse(absl::StrCat("bench read,write ", kBenchToken));
  if (!auth.ok()) return auth.status();
  RecommenderServiceImpl service(&engine, absl::Seconds(30), *auth,
                                 options.server_threads);
  auto started = StartGrpcServer(
      {.listen_address = "127.0.0.1:0", .max_threads = options.server_threads},
      {&service});
  if (!started.ok()) return started.status();
  const std::string target = absl::StrCat("127.0.0.1:", started->port);

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < options.channels; ++c) {
    channels.push_back(ConnectChannel(target, c, absl::Seconds(5)));
  }
  const absl::Time warm_start = absl::Now();
  absl::Status warmed = Warm(*RecommenderService::NewStub(channels[0]),
                             options.users, absl::Seconds(10));
  run.warm_time = absl::Now() - warm_start;
  if (warmed.ok()) {
    auto stored = (*cache)->Get(engine.CacheKey(UserId(0)),
                                absl::Now() + absl::Seconds(1));
    if (stored.ok() && stored->has_value()) {
      run.cached_value_bytes = static_cast<int64_t>((*stored)->ByteSizeLong());
    }
    for (int round = 1; round <= options.rounds; ++round) {
      // ABBA: a drift of the machine's speed over the run hits all alike.
      std::vector<std::string> order = {kHealthPhase, kHitPhase};
      if (options.sync_baseline) order.push_back(kSyncEmptyPhase);
      if (round % 2 == 0) std::reverse(order.begin(), order.end());
      for (const std::string& phase : order) {
        HitPhaseResult& result = run.phases.emplace_back();
        result.phase = phase;
        result.round = round;
        absl::StatusOr<absl::Duration> redis_before;
        absl::StatusOr<absl::Duration> redis_after;
        LoopOptions loop;
        loop.in_flight = options.in_flight;
        loop.warmup = options.warmup;
        loop.duration = options.duration;
        loop.window_opened = [&] { redis_before = RedisCpu(*address); };
        loop.window_closed = [&] { redis_after = RedisCpu(*address); };
        auto channel_of = [&](int worker) {
          return channels[worker % channels.size()];
        };
        if (options.callback_client) {
          result.loop = RunAsyncClosedLoop(loop, [&](int worker) {
            if (phase == kHealthPhase) {
              return AsyncHealthCall(channel_of(worker), options.rpc_timeout);
            }
            if (phase == kSyncEmptyPhase) {
              return AsyncSyncEmptyCall(channel_of(worker),
                                        options.rpc_timeout);
            }
            return AsyncHitCall(channel_of(worker), worker, options);
          });
        } else {
          result.loop = RunClosedLoop(loop, [&](int worker) {
            if (phase == kHealthPhase) {
              return HealthCall(channel_of(worker), options.rpc_timeout);
            }
            if (phase == kSyncEmptyPhase) {
              return SyncEmptyCall(channel_of(worker), options.rpc_timeout);
            }
            return HitCall(channel_of(worker), worker, options);
          });
        }
        if (redis_before.ok() && redis_after.ok()) {
          result.redis_cpu = *redis_after - *redis_before;
        }
      }
    }
  }
  started->server->Shutdown(ClientDeadline(absl::Seconds(5)));
  auto deleted = (*cache)->DeletePrefix(engine_options.cache_prefix,
                                        absl::Now() + absl::Seconds(5));
  if (!warmed.ok()) return warmed;
  if (!deleted.ok()) return deleted.status();
  return run;
}

}  // namespace smartshop::recommender::bench
