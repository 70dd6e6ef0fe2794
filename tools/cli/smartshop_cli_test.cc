// The built `smartshop` binary as a shell user runs it, against the tracking
// service in-process on a fresh database: what it prints and its exit codes.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The number printed after `label` in an import summary, or -1.
int64_t Count(const std::string& out, const std::string& label) {
  std::smatch match;
  if (!std::regex_search(out, match, std::regex(label + R"(\s+(\d+))"))) {
    return -1;
  }
  return std::stoll(match[1]);
}

// Expects each label's number in the import summary `out`.
void ExpectCounts(const std::string& out,
                  const std::vector<std::pair<std::string, int64_t>>& counts) {
  for (const auto& [label, count] : counts) {
    EXPECT_EQ(Count(out, label), count) << label << " in:\n" << out;
  }
}

constexpr char kCatalogCsv[] =
    "id,name,category_id,category_name,is_active,units_sold,stock,"
    "price_cents\n"
    "1,Mug,3,Kitchen,true,10,5,899\n"
    "2,\"Lamp, brass\",2,Living,true,4,,12000\n"
    "3,Spoon,3,Kitchen,false,0,0,150\n";

constexpr char kEventsJsonl[] =
    R"({"userId":"42","type":"view_product","productId":1,"timestamp":"2024-05-01T12:00:00Z"}
{"userId":"42","type":"add_to_cart","productId":1,"quantity":1,"timestamp":"2024-05-01T12:01:00Z"}
{"userId":"42","type":"order_placed","productId":1,"orderId":9,"quantity":1,"timestamp":"2024-05-01T12:02:00Z"}
{"sessionKey":"s-1","type":"search","searchQuery":"lamp","timestamp":"2024-05-01T12:03:00Z"}
)";

class SmartshopCliTest : public ::testing::Test {
 protected:
  SmartshopCliTest()
      : harness_(db_.url()),
        address_(absl::StrCat("127.0.0.1:", harness_.port())) {
    char dir[] = "/tmp/smartshop-cli-test-XXXXXX";
    dir_ = mkdtemp(dir);
  }
  ~SmartshopCliTest() override {
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }

  std::string Path(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }

  // Runs the binary with `args`, stdin from `stdin_path` (default none).
  CliRun Run(std::vector<std::string> args,
             const std::string& stdin_path = "") {
    const std::string out_path = Path("stdout");
    const std::string err_path = Path("stderr");
    args.insert(args.begin(), SMARTSHOP_BINARY);
    const pid_t pid = fork();
    if (pid == 0) {
      const int in =
          open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
      const int out =
          open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err =
          open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(in, STDIN_FILENO);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      unsetenv("SMARTSHOP_TRACKING");
      unsetenv("SMARTSHOP_RECOMMENDER");
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    run.out = ReadFile(out_path);
    run.err = ReadFile(err_path);
    return run;
  }

  std::vector<smartshop::v1::Interaction> Interactions() {
    smartshop::v1::ListInteractionsRequest request;
    request.set_limit(100);
    smartshop::v1::ListInteractionsResponse response;
    const grpc::Status status = harness_.tracking().ListInteractions(
        TrackingHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.interactions().begin(), response.interactions().end()};
  }

  TestDatabase db_;
  TrackingHarness harness_;
  const std::string address_;
  std::string dir_;
};

TEST_F(SmartshopCliTest, ImportsCatalogAndEventsAndAgainOnlyDuplicates) {
  WriteFile(Path("catalog.csv"), kCatalogCsv);
  WriteFile(Path("events.jsonl"), kEventsJsonl);
  const std::vector<std::string> args = {"import", "--tracking=" + address_,
                                         "--catalog=" + Path("catalog.csv"),
                                         "--events=" + Path("events.jsonl")};

  const CliRun first = Run(args);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ExpectCounts(first.out, {{"categories upserted", 2},
                           {"products upserted", 3},
                           {"events sent", 4},
                           {"stored", 4},
                           {"duplicates", 0},
                           {"rejected", 0}});
  // Without a terminal, progress is plain lines on stderr.
  EXPECT_THAT(first.err, AllOf(HasSubstr("products upserted: done, 3"),
                               HasSubstr("events sent: done, 4")));

  smartshop::v1::GetProductsRequest request;
  for (int64_t id : {1, 2, 3}) request.add_ids(id);
  smartshop::v1::GetProductsResponse products;
  ASSERT_TRUE(
      harness_.catalog()
          .GetProducts(TrackingHarness::Context().get(), request, &products)
          .ok());
  ASSERT_EQ(products.products_size(), 3);
  EXPECT_EQ(products.products(1).name(), "Lamp, brass");
  EXPECT_EQ(products.products(1).category_name(), "Living");
  EXPECT_FALSE(products.products(1).has_stock());
  EXPECT_FALSE(products.products(2).is_active());
  EXPECT_EQ(Interactions().size(), 4u);

  const CliRun second = Run(args);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  ExpectCounts(second.out, {{"stored", 0}, {"duplicates", 4}});
  EXPECT_THAT(second.out, HasSubstr("(all: imported before)"));
  EXPECT_EQ(Interactions().size(), 4u);
}

TEST_F(SmartshopCliTest, ImportsOnlineRetailOnceAndInspectShowsIt) {
  WriteFile(Path("retail.csv"),
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
            "CustomerID,Country\n"
            "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,"
            "17850,United Kingdom\n"
            "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527,UK\n"
            "536366,22633,HAND WARMER,4,2010-12-01 08:28:00,1.85,,UK\n");
  const std::vector<std::string> args = {
      "import-retail", "--tracking=" + address_, "--csv=" + Path("retail.csv")};

  const CliRun first = Run(args);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ExpectCounts(first.out, {{"rows skipped", 1},
                           {"categories upserted", 1},
                           {"products upserted", 3},
                           {"stored", 4}});
  EXPECT_EQ(Interactions().size(), 4u);

  const CliRun second = Run(args);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  ExpectCounts(second.out, {{"stored", 0}, {"duplicates", 4}});
  EXPECT_EQ(Interactions().size(), 4u);

  const CliRun inspect = Run({"inspect", "--tracking=" + address_});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.out << inspect.err;
  EXPECT_THAT(
      inspect.out,
      AllOf(HasSubstr("Latest 10 interactions"),
            HasSubstr("session guest-536366"), HasSubstr("WHITE HANGING HEART"),
            ::testing::ContainsRegex("1 +1 +WHITE HANGING HEART")));
}

TEST_F(SmartshopCliTest, ImportReportsSkippedAndRejectedLinesAndExits2) {
  WriteFile(Path("events.jsonl"),
            R"({"userId":"42","type":"view_product","productId":1}
this is not JSON
{"userId":"42","type":"view_product"}
{"userId":"42","type":"search","searchQuery":"mug"}
)");
  const CliRun run = Run(
      {"import", "--tracking=" + address_, "--events=" + Path("events.jsonl")});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  ExpectCounts(run.out, {{"events read", 4},
                         {"lines skipped", 1},
                         {"stored", 2},
                         {"rejected", 1}});
  EXPECT_THAT(
      run.out,
      AllOf(HasSubstr("line 2: not proto JSON of Interaction"),
            HasSubstr("line 3: product_id: required for view_product")));
  EXPECT_THAT(run.err, HasSubstr("1 line(s) skipped, 1 event(s) rejected"));
  EXPECT_EQ(Interactions().size(), 2u);
}

TEST_F(SmartshopCliTest, ImportReadsStdinAndDryRunSendsNothing) {
  WriteFile(Path("events.txt"), kEventsJsonl);
  const CliRun dry = Run({"import", "--tracking=" + address_, "--events=-",
                          "--format=jsonl", "--dry_run"},
                         Path("events.txt"));
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("dry run: nothing was sent"));
  ExpectCounts(dry.out, {{"events to send", 4}});
  EXPECT_THAT(Interactions(), IsEmpty());

  const CliRun real =
      Run({"import", "--tracking=" + address_, "--events=-", "--format=jsonl"},
          Path("events.txt"));
  EXPECT_EQ(real.exit_code, 0) << real.out << real.err;
  EXPECT_EQ(Interactions().size(), 4u);
}

TEST_F(SmartshopCliTest, ImportOfAnUnusableFileSendsNothingAndExits2) {
  WriteFile(Path("catalog.csv"), "id,title\n1,Mug\n");
  WriteFile(Path("events.jsonl"), kEventsJsonl);
  const CliRun run = Run({"import", "--tracking=" + address_,
                          "--catalog=" + Path("catalog.csv"),
                          "--events=" + Path("events.jsonl")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, AllOf(HasSubstr("--catalog="),
                             HasSubstr("unknown column \"title\"")));
  EXPECT_THAT(Interactions(), IsEmpty());
}

TEST_F(SmartshopCliTest, TrackStoresAnEventAndThenSaysDuplicate) {
  const std::vector<std::string> args = {
      "track",
      "--tracking=" + address_,
      "--type=view_product",
      "--user_id=7",
      "--product_id=3",
      "--event_id=6f0c8e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6"};
  const CliRun first = Run(args);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out,
            "STORED event_id=6f0c8e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6\n");
  const CliRun second = Run(args);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out,
            "DUPLICATE event_id=6f0c8e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6\n");
}

TEST_F(SmartshopCliTest, TrackTakesTheEventAsJson) {
  const CliRun run = Run(
      {"track", "--tracking=" + address_,
       R"(--json={"sessionKey":"s-9","type":"search","searchQuery":"mug"})"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("STORED event_id="));
  ASSERT_EQ(Interactions().size(), 1u);
  EXPECT_EQ(Interactions()[0].search_query(), "mug");
}

TEST_F(SmartshopCliTest, TrackOfABadEventExits2NamingTheField) {
  const CliRun run = Run({"track", "--tracking=" + address_,
                          "--type=view_product", "--user_id=7"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, AllOf(HasSubstr("tracking service at " + address_),
                             HasSubstr("product_id: required for view_product"),
                             HasSubstr("(INVALID_ARGUMENT)")));
  EXPECT_THAT(Interactions(), IsEmpty());
}

TEST_F(SmartshopCliTest, RulesUpsertListAndDelete) {
  const std::string tracking = absl::StrCat("--tracking=", address_);
  WriteFile(Path("rules.json"), R"({"rules": [
      {"id": "summer-pin", "productId": 7, "action": "MERCHANDISING_PIN",
       "pinPosition": 1, "endsAt": "2030-09-01T00:00:00Z"},
      {"id": "garden-up", "categoryId": 2, "action": "MERCHANDISING_BOOST",
       "multiplier": 1.5, "placements": ["PLACEMENT_HOME"]}]})");
  const CliRun upsert =
      Run({"rules", "upsert", absl::StrCat("--file=", Path("rules.json")),
           tracking});
  EXPECT_EQ(upsert.exit_code, 0) << upsert.err;
  EXPECT_EQ(upsert.out, "upserted 2 rule(s)\n");

  const CliRun list = Run({"rules", "list", tracking});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, AllOf(HasSubstr(R"("id": "garden-up")"),
                              HasSubstr(R"("pinPosition": 1)"),
                              HasSubstr(R"("endsAt": "2030-09-01T00:00:00Z")"),
                              HasSubstr(R"("PLACEMENT_HOME")")));
  // What list prints, upsert reads back.
  WriteFile(Path("listed.json"), list.out);
  EXPECT_EQ(Run({"rules", "upsert",
                 absl::StrCat("--file=", Path("listed.json")), tracking})
                .exit_code,
            0);

  const CliRun del =
      Run({"rules", "delete", "--ids=summer-pin,unknown", tracking});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(del.out, "deleted 1 rule(s)\n");
  EXPECT_THAT(Run({"rules", "list", tracking}).out,
              Not(HasSubstr("summer-pin")));
}

TEST_F(SmartshopCliTest, RulesUpsertOfABadRuleExits2NamingTheField) {
  WriteFile(Path("bad.json"), R"({"rules": [{"id": "p", "productId": 7,
      "action": "MERCHANDISING_PIN", "pinPosition": 9}]})");
  const CliRun run =
      Run({"rules", "upsert", absl::StrCat("--file=", Path("bad.json")),
           absl::StrCat("--tracking=", address_)});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("rules[0].pin_position: must be 1 to 8"));
  WriteFile(Path("typo.json"), R"({"rulez": []})");
  const CliRun typo =
      Run({"rules", "upsert", absl::StrCat("--file=", Path("typo.json")),
           absl::StrCat("--tracking=", address_)});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("not an UpsertMerchandisingRules request"));
}

TEST_F(SmartshopCliTest, AnUnreachableServiceExits1NamingIt) {
  const CliRun run = Run({"track", "--tracking=127.0.0.1:1", "--type=search",
                          "--user_id=7", "--search_query=mug"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, AllOf(HasSubstr("tracking service at 127.0.0.1:1"),
                             HasSubstr("(UNAVAILABLE)")));
}

}  // namespace
}  // namespace smartshop::testing
