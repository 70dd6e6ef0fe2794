#include "tools/bench/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace smartshop::bench {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::vector<std::string>& env,
    const std::vector<std::string>& unset_env, const std::string& log_path) {
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::UnavailableError(absl::StrCat(binary, " is not executable"));
  }
  // Everything the child needs is built before fork: only async-signal-safe
  // calls may follow it in a threaded process.
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    const absl::string_view name = entry.substr(0, entry.find('='));
    bool removed = false;
    for (const std::string& u : unset_env) removed = removed || name == u;
    if (!removed) environment.emplace_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", log_path));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::UnavailableError("fork failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (getppid() != parent) _exit(1);
    dup2(log_fd, STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

ChildProcess::~ChildProcess() {
  if (Exited()) return;
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!Exited() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (!Exited()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ChildProcess::Exited() {
  if (!exited_ && waitpid(pid_, nullptr, WNOHANG) == pid_) exited_ = true;
  return exited_;
}

std::string ChildProcess::Log() const { return ReadWhole(log_path_); }

absl::StatusOr<std::string> ChildProcess::WaitForLog(absl::string_view pattern,
                                                     absl::Duration timeout) {
  const std::regex re{std::string(pattern)};
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    const std::string text = Log();
    std::smatch m;
    if (std::regex_search(text, m, re)) return m[1].str();
    if (Exited()) {
      return absl::UnavailableError(
          absl::StrCat("pid ", pid_, " exited before logging ", pattern));
    }
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("no ", pattern, " in ", log_path_, " within ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::StatusOr<ProcessMemory> ChildProcess::Memory() const {
  const std::string status = ReadWhole(absl::StrCat("/proc/", pid_, "/status"));
  ProcessMemory memory;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    int64_t* field = nullptr;
    if (absl::ConsumePrefix(&line, "VmRSS:")) field = &memory.resident_bytes;
    if (absl::ConsumePrefix(&line, "VmHWM:")) {
      field = &memory.peak_resident_bytes;
    }
    if (field == nullptr) continue;
    line = absl::StripAsciiWhitespace(line);
    int64_t kib = 0;
    if (absl::ConsumeSuffix(&line, " kB") && absl::SimpleAtoi(line, &kib)) {
      *field = kib * 1024;
    }
  }
  if (memory.resident_bytes == 0) {
    return absl::UnavailableError(
        absl::StrCat("no VmRSS in /proc/", pid_, "/status"));
  }
  return memory;
}

}  // namespace smartshop::bench
