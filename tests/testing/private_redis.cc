#include "tests/testing/private_redis.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/loopback_port.h"

namespace smartshop::testing {
namespace {

constexpr int kPortAttempts = 5;
constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::Duration kStopTimeout = absl::Seconds(5);

std::string ReadAll(const std::string& path) {
  std::string text;
  if (FILE* file = std::fopen(path.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
      text.append(buffer, n);
    }
    std::fclose(file);
  }
  return text;
}

}  // namespace

std::string LoopbackRedisUrl(int port) {
  return absl::StrCat("redis://127.0.0.1:", port);
}

PrivateRedis::PrivateRedis(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {}

std::unique_ptr<PrivateRedis> PrivateRedis::Sentinel(
    int primary_port, const std::string& master) {
  auto sentinel = std::make_unique<PrivateRedis>();
  sentinel->sentinel_config_ =
      absl::StrCat("sentinel monitor ", master, " 127.0.0.1 ", primary_port,
                   " 1\nsentinel down-after-milliseconds ", master,
                   " 1000\nsentinel failover-timeout ", master, " 5000\n");
  return sentinel;
}

PrivateRedis::~PrivateRedis() { Stop(); }

bool PrivateRedis::Start() {
  if (pid_ > 0) return true;
  const bool port_is_fixed = port_ != 0;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    if (!port_is_fixed) port_ = FreeLoopbackPort();
    switch (Run()) {
      case Outcome::kReady:
        return true;
      case Outcome::kTimedOut:
        ADD_FAILURE() << "redis-server did not come up on port " << port_
                      << ": " << ReadAll(dir_.File("redis.log"));
        Stop();
        return false;
      case Outcome::kExited:
        // Most likely the port was taken between FreeLoopbackPort() and
        // redis-server's bind; a fixed port cannot move.
        if (port_is_fixed) attempt = kPortAttempts;
        break;
    }
  }
  ADD_FAILURE() << "redis-server exited on port " << port_ << ": "
                << ReadAll(dir_.File("redis.log"));
  return false;
}

PrivateRedis::Outcome PrivateRedis::Run() {
  const std::string log = dir_.File("redis.log");
  std::filesystem::remove(log);
  std::vector<std::string> args = {"redis-server",
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   log,
                                   "--dir",
                                   dir_.path()};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  if (!sentinel_config_.empty()) {
    // The configuration file comes first on a sentinel's command line.
    const std::string config = dir_.File("sentinel.conf");
    std::ofstream(config) << sentinel_config_;
    args.insert(args.begin() + 1, {config, "--sentinel"});
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test process, so that a crashed test leaves no server.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  if (pid_ < 0) {
    ADD_FAILURE() << "fork failed";
    return Outcome::kExited;
  }
  // "Ready" is logged once the listening socket is bound: only then is it
  // certain that this server, and no other process, owns the port.
  const absl::Time give_up = absl::Now() + kStartTimeout;
  while (absl::Now() < give_up) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return Outcome::kExited;
    }
    // A sentinel logs no "Ready"; it watches its primary once it listens.
    if (absl::StrContains(ReadAll(log), sentinel_config_.empty()
                                            ? "Ready to accept connections"
                                            : "+monitor master")) {
      return Outcome::kReady;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return Outcome::kTimedOut;
}

void PrivateRedis::Stop() {
  if (pid_ <= 0) return;
  Resume();
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + kStopTimeout;
  while (waitpid(pid_, nullptr, WNOHANG) != pid_) {
    if (absl::Now() > give_up) {
      ADD_FAILURE() << "redis-server " << pid_ << " ignored SIGTERM";
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  pid_ = -1;
}

void PrivateRedis::Pause() {
  if (pid_ <= 0 || paused_) return;
  if (kill(pid_, SIGSTOP) != 0) {
    ADD_FAILURE() << "cannot SIGSTOP redis-server " << pid_;
    return;
  }
  paused_ = true;
}

void PrivateRedis::Resume() {
  if (!paused_) return;
  paused_ = false;
  if (kill(pid_, SIGCONT) != 0) {
    ADD_FAILURE() << "cannot SIGCONT redis-server " << pid_;
  }
}

}  // namespace smartshop::testing
