#include "tests/integration/service_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/time/clock.h"

namespace smartshop::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ServiceProcess::ServiceProcess(const std::string& binary,
                               std::vector<std::string> args,
                               std::vector<std::string> env) {
  log_path_ = dir_.File("stderr.log");
  pid_ = fork();
  if (pid_ == 0) {
    FILE* log = std::fopen(log_path_.c_str(), "w");
    dup2(fileno(log), STDERR_FILENO);
    for (const std::string& kv : env) putenv(strdup(kv.c_str()));
    // Port 0 for both: tests run in parallel.
    std::vector<std::string> all = {binary, "--listen=127.0.0.1:0",
                                    "--admin_listen=127.0.0.1:0"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string ServiceProcess::log() const { return ReadFile(log_path_); }

int ServiceProcess::WaitForPort() {
  static const std::regex kPort(R"re("event":"started".*"port":(\d+))re");
  // Generous: a loaded CI machine can take seconds to start a binary.
  for (int i = 0; i < 300; ++i) {
    std::smatch m;
    const std::string text = log();
    if (std::regex_search(text, m, kPort)) return std::stoi(m[1]);
    absl::SleepFor(absl::Milliseconds(100));
  }
  return 0;
}

int ServiceProcess::AdminPort() const {
  static const std::regex kPort(R"re("admin_port":(\d+))re");
  std::smatch m;
  const std::string text = log();
  return std::regex_search(text, m, kPort) ? std::stoi(m[1]) : 0;
}

int ServiceProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return -1;
}

void ServiceProcess::Terminate() { kill(pid_, SIGTERM); }

}  // namespace smartshop::testing
