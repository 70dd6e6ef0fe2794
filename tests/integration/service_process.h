// A service binary run as operators run it: its own process, stderr (the
// JSON log) to a file, ports chosen by the system and read from the log.
#ifndef SMARTSHOP_TESTS_INTEGRATION_SERVICE_PROCESS_H_
#define SMARTSHOP_TESTS_INTEGRATION_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/testing/temp_dir.h"

namespace smartshop::testing {

class ServiceProcess {
 public:
  // Runs `binary` with --listen and --admin_listen on port 0, then `args`;
  // `env` entries ("NAME=value") are added to the inherited environment.
  ServiceProcess(const std::string& binary, std::vector<std::string> args,
                 std::vector<std::string> env);
  // Kills the process if it still runs; removes the log.
  ~ServiceProcess();

  std::string log() const;
  // The port from the "started" log line; 0 if it did not start in time.
  int WaitForPort();
  // The admin port from the "started" log line; 0 if not there.
  int AdminPort() const;
  // Exit code, or -1 if it did not exit within `timeout`.
  int WaitForExit(absl::Duration timeout);
  void Terminate();
  int pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  TempDir dir_;
  std::string log_path_;
};

std::string ReadFile(const std::string& path);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_SERVICE_PROCESS_H_
