// A fresh Postgres database per test process on the server that ctest's
// services fixture started (tools/dev/services.sh writes its URL to the file
// named by SMARTSHOP_TESTENV).
#ifndef SMARTSHOP_TESTS_TESTING_TEST_DATABASE_H_
#define SMARTSHOP_TESTS_TESTING_TEST_DATABASE_H_

#include <map>
#include <string>
#include <vector>

namespace smartshop::testing {

// KEY=VALUE lines of the services env file; aborts the test with a clear
// message when the file is missing.
std::map<std::string, std::string> ReadTestEnv();

class TestDatabase {
 public:
  // Creates a uniquely named empty database.
  TestDatabase();
  // Drops it.
  ~TestDatabase();

  const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// Runs `sql` on `url` and returns the first column of the first row.
std::string QueryScalar(const std::string& url, const std::string& sql);
// Runs `sql` on `url` in a transaction of its own and commits it.
void Execute(const std::string& url, const std::string& sql);

// How many of `event_ids` (events the tracking service acknowledged) the
// interactions table at `url` does not hold: what a fault lost.
int CountMissingEvents(const std::string& url,
                       const std::vector<std::string>& event_ids);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_TEST_DATABASE_H_
