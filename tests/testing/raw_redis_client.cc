#include "tests/testing/raw_redis_client.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/recommender/cache/redis_options.h"

namespace smartshop::testing {

RawRedisClient::RawRedisClient(const std::string& host, int port) {
  const timeval timeout = absl::ToTimeval(absl::Seconds(2));
  context_ = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (context_ == nullptr || context_->err != 0) {
    ADD_FAILURE() << "cannot connect to redis at " << host << ":" << port
                  << ": " << (context_ ? context_->errstr : "no memory");
    return;
  }
  redisSetTimeout(context_, timeout);
}

RawRedisClient::RawRedisClient(const std::string& url)
    : RawRedisClient(recommender::ParseRedisUrl(url).value().host,
                     recommender::ParseRedisUrl(url).value().port) {
  const int db = recommender::ParseRedisUrl(url).value().db;
  if (db != 0) Command({"SELECT", absl::StrCat(db)});
}

RawRedisClient::~RawRedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

recommender::RedisReply RawRedisClient::Command(
    std::initializer_list<absl::string_view> args) {
  if (context_ == nullptr || context_->err != 0) {
    ADD_FAILURE() << "raw redis connection is broken";
    return nullptr;
  }
  recommender::RedisReply reply = TryCommand(args);
  if (reply == nullptr) ADD_FAILURE() << "raw redis: " << context_->errstr;
  return reply;
}

recommender::RedisReply RawRedisClient::TryCommand(
    std::initializer_list<absl::string_view> args) {
  if (context_ == nullptr || context_->err != 0) return nullptr;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (absl::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return recommender::RedisReply(static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

}  // namespace smartshop::testing
