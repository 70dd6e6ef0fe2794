#include "services/recommender/cache/redis_options.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseRedisUrlTest, ParsesHostPortAndDb) {
  absl::StatusOr<RedisAddress> a = ParseRedisUrl("redis://cache.local:6380/3");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "cache.local");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 3);
}

TEST(ParseRedisUrlTest, DefaultsPortAndDb) {
  absl::StatusOr<RedisAddress> a = ParseRedisUrl("redis://10.0.0.7");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "10.0.0.7");
  EXPECT_EQ(a->port, 6379);
  EXPECT_EQ(a->db, 0);
  a = ParseRedisUrl("redis://redis:1234/");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->port, 1234);
  EXPECT_EQ(a->db, 0);
}

TEST(ParseRedisUrlTest, AcceptsBracketedIpv6) {
  absl::StatusOr<RedisAddress> a = ParseRedisUrl("redis://[::1]:7000/1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 7000);
  EXPECT_EQ(a->db, 1);
  EXPECT_EQ(DescribeRedisAddress(*a), "[::1]:7000/1");
}

TEST(ParseRedisUrlTest, RejectsMalformedUrlsNamingTheField) {
  for (const char* url :
       {"", "127.0.0.1:6379", "http://host:1", "rediss://host:6379", "redis://",
        "redis://:6379", "redis://host:", "redis://host:0",
        "redis://host:65536", "redis://host:12ab", "redis://host:-1",
        "redis://host/x", "redis://host/-1", "redis://host/1?timeout=3",
        "redis://ho st:1", "redis://[::1", "redis://[::1]x",
        "redis://host:1/2/3"}) {
    absl::StatusOr<RedisAddress> a = ParseRedisUrl(url);
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(a.status().message(), HasSubstr("RedisCacheOptions.url"))
        << url;
  }
}

TEST(ParseRedisUrlTest, RejectsCredentialsWithoutEchoingThem) {
  absl::StatusOr<RedisAddress> a =
      ParseRedisUrl("redis://user:hunter2@host:6379/0");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(a.status().message(), HasSubstr("password field"));
  EXPECT_THAT(a.status().message(), Not(HasSubstr("hunter2")));
}

TEST(ParseRedisUrlTest, ParsesSentinelsDbAndMaster) {
  absl::StatusOr<RedisAddress> a = ParseRedisUrl(
      "redis-sentinel://s1.local,s2.local:26380,[::1]:7000/2#shop-cache");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->sentinels,
            (std::vector<RedisEndpoint>{
                {"s1.local", 26379}, {"s2.local", 26380}, {"::1", 7000}}));
  EXPECT_EQ(a->master_name, "shop-cache");
  EXPECT_EQ(a->db, 2);
  EXPECT_EQ(DescribeRedisAddress(*a),
            "sentinel master shop-cache via "
            "s1.local:26379,s2.local:26380,[::1]:7000/2");
}

TEST(ParseRedisUrlTest, RejectsMalformedSentinelUrls) {
  for (const char* url :
       {"redis-sentinel://s1:26379", "redis-sentinel://s1:26379#",
        "redis-sentinel://#shop", "redis-sentinel://s1,,s2#shop",
        "redis-sentinel://s1:0#shop", "redis-sentinel://s1/x#shop",
        "redis-sentinel://s1#sh op", "redis-sentinel://s1?x=1#shop",
        "redis://host#shop"}) {
    absl::StatusOr<RedisAddress> a = ParseRedisUrl(url);
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(a.status().message(), HasSubstr("RedisCacheOptions.url"))
        << url;
  }
  absl::StatusOr<RedisAddress> a =
      ParseRedisUrl("redis-sentinel://user:hunter2@s1#shop");
  EXPECT_THAT(a.status().message(), HasSubstr("password field"));
  EXPECT_THAT(a.status().message(), Not(HasSubstr("hunter2")));
}

TEST(ValidateRedisCacheOptionsTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateRedisCacheOptions(RedisCacheOptions()).ok());
}

TEST(ValidateRedisCacheOptionsTest, NamesTheBadField) {
  struct Case {
    const char* field;
    void (*spoil)(RedisCacheOptions&);
  };
  const Case cases[] = {
      {"connect_timeout",
       [](RedisCacheOptions& o) { o.connect_timeout = absl::ZeroDuration(); }},
      {"command_timeout",
       [](RedisCacheOptions& o) { o.command_timeout = -absl::Seconds(1); }},
      {"command_timeout",
       [](RedisCacheOptions& o) {
         o.command_timeout = absl::InfiniteDuration();
       }},
      {"reconnect_backoff",
       [](RedisCacheOptions& o) {
         o.reconnect_backoff = -absl::Milliseconds(1);
       }},
      {"pool_size", [](RedisCacheOptions& o) { o.pool_size = 0; }},
      {"breaker_timeouts",
       [](RedisCacheOptions& o) { o.breaker_timeouts = 0; }},
      {"breaker_timeouts",
       [](RedisCacheOptions& o) { o.breaker_timeouts = 1001; }},
      {"breaker_min_wait",
       [](RedisCacheOptions& o) {
         o.breaker_min_wait = -absl::Milliseconds(1);
       }},
      {"breaker_min_wait",
       [](RedisCacheOptions& o) {
         o.breaker_min_wait = o.command_timeout + absl::Milliseconds(1);
       }},
      {"breaker_backoff",
       [](RedisCacheOptions& o) { o.breaker_backoff = absl::ZeroDuration(); }},
      {"breaker_backoff",
       [](RedisCacheOptions& o) {
         o.breaker_backoff = absl::InfiniteDuration();
       }},
      {"sentinel_check_interval",
       [](RedisCacheOptions& o) {
         o.sentinel_check_interval = absl::ZeroDuration();
       }},
      {"url", [](RedisCacheOptions& o) { o.url = "localhost"; }},
  };
  for (const Case& c : cases) {
    RedisCacheOptions options;
    c.spoil(options);
    absl::Status status = ValidateRedisCacheOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
}

TEST(ValidateRedisCacheOptionsTest, NeverMentionsThePassword) {
  RedisCacheOptions options;
  options.password = "hunter2";
  options.pool_size = -1;
  EXPECT_THAT(ValidateRedisCacheOptions(options).message(),
              Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace smartshop::recommender
