#include "tools/cli/commands.h"

#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/recommender.grpc.pb.h"

namespace smartshop::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

class CommandsTest : public ::testing::Test {
 protected:
  // Each run starts from the default flags, as a new process would.
  Result Run(std::vector<std::string> args) {
    absl::FlagSaver saver;
    std::ostringstream out;
    std::ostringstream err;
    const int code = RunSmartshop(args, out, err);
    return {code, out.str(), err.str()};
  }

 private:
  absl::FlagSaver saver_;
};

TEST_F(CommandsTest, WithoutACommandPrintsUsageOnStderrAndExits2) {
  const Result result = Run({});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, AllOf(HasSubstr("no command given"),
                                HasSubstr("Usage: smartshop <command>")));
}

TEST_F(CommandsTest, HelpListsEveryCommandOnStdoutAndExits0) {
  for (const char* help : {"help", "--help", "-h"}) {
    const Result result = Run({help});
    EXPECT_EQ(result.exit_code, 0) << help;
    for (const char* command :
         {"track", "import", "import-retail", "import-movielens", "inspect",
          "recommend", "invalidate", "health", "rules upsert", "rules list",
          "rules delete", "experiments list", "experiments report", "insights",
          "simulate"}) {
      EXPECT_THAT(result.out, HasSubstr(absl::StrCat("  ", command, " ")))
          << help;
    }
    EXPECT_THAT(result.out, HasSubstr("Exit codes"));
    EXPECT_THAT(result.err, IsEmpty());
  }
}

TEST_F(CommandsTest, EveryCommandHasHelpListingOnlyItsFlags) {
  for (const Command& command : Commands()) {
    const std::string name(command.name);
    const Result result = Run({name, "--help"});
    EXPECT_EQ(result.exit_code, 0) << name;
    EXPECT_THAT(result.out, HasSubstr("Usage: smartshop " + name)) << name;
    EXPECT_EQ(Run({"help", name}).out, result.out) << name;
  }
  const std::string track = Run({"track", "--help"}).out;
  EXPECT_THAT(track, HasSubstr("--product_id"));
  EXPECT_THAT(track, Not(HasSubstr("--catalog")));
  const std::string import = Run({"import", "--help"}).out;
  EXPECT_THAT(import, HasSubstr("--catalog"));
  EXPECT_THAT(import, Not(HasSubstr("--product_id")));
}

TEST_F(CommandsTest, AnUnknownCommandExits2WithUsage) {
  const Result result = Run({"frobnicate", "--all"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("unknown command \"frobnicate\""),
                                HasSubstr("Commands:")));
  EXPECT_EQ(Run({"help", "frobnicate"}).exit_code, 2);
}

TEST_F(CommandsTest, AFlagBeforeTheCommandExits2) {
  const Result result = Run({"--tracking=x:1", "track"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("flags go after the command"));
}

TEST_F(CommandsTest, AnUnknownFlagExits2PointingAtTheCommandsHelp) {
  const Result result = Run({"track", "--catalog=x.csv"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              AllOf(HasSubstr("smartshop track: unknown flag --catalog"),
                    HasSubstr("smartshop track --help")));
}

TEST_F(CommandsTest, InvalidateNeedsExactlyOneTarget) {
  EXPECT_THAT(Run({"invalidate"}).err, HasSubstr("exactly one of"));
  EXPECT_EQ(Run({"invalidate"}).exit_code, 2);
  const Result two = Run({"invalidate", "--user_id=7", "--all"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_THAT(two.err, HasSubstr("several given"));
  EXPECT_EQ(Run({"invalidate", "--anonymous", "--all"}).exit_code, 2);
  const Result empty = Run({"invalidate", "--user_id="});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("--user_id must not be empty"));
}

TEST_F(CommandsTest, BadValuesExit2BeforeAnyCall) {
  // Nothing listens on these addresses; each must fail before calling.
  const std::vector<std::vector<std::string>> cases = {
      {"health", "--service=billing"},
      {"recommend", "--limit=9", "--recommender=127.0.0.1:1"},
      {"recommend", "--timeout=0s", "--recommender=127.0.0.1:1"},
      {"recommend", "--placement=sideways", "--recommender=127.0.0.1:1"},
      {"recommend", "--placement=trending", "--trending_window=month",
       "--recommender=127.0.0.1:1"},
      {"recommend", "--placement=cart", "--cart=3,x",
       "--recommender=127.0.0.1:1"},
      {"track", "--user_id=1", "--tracking=127.0.0.1:1"},
      {"track", "--type=look", "--tracking=127.0.0.1:1"},
      {"import", "--tracking=127.0.0.1:1"},
      {"import", "--events=/nonexistent/e.jsonl", "--tracking=127.0.0.1:1"},
      {"import", "--events=e.txt", "--tracking=127.0.0.1:1"},
      {"import", "--events=e.jsonl", "--batch_size=0"},
      {"import-retail", "--tracking=127.0.0.1:1"},
      {"import-retail", "--csv=/nonexistent/r.csv", "--tracking=127.0.0.1:1"},
      {"import-retail", "--csv=r.csv", "--limit=-1"},
      {"import-movielens", "--tracking=127.0.0.1:1"},
      {"import-movielens", "--ratings=r.csv", "--tracking=127.0.0.1:1"},
      {"import-movielens", "--csv=/nonexistent", "--tracking=127.0.0.1:1"},
      {"rules", "upsert", "--tracking=127.0.0.1:1"},
      {"rules", "upsert", "--file=/nonexistent/r.json",
       "--tracking=127.0.0.1:1"},
      {"rules", "delete", "--tracking=127.0.0.1:1"},
      {"rules", "list", "--ids=a"},
      {"experiments", "report", "--recommender=127.0.0.1:1"},
      {"experiments", "report", "--name=x", "--until=yesterday",
       "--recommender=127.0.0.1:1"},
      {"insights", "--group_by=color", "--tracking=127.0.0.1:1"},
      {"simulate", "--csv=/nonexistent.csv", "--tracking=127.0.0.1:1"},
      {"simulate", "--experiment=x", "--csv=/nonexistent.csv",
       "--tracking=127.0.0.1:1"},
      {"insights", "--since=2026-13-01", "--tracking=127.0.0.1:1"},
  };
  for (const auto& args : cases) {
    const Result result = Run(args);
    EXPECT_EQ(result.exit_code, 2) << args[1] << ": " << result.err;
    EXPECT_THAT(result.err, Not(HasSubstr("127.0.0.1:1"))) << args[1];
  }
  EXPECT_THAT(Run({"track", "--type=look"}).err, HasSubstr("view_product"));
  EXPECT_THAT(Run({"rules", "upsert"}).err, HasSubstr("--file is required"));
  EXPECT_THAT(Run({"experiments", "report"}).err,
              HasSubstr("--name is required"));
  EXPECT_THAT(Run({"insights", "--group_by=color"}).err,
              HasSubstr("--group_by=color: one of strategy"));
  EXPECT_THAT(Run({"insights", "--until=noon"}).err,
              HasSubstr("--until=noon: not an RFC 3339 time"));
  EXPECT_THAT(Run({"rules", "delete"}).err, HasSubstr("--ids is required"));
  EXPECT_THAT(Run({"rules", "list", "--ids=a"}).err,
              HasSubstr("smartshop rules list: unknown flag --ids"));
  EXPECT_THAT(Run({"import", "--events=/nonexistent/e.jsonl"}).err,
              HasSubstr("cannot open --events=/nonexistent/e.jsonl"));
}

TEST_F(CommandsTest, DatasetDryRunsMapTheRowsAndSendNothing) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/retail.csv")
      << "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
         "CustomerID,Country\n"
         "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,"
         "United Kingdom\n"
         "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527,UK\n"
         "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,UK\n";
  std::ofstream(dir + "/movies.csv") << "movieId,title,genres\n"
                                        "1,Toy Story (1995),Animation|Comedy\n"
                                        "2,Jumanji (1995),Adventure\n";
  std::ofstream(dir + "/ratings.csv") << "userId,movieId,rating,timestamp\n"
                                         "1,1,4.0,964982703\n"
                                         "1,2,3.0,964981247\n"
                                         "2,9,5.0,964982224\n";
  // Nothing listens on the address: a dry run must not call.
  const struct {
    std::vector<std::string> args;
    std::vector<std::string> expected;  // regular expressions
  } cases[] = {
      {{"import-retail", "--csv=" + dir + "/retail.csv"},
       {"Read 3 data rows: 2 sales, 1 skipped", "rows skipped +1\n",
        "products to upsert +3\n", "events to send +4\n"}},
      {{"import-retail", "--csv=" + dir + "/retail.csv", "--limit=1"},
       {"Read 1 data rows: 1 sales, 0 skipped", "events to send +2\n"}},
      {{"import-movielens", "--csv=" + dir},
       {"Read 2 movie rows \\(0 skipped\\) and 3 rating rows \\(1 skipped\\)",
        "categories to upsert +2\n", "events to send +3\n"}},
      {{"import-movielens", "--ratings=" + dir + "/ratings.csv",
        "--movies=" + dir + "/movies.csv", "--limit=2"},
       {"and 2 rating rows \\(0 skipped\\)", "events to send +3\n"}},
  };
  for (auto c : cases) {
    c.args.insert(c.args.end(), {"--dry_run", "--tracking=127.0.0.1:1"});
    const Result result = Run(c.args);
    EXPECT_EQ(result.exit_code, 0) << c.args[1] << ": " << result.err;
    EXPECT_THAT(result.out, HasSubstr("Summary (dry run: nothing was sent)"));
    for (const std::string& expected : c.expected) {
      EXPECT_THAT(result.out, ::testing::ContainsRegex(expected)) << c.args[1];
    }
  }
}

TEST_F(CommandsTest, AnUnreachableServiceExits1NamingAddressAndCode) {
  const struct {
    std::vector<std::string> args;
    std::string service;
    std::string call;
  } cases[] = {
      {{"recommend", "--recommender=127.0.0.1:1", "--timeout=5s"},
       "recommender service",
       "GetRecommendations"},
      {{"inspect", "--tracking=127.0.0.1:1", "--timeout=5s"},
       "tracking service",
       "TrackingService.ListInteractions"},
  };
  for (const auto& c : cases) {
    const Result result = Run(c.args);
    EXPECT_EQ(result.exit_code, 1) << c.args[0];
    EXPECT_THAT(result.err,
                AllOf(HasSubstr(c.service + " at 127.0.0.1:1"),
                      HasSubstr(c.call), HasSubstr("(UNAVAILABLE)")));
  }
}

TEST_F(CommandsTest, HealthSaysWhichServiceIsUnreachable) {
  const Result result = Run({"health", "--service=recommender",
                             "--recommender=127.0.0.1:1", "--timeout=5s"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, AllOf(HasSubstr("recommender (whole server)"),
                                HasSubstr("smartshop.v1.RecommenderService"),
                                HasSubstr("unreachable")));
  EXPECT_THAT(result.out, Not(HasSubstr("TrackingService")));
  EXPECT_THAT(result.err, HasSubstr("2 of 2 checks not SERVING"));
}

TEST_F(CommandsTest, HealthExits0OnlyWhenEveryCheckSaysServing) {
  // A server with nothing but the standard health service, whose answers
  // the test sets.
  absl::StatusOr<StartedServer> server = StartGrpcServer({}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::HealthCheckServiceInterface& health =
      *server->server->GetHealthCheckService();
  health.SetServingStatus("smartshop.v1.TrackingService", true);
  health.SetServingStatus("smartshop.v1.CatalogService", false);
  const std::vector<std::string> args = {
      "health", "--service=tracking",
      absl::StrCat("--tracking=127.0.0.1:", server->port)};

  Result result = Run(args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(
      result.out,
      AllOf(::testing::ContainsRegex(
                "tracking \\(whole server\\) +127.0.0.1:[0-9]+ +SERVING"),
            ::testing::ContainsRegex(
                "smartshop.v1.TrackingService +127.0.0.1:[0-9]+ +SERVING"),
            ::testing::ContainsRegex(
                "smartshop.v1.CatalogService +127.0.0.1:[0-9]+ +NOT_SERVING")));
  EXPECT_THAT(result.err, HasSubstr("1 of 3 checks not SERVING"));

  health.SetServingStatus("smartshop.v1.CatalogService", true);
  result = Run(args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.err, IsEmpty());
  server->server->Shutdown();
}

// Answers GetRecommendations with one product and keeps the requests.
class RecordingRecommender final
    : public smartshop::v1::RecommenderService::Service {
 public:
  grpc::Status GetRecommendations(
      grpc::ServerContext* /*context*/,
      const smartshop::v1::GetRecommendationsRequest* request,
      smartshop::v1::Recommendations* reply) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(*request);
    reply->set_placement(request->placement());
    reply->set_strategy(smartshop::v1::STRATEGY_BUILTIN);
    auto* item = reply->add_items();
    item->mutable_product()->set_id(77);
    item->mutable_product()->set_name("Copper kettle");
    item->set_relevance_score(91);
    item->set_reason("Often bought with Teapot");
    return grpc::Status::OK;
  }
  smartshop::v1::GetRecommendationsRequest Last() {
    absl::MutexLock lock(&mu_);
    return requests_.empty() ? smartshop::v1::GetRecommendationsRequest()
                             : requests_.back();
  }

 private:
  absl::Mutex mu_;
  std::vector<smartshop::v1::GetRecommendationsRequest> requests_;
};

TEST_F(CommandsTest, RecommendSendsEachPlacementsFieldsAndPrintsTheAnswer) {
  RecordingRecommender service;
  absl::StatusOr<StartedServer> server = StartGrpcServer({}, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address =
      absl::StrCat("--recommender=127.0.0.1:", server->port);

  Result result = Run({"recommend", "--placement=product", "--product_id=5",
                       "--exclude=3,4", address});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("Copper kettle"),
                                HasSubstr("Often bought with Teapot")));
  smartshop::v1::GetRecommendationsRequest sent = service.Last();
  EXPECT_EQ(sent.placement(), smartshop::v1::PLACEMENT_PRODUCT);
  EXPECT_EQ(sent.product_id(), 5);
  EXPECT_THAT(sent.exclude_product_ids(), ::testing::ElementsAre(3, 4));
  EXPECT_THAT(sent.cart_product_ids(), IsEmpty());

  result = Run({"recommend", "--placement=cart", "--cart=7,12", "--user_id=42",
                "--json", address});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"Copper kettle\""));
  sent = service.Last();
  EXPECT_EQ(sent.placement(), smartshop::v1::PLACEMENT_CART);
  EXPECT_THAT(sent.cart_product_ids(), ::testing::ElementsAre(7, 12));
  EXPECT_EQ(sent.user_id(), "42");

  result = Run({"recommend", "--placement=recently-viewed",
                "--session_key=guest-1", "--exclude_purchased", address});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  sent = service.Last();
  EXPECT_EQ(sent.placement(), smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  EXPECT_EQ(sent.session_key(), "guest-1");
  EXPECT_TRUE(sent.exclude_purchased());

  result = Run({"recommend", "--placement=trending", "--trending_window=week",
                "--category_id=2", "--limit=4", address});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  sent = service.Last();
  EXPECT_EQ(sent.placement(), smartshop::v1::PLACEMENT_TRENDING);
  EXPECT_EQ(sent.trending_window(), smartshop::v1::TRENDING_WINDOW_WEEK);
  EXPECT_EQ(sent.category_id(), 2);
  EXPECT_EQ(sent.limit(), 4);
  server->server->Shutdown();
}

class EventFromFlagsTest : public CommandsTest {
 protected:
  absl::StatusOr<smartshop::v1::Interaction> Event(
      std::vector<std::string> args) {
    const Command* track = nullptr;
    for (const Command& command : Commands()) {
      if (command.name == "track") track = &command;
    }
    absl::StatusOr<Invocation> invocation = ParseCommandArgs(*track, args);
    if (!invocation.ok()) return invocation.status();
    return EventFromFlags(*invocation);
  }
};

TEST_F(EventFromFlagsTest, BuildsTheEventFromFieldFlags) {
  absl::StatusOr<smartshop::v1::Interaction> event = Event(
      {"--type=add_to_cart", "--user_id=42", "--product_id=7", "--quantity=2",
       "--timestamp=2024-05-01T12:00:00Z", "--extra_data={\"ab\":\"b\"}"});
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), smartshop::v1::ADD_TO_CART);
  EXPECT_EQ(event->user_id(), "42");
  EXPECT_EQ(event->product_id(), 7);
  EXPECT_EQ(event->quantity(), 2);
  EXPECT_EQ(event->timestamp().seconds(), 1714564800);
  EXPECT_EQ(event->extra_data(), "{\"ab\":\"b\"}");
}

TEST_F(EventFromFlagsTest, TakesTheWholeEventFromJson) {
  absl::StatusOr<smartshop::v1::Interaction> event = Event(
      {"--json={\"userId\":\"42\",\"type\":\"view_product\",\"productId\":7}"});
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), smartshop::v1::VIEW_PRODUCT);
  EXPECT_EQ(event->product_id(), 7);
}

TEST_F(EventFromFlagsTest, RefusesJsonTogetherWithFieldFlags) {
  absl::StatusOr<smartshop::v1::Interaction> event =
      Event({"--json={\"type\":\"SEARCH\"}", "--user_id=42"});
  EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(event.status().message(), HasSubstr("leave out --user_id"));
}

TEST_F(EventFromFlagsTest, RefusesBadJsonAndBadTimestamps) {
  EXPECT_THAT(Event({"--json={\"userId\":"}).status().message(),
              HasSubstr("--json: not proto JSON of Interaction"));
  EXPECT_THAT(Event({"--json={\"user\":\"1\"}"}).status().message(),
              HasSubstr("--json"));
  EXPECT_THAT(
      Event({"--type=search", "--timestamp=yesterday"}).status().message(),
      HasSubstr("--timestamp: \"yesterday\" is not an RFC 3339 time"));
}

}  // namespace
}  // namespace smartshop::cli
