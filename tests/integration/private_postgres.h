// A private Postgres (tools/dev/services.sh) that a test may stop and
// start without disturbing other tests. Needs SERVICES_SCRIPT (the path of
// services.sh), which smartshop_integration_test defines.
#ifndef SMARTSHOP_TESTS_INTEGRATION_PRIVATE_POSTGRES_H_
#define SMARTSHOP_TESTS_INTEGRATION_PRIVATE_POSTGRES_H_

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace smartshop::testing {

// A private Postgres that a test may stop and start.
class PrivatePostgres {
 public:
  PrivatePostgres() {
    char tmpl[] = "/tmp/smartshop-pg-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Script("start");
    std::ifstream env(dir_ + "/env");
    std::string line;
    while (std::getline(env, line)) {
      if (line.rfind("DATABASE_URL=", 0) == 0) url_ = line.substr(13);
    }
  }
  ~PrivatePostgres() {
    Script("stop");
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }
  void Stop() { Script("pg-stop"); }
  void Start() { Script("pg-start"); }
  const std::string& url() const { return url_; }

 private:
  void Script(const std::string& command) {
    const std::string cmd = absl::StrCat("bash ", SERVICES_SCRIPT, " ", command,
                                         " ", dir_, " >/dev/null");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::string dir_;
  std::string url_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_PRIVATE_POSTGRES_H_
