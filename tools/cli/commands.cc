#include "tools/cli/commands.h"

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "tools/cli/flags.h"

namespace smartshop::cli {
namespace {

constexpr absl::string_view kProgram = "smartshop";

constexpr absl::string_view kTrackUsage =
    R"(track --type=TYPE [--user_id=ID | --session_key=KEY] [field flags]
       smartshop track --json='{"userId":"42","type":"view_product","productId":7}'

Stores one interaction in the tracking service and prints its outcome and
id, e.g. "STORED event_id=6f0c...". An event whose --event_id is already
stored is not stored again: DUPLICATE. An invalid event is refused with the
field named (exit 2), e.g. "product_id: required for view_product".
Every event needs --user_id or --session_key; besides, view_category needs
--category_id; view_product, update_cart, remove_from_cart and
review_submitted need --product_id; add_to_cart --product_id and
--quantity >= 1; order_placed --order_id; search --search_query.
Without --event_id, running the same command again stores a second event.)";

constexpr absl::string_view kImportUsage =
    R"(import [--catalog=FILE] [--events=FILE] [--tracking=HOST:PORT]

Imports a catalog and/or events into the tracking service: the catalog
first (categories, then products), then the events through StreamTrack in
calls of up to 20000 events, each with a deadline and retried while the
service is UNAVAILABLE. Progress goes to stderr (a bar on a terminal), the
summary to stdout: products and categories upserted, events stored,
duplicate and rejected, and every line skipped, with line numbers.

Catalog CSV: a header, then one product per line:
  id,name,category_id,category_name,is_active,units_sold,stock,price_cents
  (id, name and is_active required; empty stock = not tracked; prices in
  cents). Categories are the category_id/category_name pairs.
Catalog JSON lines: one smartshop.v1.Product in proto JSON per line:
  {"id":7,"name":"Mug","categoryId":3,"categoryName":"Kitchen","isActive":true}
Events JSON lines: one smartshop.v1.Interaction in proto JSON per line:
  {"userId":"42","type":"view_product","productId":7,"timestamp":"2024-05-01T12:00:00Z"}
Events CSV: a header of Interaction field names (type required), e.g.
  user_id,session_key,type,timestamp,product_id,quantity,order_id
The format follows the extension (.csv; .jsonl, .ndjson, .json), else
--format; "-" reads stdin.

Lines that cannot be read or fail the catalog's checks are skipped and
listed; the rest is imported, and the exit code is then 2. Importing the
same files again is safe: products are replaced by id, and events keep
their event_id (see --stable_ids), so they come back as duplicates.
The public datasets have commands of their own: import-retail (the UCI
"Online Retail" CSV) and import-movielens.)";

constexpr absl::string_view kImportRetailUsage =
    R"usage(import-retail --csv=FILE [--limit=N] [--dry_run] [--tracking=HOST:PORT]

Imports the UCI "Online Retail" CSV. The header must name the columns
InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice and
CustomerID (any order; Country is not used).
  products    one per StockCode; id 1, 2, 3, ... in order of each StockCode's
              first appearance in the file (so a --limit prefix gives the same
              ids as the whole file); name = Description (the latest non-empty
              one, else the StockCode); price = the latest positive UnitPrice;
              units_sold = the quantities of the sales below; active; no stock.
  categories  the data has none: every product is put in category 1,
              "Online Retail (uncategorised)".
  events      each sale (an invoice line not starting with C, Quantity > 0)
              becomes an ORDER_PLACED at InvoiceDate (read as UTC) with
              order_id = InvoiceNo and the quantity, plus a VIEW_PRODUCT one
              minute earlier (synthesised: the data has no views). The shopper
              is user CustomerID, or session "guest-<InvoiceNo>" when blank.
              event_id = UUID v5 of "online-retail:<data row>:<view|order>",
              so importing the same file again stores nothing new.
  skipped     cancellations, non-positive quantities and malformed rows are
              counted by reason in the summary, with examples.
Progress goes to stderr, the summary to stdout; events the service rejects
are listed by data row (exit 2).)usage";

constexpr absl::string_view kImportMovieLensUsage =
    R"(import-movielens (--csv=DIR | --ratings=FILE --movies=FILE) [--limit=N] [--dry_run]

Imports MovieLens ratings: ratings.csv (userId,movieId,rating,timestamp) and
movies.csv (movieId,title,genres) as GroupLens publishes them, e.g.
../shared/data/movielens-latest-small.
  categories  one per first genre, ids 1, 2, 3, ... by name.
  products    one per movie: id = movieId, name = title, category = its first
              genre, units_sold = its ratings >= 4; active; no stock.
              Product ids are movieIds: use a database without another
              import, whose products with the same ids would be replaced.
  events      by time: each rating becomes a VIEW_PRODUCT at its timestamp,
              and a rating >= 4 also an ORDER_PLACED at the same time
              (quantity 1, order_id = userId * 10^10 + timestamp), for user
              "ml-<userId>". event_id = UUID v5 of
              "movielens:<userId>:<movieId>:<timestamp>:<view|order>", so
              importing the same files again stores nothing new.
  skipped     malformed rows and ratings of movies not in movies.csv are
              counted by reason in the summary, with examples.
Progress goes to stderr, the summary to stdout.)";

constexpr absl::string_view kInspectUsage =
    R"(inspect [--user_id=ID] [--tracking=HOST:PORT]

Shows what the tracking service has stored: the 10 latest interactions
(newest first, optionally of one --user_id) and the 8 active products with
the most units sold.)";

constexpr absl::string_view kRecommendUsage =
    R"(recommend [--user_id=ID | --session_key=KEY] [--placement=PAGE] [--product_id=ID] [--cart=ID,ID] [--category_id=ID] [--exclude=ID,ID] [--limit=N] [--json]

Asks the recommender for a user's recommendations (--session_key: an
anonymous visitor's session; neither: the answer shared by anonymous
visitors) and prints them as a table, or with --json as the reply's proto
JSON. --category_id keeps one category; --exclude leaves out products
(what is already on the page or in the cart).

--placement picks the page: home (the default), product (often bought or
viewed with --product_id, then similar ones), cart (what completes --cart),
recently-viewed (the shopper's own, newest first; --exclude_purchased
leaves out what they bought since) or trending (rising against its own
baseline; --trending_window=hour|day|week, --category_id for one
category).)";

constexpr absl::string_view kInvalidateUsage =
    R"(invalidate (--user_id=ID | --session_key=KEY | --anonymous | --all) [--recommender=HOST:PORT]

Drops cached recommendations, so that the next request computes them
afresh, and prints how many cache entries were deleted. Give exactly one of
--user_id, --session_key, --anonymous and --all.)";

constexpr absl::string_view kHealthUsage =
    R"(health [--service=tracking|recommender] [--tracking=HOST:PORT] [--recommender=HOST:PORT]

Asks each service's grpc.health.v1.Health/Check about the whole server and
about each SmartShop service on it (tracking: smartshop.v1.TrackingService
and smartshop.v1.CatalogService; recommender:
smartshop.v1.RecommenderService) and prints SERVING, NOT_SERVING or why it
got no answer. Exit code 0 only if every check says SERVING, else 1.)";

constexpr absl::string_view kRulesUpsertUsage =
    R"(rules upsert --file=rules.json [--tracking=HOST:PORT]

Inserts or replaces merchandising rules by id, all or nothing (at most 1000
per call, 10 000 stored in all). The file is an UpsertMerchandisingRules
request in proto JSON, e.g.
  {"rules": [{"id": "summer-pin", "productId": 7,
              "action": "MERCHANDISING_PIN", "pinPosition": 1,
              "endsAt": "2025-09-01T00:00:00Z"}]}
A bad rule is refused with its index and field named (exit 2), e.g.
"rules[0].pin_position: must be 1 to 8". The recommender applies the rules
from its next catalog refresh on.)";

constexpr absl::string_view kRulesListUsage =
    R"(rules list [--tracking=HOST:PORT]

Prints every merchandising rule as proto JSON ({"rules": [...]}, by id):
what `rules upsert --file` reads back.)";

constexpr absl::string_view kRulesDeleteUsage =
    R"(rules delete --ids=ID,ID... [--tracking=HOST:PORT]

Deletes merchandising rules by id and prints how many existed; unknown ids
are ignored.)";

constexpr absl::string_view kExperimentsListUsage =
    R"(experiments list [--recommender=HOST:PORT]

Prints the recommender's experiments (its --experiments_file) as proto JSON.)";

constexpr absl::string_view kExperimentsReportUsage =
    R"(experiments report --name=NAME [--until=TIME] [--window_hours=24] [--json]

Per variant: shoppers, impressions, clicks, CTR with its 95% interval,
carts and orders per click, revenue per 1000 impressions, shopper
conversion with its interval, the lift against the control (the first
variant) with its interval, the two-proportion z-test's p and the verdict
(given only once every variant has the experiment's shoppers_per_variant:
a fixed horizon, no peeking), model calls and cost, latency. See
docs/experiments.md.)";

constexpr absl::string_view kInsightsUsage =
    R"(insights [--since=TIME] [--until=TIME] [--group_by=strategy] [--experiment=NAME] [--json]

Served answers, impressions, clicks, carts, orders and revenue attributed to
them (docs/attribution.md), model calls and cost, cache hit rate and
latency, from the tracking service, grouped by strategy, placement,
position (click position analysis), variant (of --experiment) or day.
Default range: the last 24 hours.)";

constexpr absl::string_view kSimulateUsage =
    R"(simulate --csv=OnlineRetail.csv --experiment=NAME [--limit=ROWS] [--json]

Replays the Online Retail sample as a shop against the running services:
uploads its catalog (not its events), then one visit per invoice in time
order: the shopper opens the home page and the product page of the
invoice's first item (recommendations for each, reported as impressions),
clicks every recommended product they are about to buy (view_product with
the recommendation id and position, then add_to_cart), and buys the invoice
as the data says. Then prints the experiment's report. Run it on an empty
shop (tools/sim/simulate.sh starts one) whose recommender runs the
experiment on PLACEMENT_HOME and PLACEMENT_PRODUCT.)";

constexpr absl::string_view kTopUsage =
    R"(smartshop: the command line of the SmartShop tracking and recommender services.

Usage: smartshop <command> [flags]
       smartshop <command> --help    the command's flags
       smartshop help [<command>]

Commands:
{commands}
Flags go after the command, as --name=value (or --name value; --bool,
--nobool). Addresses: --tracking (default 127.0.0.1:50051, or env
SMARTSHOP_TRACKING), --recommender (default 127.0.0.1:50052, or env
SMARTSHOP_RECOMMENDER); bearer token: env SMARTSHOP_TOKEN. Every call has a
deadline: --timeout (default 10s); the import commands' upsert and stream
calls --chunk_timeout, in batches of --batch_size.

Exit codes: 0 done; 1 a service failed or could not be reached, or is not
SERVING; 2 the command line or the input is at fault (unknown command or
flag, bad value, unreadable file, skipped lines, rejected events, or
INVALID_ARGUMENT from a service).
)";

std::vector<Command> MakeCommands() {
  const FlagSpec tracking{"tracking"};
  const FlagSpec recommender{"recommender"};
  const FlagSpec timeout{"timeout"};
  return {
      {"track",
       "store one interaction",
       kTrackUsage,
       {tracking,
        {"type"},
        {"user_id", "", "the logged-in user; at most 128 bytes"},
        {"session_key", "",
         "the shop's session key (anonymous visitors); at most 128 bytes"},
        {"product_id"},
        {"category_id"},
        {"order_id"},
        {"quantity"},
        {"search_query"},
        {"page_url"},
        {"referrer_url"},
        {"ip_address"},
        {"user_agent"},
        {"extra_data"},
        {"event_id"},
        {"timestamp"},
        {"json", "event_json"},
        timeout},
       RunTrack},
      {"import",
       "import a catalog and/or events from CSV or JSON lines",
       kImportUsage,
       {tracking,
        {"catalog"},
        {"events"},
        {"format"},
        {"dry_run"},
        {"stable_ids"},
        {"batch_size"},
        {"chunk_timeout"}},
       RunImport},
      {"import-retail",
       "import the UCI Online Retail CSV",
       kImportRetailUsage,
       {tracking,
        {"csv", "",
         "the Online Retail CSV, e.g. "
         "../shared/data/online-retail-first10k/OnlineRetail.csv"},
        {"limit", "row_limit", "read at most this many data rows; 0 = all"},
        {"dry_run"},
        {"batch_size"},
        {"chunk_timeout"}},
       RunImportRetail},
      {"import-movielens",
       "import MovieLens ratings and movies",
       kImportMovieLensUsage,
       {tracking,
        {"csv", "", "the directory holding ratings.csv and movies.csv"},
        {"ratings"},
        {"movies"},
        {"limit", "row_limit",
         "read at most this many data rows of ratings.csv; 0 = all"},
        {"dry_run"},
        {"batch_size"},
        {"chunk_timeout"}},
       RunImportMovieLens},
      {"inspect",
       "show the latest interactions and the top sellers",
       kInspectUsage,
       {tracking,
        {"user_id", "", "show only this user's interactions; empty = all"},
        timeout},
       RunInspect},
      {"recommend",
       "ask the recommender for a user's recommendations",
       kRecommendUsage,
       {recommender,
        {"user_id"},
        {"session_key"},
        {"placement"},
        {"product_id", "", "placement product: the page's product"},
        {"cart"},
        {"exclude_purchased"},
        {"trending_window"},
        {"category_id", "",
         "only products of this category (home and trending); 0 = any"},
        {"exclude"},
        {"limit"},
        {"json"},
        timeout},
       RunRecommend},
      {"invalidate",
       "drop cached recommendations",
       kInvalidateUsage,
       {recommender,
        {"user_id", "", "drop this user's cached answer"},
        {"session_key", "", "drop this anonymous session's cached answer"},
        {"anonymous"},
        {"all"},
        timeout},
       RunInvalidate},
      {"health",
       "check that the services are SERVING",
       kHealthUsage,
       {tracking, recommender, {"service"}, timeout},
       RunHealth},
      {"rules upsert",
       "insert or replace merchandising rules from a JSON file",
       kRulesUpsertUsage,
       {tracking, {"file"}, timeout},
       RunRulesUpsert},
      {"rules list",
       "print every merchandising rule as JSON",
       kRulesListUsage,
       {tracking, timeout},
       RunRulesList},
      {"rules delete",
       "delete merchandising rules by id",
       kRulesDeleteUsage,
       {tracking, {"ids"}, timeout},
       RunRulesDelete},
      {"experiments list",
       "print the recommender's A/B experiments",
       kExperimentsListUsage,
       {recommender, timeout},
       RunExperimentsList},
      {"experiments report",
       "an experiment's variants with intervals and a verdict",
       kExperimentsReportUsage,
       {recommender, {"name"}, {"until"}, {"window_hours"}, {"json"}, timeout},
       RunExperimentsReport},
      {"insights",
       "clicks, conversions and cost of what was served",
       kInsightsUsage,
       {tracking,
        {"since"},
        {"until"},
        {"group_by"},
        {"experiment"},
        {"window_hours"},
        {"json"},
        timeout},
       RunInsights},
      {"simulate",
       "replay Online Retail as a shop with an experiment running",
       kSimulateUsage,
       {tracking,
        recommender,
        {"csv", "", "the Online Retail CSV"},
        {"limit", "row_limit", "read at most this many data rows; 0 = all"},
        {"experiment", "", "the experiment to report (required)"},
        {"json"},
        timeout},
       RunSimulate},
  };
}

const Command* FindCommand(absl::string_view name) {
  for (const Command& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// The command `args` start with and how many words name it: one, or two
// for a group's verb ("rules upsert").
std::pair<const Command*, size_t> FindCommand(
    absl::Span<const std::string> args) {
  if (const Command* command = FindCommand(args[0])) return {command, 1};
  if (args.size() > 1) {
    if (const Command* command =
            FindCommand(absl::StrCat(args[0], " ", args[1]))) {
      return {command, 2};
    }
  }
  return {nullptr, 0};
}

std::string TopUsage() {
  std::string list;
  for (const Command& command : Commands()) {
    absl::StrAppendFormat(&list, "  %-17s %s\n", command.name, command.summary);
  }
  return absl::StrReplaceAll(kTopUsage, {{"{commands}", list}});
}

bool IsHelp(absl::string_view arg) {
  return arg == "help" || arg == "--help" || arg == "-help" || arg == "-h" ||
         arg == "--helpfull";
}

int UsageError(std::ostream& err, absl::string_view message) {
  err << kProgram << ": " << message << "\n\n" << TopUsage();
  return kExitUsage;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command>* const kCommands =
      new std::vector<Command>(MakeCommands());
  return *kCommands;
}

int RunSmartshop(absl::Span<const std::string> args, std::ostream& out,
                 std::ostream& err) {
  if (args.empty()) return UsageError(err, "no command given");
  if (IsHelp(args[0])) {
    if (args.size() == 1) {
      out << TopUsage();
      return kExitOk;
    }
    const auto [command, words] = FindCommand(args.subspan(1));
    if (command == nullptr) {
      return UsageError(err, absl::StrCat("no command \"", args[1], "\""));
    }
    if (args.size() > 1 + words) {
      return UsageError(err, "help takes one command name");
    }
    out << CommandHelp(kProgram, *command);
    return kExitOk;
  }
  if (absl::StartsWith(args[0], "-")) {
    return UsageError(err, absl::StrCat("flags go after the command (got ",
                                        args[0], " first)"));
  }
  const auto [command, words] = FindCommand(args);
  if (command == nullptr) {
    return UsageError(err, absl::StrCat("unknown command \"", args[0], "\""));
  }
  absl::StatusOr<Invocation> invocation =
      ParseCommandArgs(*command, args.subspan(words));
  if (!invocation.ok()) {
    err << kProgram << " " << command->name << ": "
        << invocation.status().message() << "\nRun \"" << kProgram << " "
        << command->name << " --help\" for its usage.\n";
    return kExitUsage;
  }
  if (invocation->help) {
    out << CommandHelp(kProgram, *command);
    return kExitOk;
  }
  absl::Status status =
      invocation->Given("timeout") &&
              absl::GetFlag(FLAGS_timeout) <= absl::ZeroDuration()
          ? absl::InvalidArgumentError("--timeout must be positive")
          : command->run(*invocation, out);
  out.flush();
  if (!status.ok()) {
    err << kProgram << " " << command->name << ": " << status.message() << "\n";
  }
  return ExitCode(status);
}

}  // namespace smartshop::cli
