// Helpers for tests against real Redis servers: a private redis-server that
// a test may stop, restart or freeze (the shared one from the ctest `services`
// fixture is used by other tests in parallel), a raw client for checking
// what the cache wrote, and loopback ports on which nothing answers.
//
// Not thread-safe; for use from a test's main thread.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_TEST_UTIL_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_TEST_UTIL_H_

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "services/recommender/cache/redis_pool.h"

namespace smartshop::recommender::testing {

// redis-server on a free loopback port, daemonized, no persistence, in a
// temporary directory of its own. Stopped (and the directory removed) on
// destruction.
class LocalRedisServer {
 public:
  // `extra_args` are appended to the command line, e.g.
  // "--requirepass secret".
  explicit LocalRedisServer(std::string extra_args = "");
  ~LocalRedisServer();
  LocalRedisServer(const LocalRedisServer&) = delete;
  LocalRedisServer& operator=(const LocalRedisServer&) = delete;

  // Starts the server on port() and waits until it accepts connections.
  // Adds a test failure and returns false when it does not come up.
  bool Start();
  // Stops it (SIGTERM via its pidfile) and waits until the port is closed.
  // Resumes it first if paused.
  void Stop();
  // Freezes the process (SIGSTOP): the kernel still accepts connections on
  // its port, but nothing answers, as with a hung or swamped server.
  void Pause();
  // Lets it run again (SIGCONT); it then answers what it was sent.
  void Resume();

  int port() const { return port_; }
  std::string url() const;

 private:
  std::string dir_;
  std::string extra_args_;
  int port_ = 0;
  bool running_ = false;
  bool paused_ = false;

  // From the pidfile; 0 (with a test failure) when unreadable.
  pid_t Pid() const;
};

// A plain hiredis connection, for setting up and inspecting keys.
class RawRedisClient {
 public:
  RawRedisClient(const std::string& host, int port);
  // From a redis:// URL (its database is selected).
  explicit RawRedisClient(const std::string& url);
  ~RawRedisClient();
  RawRedisClient(const RawRedisClient&) = delete;
  RawRedisClient& operator=(const RawRedisClient&) = delete;

  // The reply, or null (with a test failure) on a connection error.
  RedisReply Command(std::initializer_list<absl::string_view> args);

 private:
  redisContext* context_ = nullptr;
};

// A loopback port held open for the object's lifetime. With `listen`, the
// kernel completes TCP handshakes but nothing ever answers (a hung server);
// without, connecting is refused (no server).
class DeadPort {
 public:
  explicit DeadPort(bool listen);
  ~DeadPort();
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;

  int port() const { return port_; }
  std::string url() const;

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Whether something accepts TCP connections on 127.0.0.1:`port`.
bool PortAcceptsConnections(int port);

}  // namespace smartshop::recommender::testing

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_TEST_UTIL_H_
