// A redis-server of a test's own on a loopback port, which the test may
// stop, restart or freeze without disturbing other tests (the shared one
// from ctest's `services` fixture serves tests running in parallel).
//
// Not thread-safe; for use from a test's main thread.
#ifndef SMARTSHOP_TESTS_TESTING_PRIVATE_REDIS_H_
#define SMARTSHOP_TESTS_TESTING_PRIVATE_REDIS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace smartshop::testing {

// redis://127.0.0.1:`port`.
std::string LoopbackRedisUrl(int port);

// redis-server as a child process, no persistence, its log in a temporary
// directory. Stopped on destruction, and killed with the test process.
class PrivateRedis {
 public:
  // `extra_args` are appended to the command line, e.g.
  // {"--requirepass", "secret"}. Call Start() to run it.
  explicit PrivateRedis(std::vector<std::string> extra_args = {});
  // A Redis Sentinel (redis-server --sentinel) watching the primary at
  // 127.0.0.1:`primary_port` under the name `master`, quorum 1, so that a
  // test can force a failover with SENTINEL FAILOVER.
  static std::unique_ptr<PrivateRedis> Sentinel(int primary_port,
                                                const std::string& master);
  ~PrivateRedis();
  PrivateRedis(const PrivateRedis&) = delete;
  PrivateRedis& operator=(const PrivateRedis&) = delete;

  // Starts the server and waits until it accepts connections; false (with
  // a test failure) when it does not come up. The first start takes a free
  // port and takes another when that one is gone by the time redis-server
  // binds it; later starts (after Stop()) keep the port, so clients
  // reconnect to the same URL.
  bool Start();
  // Stops it (SIGTERM) and waits until it has exited. Resumes it first if
  // paused, as a stopped process would not act on SIGTERM.
  void Stop();
  // Freezes the process (SIGSTOP): the kernel still accepts connections on
  // its port, but nothing answers, as with a hung or swamped server.
  void Pause();
  // Lets it run again (SIGCONT); it then answers what it was sent.
  void Resume();

  // 0 before the first Start().
  int port() const { return port_; }
  std::string url() const { return LoopbackRedisUrl(port_); }

 private:
  enum class Outcome { kReady, kExited, kTimedOut };
  // Runs redis-server on port_ and waits for its verdict.
  Outcome Run();

  TempDir dir_;
  std::vector<std::string> extra_args_;
  // Sentinel only: its configuration, written before each run (a sentinel
  // rewrites the file it was started with).
  std::string sentinel_config_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_PRIVATE_REDIS_H_
