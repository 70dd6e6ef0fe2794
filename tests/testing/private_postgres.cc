#include "tests/testing/private_postgres.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace smartshop::testing {

PrivatePostgres::PrivatePostgres() {
  Script("start");
  std::ifstream env(dir_.File("env"));
  std::string line;
  while (std::getline(env, line)) {
    if (line.rfind("DATABASE_URL=", 0) == 0) url_ = line.substr(13);
  }
  EXPECT_FALSE(url_.empty()) << "no DATABASE_URL in " << dir_.File("env");
}

PrivatePostgres::~PrivatePostgres() { Script("stop"); }

void PrivatePostgres::Stop() { Script("pg-stop"); }

void PrivatePostgres::Start() { Script("pg-start"); }

void PrivatePostgres::Script(const std::string& command) {
  // SERVICES_SCRIPT: the path of tools/dev/services.sh, set by CMake.
  // A throwaway server: no fsync (see services.sh).
  const std::string line =
      absl::StrCat("SMARTSHOP_PG_NO_FSYNC=1 bash ", SERVICES_SCRIPT, " ",
                   command, " ", dir_.path(), " >/dev/null");
  EXPECT_EQ(std::system(line.c_str()), 0) << line;
}

}  // namespace smartshop::testing
