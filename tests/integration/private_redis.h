// A Redis of a test's own (redis-server on a loopback port), so that
// stopping it disturbs no other test.
#ifndef SMARTSHOP_TESTS_INTEGRATION_PRIVATE_REDIS_H_
#define SMARTSHOP_TESTS_INTEGRATION_PRIVATE_REDIS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace smartshop::testing {

class PrivateRedis {
 public:
  PrivateRedis() {
    char tmpl[] = "/tmp/smartshop-redis-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = FreePort();
    Start();
  }
  ~PrivateRedis() {
    Stop();
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }
  void Start() {
    const std::string cmd = absl::StrCat(
        "redis-server --port ", port_, " --bind 127.0.0.1 --save '' ",
        "--appendonly no --daemonize yes --pidfile ", dir_, "/redis.pid ",
        "--logfile ", dir_, "/redis.log --dir ", dir_,
        " && for i in $(seq 50); do redis-cli -p ", port_,
        " ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  // Freezes redis-server (SIGSTOP): connections are still accepted by the
  // kernel, nothing answers.
  void Pause() { paused_ = Signal(SIGSTOP) || paused_; }
  // Lets it run again (SIGCONT).
  void Resume() {
    if (paused_ && Signal(SIGCONT)) paused_ = false;
  }
  // Resumes it first if paused: a stopped server would not shut down.
  void Stop() {
    Resume();
    std::system(
        absl::StrCat("redis-cli -p ", port_, " shutdown nosave >/dev/null 2>&1")
            .c_str());
  }
  std::string url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

 private:
  // A port the kernel has just handed out, so free for redis-server to
  // bind (a fixed range could meet another test or an ephemeral port).
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    int port = 0;
    if (fd >= 0 &&
        bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    if (fd >= 0) close(fd);
    EXPECT_GT(port, 0) << "no free loopback port";
    return port;
  }

  bool Signal(int signal_number) {
    std::ifstream pidfile(dir_ + "/redis.pid");
    int pid = 0;
    if (!(pidfile >> pid) || pid <= 0) {
      ADD_FAILURE() << "no pid in " << dir_ << "/redis.pid";
      return false;
    }
    const bool sent = kill(pid, signal_number) == 0;
    EXPECT_TRUE(sent) << "kill(" << pid << ", " << signal_number << ")";
    return sent;
  }

  std::string dir_;
  int port_;
  bool paused_ = false;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_PRIVATE_REDIS_H_
