#include "tests/dashboard/headless_chromium.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/testing/temp_dir.h"

namespace smartshop::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsExecutable(const std::string& path) {
  return !path.empty() && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string FindChromium() {
  if (const char* given = std::getenv("SMARTSHOP_CHROMIUM")) {
    return IsExecutable(given) ? given : "";
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path ? path : "/usr/bin:/bin", ':', absl::SkipEmpty())) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = absl::StrCat(dir, "/", name);
      if (IsExecutable(candidate)) return candidate;
    }
  }
  return "";
}

ChromiumResult RunHeadlessChromium(const ChromiumOptions& options) {
  ChromiumResult result;
  const TempDir dir;
  const std::string dom_path = dir.File("dom.html");
  const std::string log_path = dir.File("stderr.log");
  std::vector<std::string> args = {
      options.binary, "--headless=new",
      "--no-sandbox",  // containers and CI runners have no user namespaces
      "--disable-gpu",
      "--disable-dev-shm-usage",  // containers often have a small /dev/shm
                                  // "--enable-logging=stderr", "--v=0",
      absl::StrCat("--user-data-dir=", dir.File("profile")), "--no-first-run",
      "--no-default-browser-check", "--disable-extensions",
      // Nothing but the page: no update checks, sync or field trials.
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
      absl::StrCat("--virtual-time-budget=",
                   absl::ToInt64Milliseconds(options.virtual_time_budget)),
      "--dump-dom"};
  if (!options.screenshot_path.empty()) {
    args.push_back(absl::StrCat("--screenshot=", options.screenshot_path));
    args.push_back(absl::StrCat("--window-size=", options.window_size));
  }
  args.push_back(options.url);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec (the test process
    // has threads: the admin server's).
    setpgid(0, 0);
    const int out = open(dom_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null = open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null < 0) _exit(126);
    dup2(null, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (pid < 0) return result;
  setpgid(pid, pid);  // also here: whichever runs first
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    if (absl::Now() - start > options.timeout) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  // The renderer, GPU and zygote processes share the group: none outlives
  // the run (killing an empty group is harmless).
  kill(-pid, SIGKILL);
  result.elapsed = absl::Now() - start;
  result.dom = ReadAll(dom_path);
  result.log = ReadAll(log_path);
  return result;
}

std::vector<std::string> ConsoleLines(const std::string& log) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, ":CONSOLE") ||
        absl::StrContains(line, "Uncaught")) {
      lines.emplace_back(line);
    }
  }
  return lines;
}

}  // namespace smartshop::testing
