// A Postgres server of a test's own (tools/dev/services.sh in a temporary
// directory), which the test may stop and start without disturbing other
// tests (the shared one from ctest's `services` fixture serves the rest).
#ifndef SMARTSHOP_TESTS_TESTING_PRIVATE_POSTGRES_H_
#define SMARTSHOP_TESTS_TESTING_PRIVATE_POSTGRES_H_

#include <string>

#include "tests/testing/temp_dir.h"

namespace smartshop::testing {

// Neither copyable nor movable: it owns the server and its directory.
class PrivatePostgres {
 public:
  // Starts the server (a test failure when it does not come up).
  PrivatePostgres();
  // Stops it; the directory goes with it.
  ~PrivatePostgres();

  // Stops and starts Postgres again on the same port, so clients reconnect
  // to the same URL.
  void Stop();
  void Start();
  const std::string& url() const { return url_; }

 private:
  void Script(const std::string& command);

  TempDir dir_;
  std::string url_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_PRIVATE_POSTGRES_H_
