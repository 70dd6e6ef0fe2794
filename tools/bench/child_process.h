// A service binary the benchmark starts itself, as operators run it: its own
// process, its JSON log (stderr) in a file the benchmark reads for ports and
// state changes, and its memory from /proc. The child is killed when this
// object goes and also when the benchmark dies (PR_SET_PDEATHSIG), so that a
// failed run leaves nothing behind.
#ifndef SMARTSHOP_TOOLS_BENCH_CHILD_PROCESS_H_
#define SMARTSHOP_TOOLS_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::bench {

struct ProcessMemory {
  int64_t resident_bytes = 0;       // VmRSS
  int64_t peak_resident_bytes = 0;  // VmHWM
};

class ChildProcess {
 public:
  // Runs `binary` with `args`; `env` entries ("NAME=value") are added to
  // the inherited environment, `unset_env` names removed from it. stderr
  // goes to `log_path`. UNAVAILABLE when it cannot be started.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::vector<std::string>& env,
      const std::vector<std::string>& unset_env, const std::string& log_path);
  ~ChildProcess();  // SIGTERM, then SIGKILL after 5 s

  pid_t pid() const { return pid_; }
  std::string Log() const;

  // The first capture of `pattern` (a std::regex with one group) in the
  // log, once it appears; DEADLINE_EXCEEDED after `timeout`, UNAVAILABLE
  // if the process exits first.
  absl::StatusOr<std::string> WaitForLog(absl::string_view pattern,
                                         absl::Duration timeout);

  absl::StatusOr<ProcessMemory> Memory() const;

 private:
  ChildProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  bool Exited();

  pid_t pid_;
  std::string log_path_;
  bool exited_ = false;
};

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_CHILD_PROCESS_H_
