// A plain hiredis connection for tests, to set up keys and to inspect what
// the code under test wrote, bypassing it.
//
// Not thread-safe; for use from a test's main thread.
#ifndef SMARTSHOP_TESTS_TESTING_RAW_REDIS_CLIENT_H_
#define SMARTSHOP_TESTS_TESTING_RAW_REDIS_CLIENT_H_

#include <hiredis/hiredis.h>

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "services/recommender/cache/redis_pool.h"

namespace smartshop::testing {

class RawRedisClient {
 public:
  RawRedisClient(const std::string& host, int port);
  // From a redis:// URL (its database is selected).
  explicit RawRedisClient(const std::string& url);
  ~RawRedisClient();
  RawRedisClient(const RawRedisClient&) = delete;
  RawRedisClient& operator=(const RawRedisClient&) = delete;

  // The reply, or null (with a test failure) on a connection error.
  recommender::RedisReply Command(
      std::initializer_list<absl::string_view> args);
  // The same, null without a failure: for polls across a failover, whose
  // servers close their clients' connections.
  recommender::RedisReply TryCommand(
      std::initializer_list<absl::string_view> args);

 private:
  redisContext* context_ = nullptr;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_RAW_REDIS_CLIENT_H_
