#include "services/recommender/cache/redis_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/recommender/cache/redis_options.h"

namespace smartshop::recommender::testing {
namespace {

// A socket bound to a free loopback port; -1 on failure.
int BindLoopback(int& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

bool PortAcceptsConnections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

LocalRedisServer::LocalRedisServer(std::string extra_args)
    : extra_args_(std::move(extra_args)) {
  std::string pattern = "/tmp/redis_cache_test_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  dir_ = pattern;
  // Closed again before redis-server binds it: a small race with other
  // processes picking ports, acceptable for tests.
  const int fd = BindLoopback(port_);
  if (fd < 0) ADD_FAILURE() << "no free port";
  close(fd);
}

LocalRedisServer::~LocalRedisServer() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string LocalRedisServer::url() const {
  return absl::StrCat("redis://127.0.0.1:", port_);
}

bool LocalRedisServer::Start() {
  const std::string command = absl::StrCat(
      "redis-server --port ", port_,
      " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes",
      " --pidfile ", dir_, "/redis.pid --logfile ", dir_, "/redis.log --dir ",
      dir_, " ", extra_args_);
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "failed: " << command;
    return false;
  }
  running_ = true;
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!PortAcceptsConnections(port_)) {
    if (absl::Now() > give_up) {
      ADD_FAILURE() << "redis-server did not come up on port " << port_
                    << "; see " << dir_ << "/redis.log";
      return false;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

pid_t LocalRedisServer::Pid() const {
  std::ifstream pidfile(dir_ + "/redis.pid");
  pid_t pid = 0;
  if (!(pidfile >> pid) || pid <= 0) {
    ADD_FAILURE() << "no pid in " << dir_ << "/redis.pid";
    return 0;
  }
  return pid;
}

void LocalRedisServer::Pause() {
  if (!running_ || paused_) return;
  const pid_t pid = Pid();
  if (pid == 0) return;
  if (kill(pid, SIGSTOP) != 0) {
    ADD_FAILURE() << "cannot SIGSTOP redis-server " << pid;
    return;
  }
  paused_ = true;
}

void LocalRedisServer::Resume() {
  if (!paused_) return;
  paused_ = false;
  const pid_t pid = Pid();
  if (pid != 0 && kill(pid, SIGCONT) != 0) {
    ADD_FAILURE() << "cannot SIGCONT redis-server " << pid;
  }
}

void LocalRedisServer::Stop() {
  if (!running_) return;
  // A stopped process would not act on SIGTERM.
  Resume();
  running_ = false;
  const pid_t pid = Pid();
  if (pid == 0) return;
  kill(pid, SIGTERM);
  // Not our child (it daemonized), so wait for the port rather than the pid.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (PortAcceptsConnections(port_)) {
    if (absl::Now() > give_up) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "redis-server " << pid << " ignored SIGTERM";
      return;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
}

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
    : RawRedisClient(ParseRedisUrl(url).value().host,
                     ParseRedisUrl(url).value().port) {
  const int db = ParseRedisUrl(url).value().db;
  if (db != 0) Command({"SELECT", absl::StrCat(db)});
}

RawRedisClient::~RawRedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

RedisReply RawRedisClient::Command(
    std::initializer_list<absl::string_view> args) {
  if (context_ == nullptr || context_->err != 0) {
    ADD_FAILURE() << "raw redis connection is broken";
    return nullptr;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (absl::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  RedisReply reply(static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (reply == nullptr) ADD_FAILURE() << "raw redis: " << context_->errstr;
  return reply;
}

DeadPort::DeadPort(bool listen) {
  fd_ = BindLoopback(port_);
  if (fd_ < 0) {
    ADD_FAILURE() << "no free port";
    return;
  }
  if (listen && ::listen(fd_, 64) != 0) ADD_FAILURE() << "listen failed";
}

DeadPort::~DeadPort() {
  if (fd_ >= 0) close(fd_);
}

std::string DeadPort::url() const {
  return absl::StrCat("redis://127.0.0.1:", port_);
}

}  // namespace smartshop::recommender::testing
