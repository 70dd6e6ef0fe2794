#include "tests/testing/test_database.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"

namespace smartshop::testing {

std::map<std::string, std::string> ReadTestEnv() {
  const char* path = std::getenv("SMARTSHOP_TESTENV");
  std::map<std::string, std::string> env;
  std::ifstream in(path ? path : "");
  if (!in) {
    ADD_FAILURE() << "SMARTSHOP_TESTENV does not name a readable file; run "
                     "the integration tests through ctest (tools/test.sh), "
                     "which starts Postgres and Redis first";
    std::abort();
  }
  std::string line;
  while (std::getline(in, line)) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (!kv.first.empty()) env[kv.first] = kv.second;
  }
  return env;
}

TestDatabase::TestDatabase() {
  admin_url_ = ReadTestEnv()["DATABASE_URL"];
  name_ = absl::StrCat("test_", getpid(), "_", std::rand());
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction txn(admin);
  txn.exec(absl::StrCat("CREATE DATABASE ", name_));
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction txn(admin);
    txn.exec(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping " << name_ << ": " << e.what();
  }
}

std::string QueryScalar(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::read_transaction txn(conn);
  pqxx::result r = txn.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

void Execute(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::work txn(conn);
  txn.exec(sql);
  txn.commit();
}

int CountMissingEvents(const std::string& url,
                       const std::vector<std::string>& event_ids) {
  std::set<std::string> stored;
  pqxx::connection connection(url);
  pqxx::read_transaction txn(connection);
  for (const auto& row : txn.exec("SELECT event_id::text FROM interactions")) {
    stored.insert(row[0].as<std::string>());
  }
  int missing = 0;
  for (const std::string& id : event_ids) {
    if (!stored.contains(id)) ++missing;
  }
  return missing;
}

}  // namespace smartshop::testing
