// smartshop_import: loads the UCI "Online Retail" CSV into a running
// tracking service (catalog first, then events). See kUsage.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/import/catalog_builder.h"
#include "tools/import/cli.h"
#include "tools/import/progress.h"
#include "tools/import/retail_import.h"
#include "tools/import/tracking_client.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "gRPC address of the tracking service");
ABSL_FLAG(std::string, csv, "",
          "path of the Online Retail CSV (required), e.g. "
          "../shared/data/online-retail-first10k/OnlineRetail.csv");
ABSL_FLAG(int64_t, limit, 0, "read at most this many data rows; 0 = all");
ABSL_FLAG(bool, dry_run, false,
          "read and map the file and print the summary, but send nothing");
ABSL_FLAG(int, products_per_call, 1000,
          "products per UpsertProducts call (1 to 1000, the service's limit)");
ABSL_FLAG(int, events_per_message, 500, "events per StreamTrack message");
ABSL_FLAG(int, events_per_call, 20000,
          "events per StreamTrack call; larger imports use several calls");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(60),
          "deadline of each gRPC call");

namespace smartshop::import {
namespace {

constexpr absl::string_view kUsage =
    R"usage(Loads the UCI "Online Retail" CSV into a running SmartShop tracking service.

  smartshop_import --csv=OnlineRetail.csv [--target=host:port] [--limit=N]

The header must name the columns InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice and CustomerID (any order; Country is not used).

How the data is mapped:
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

Progress goes to stderr; the summary to stdout.
Exit codes: 0 done; 1 the service failed or rejected events; 2 bad flags or
input that is not this dataset.)usage";

constexpr int kMaxProductsPerCall = 1000;

absl::Status CheckFlags() {
  if (absl::GetFlag(FLAGS_csv).empty()) {
    return absl::InvalidArgumentError("--csv is required (see --help)");
  }
  if (absl::GetFlag(FLAGS_limit) < 0) {
    return absl::InvalidArgumentError("--limit must be >= 0 (0 = all rows)");
  }
  const int products = absl::GetFlag(FLAGS_products_per_call);
  if (products < 1 || products > kMaxProductsPerCall) {
    return absl::InvalidArgumentError(
        absl::StrCat("--products_per_call must be 1 to ", kMaxProductsPerCall));
  }
  if (absl::GetFlag(FLAGS_events_per_message) < 1 ||
      absl::GetFlag(FLAGS_events_per_call) < 1) {
    return absl::InvalidArgumentError(
        "--events_per_message and --events_per_call must be >= 1");
  }
  if (absl::GetFlag(FLAGS_rpc_timeout) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--rpc_timeout must be positive");
  }
  return absl::OkStatus();
}

// Names the service in a failure, since "connection refused" alone does not
// say which address was tried.
absl::Status AtTarget(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("tracking service at ",
                                                  absl::GetFlag(FLAGS_target),
                                                  ": ", status.message()));
}

void PrintPlan(const RetailImport& data) {
  std::cout << absl::StreamFormat(
      "Read %d data rows: %d sales, %d skipped (reasons below).\n"
      "Products: %d, one per StockCode, ids 1..%d in order of first "
      "appearance.\n"
      "Categories: the data has none, so every product is in category %d "
      "\"%s\".\n"
      "Events: per sale an ORDER_PLACED plus a synthesised VIEW_PRODUCT one "
      "minute before it: %d events.\n",
      data.rows_read, data.sales, data.skipped.total(), data.catalog.size(),
      data.catalog.size(), kCategoryId, kCategoryName, data.events.size());
  const std::vector<std::string> variants = data.catalog.CaseVariants();
  if (!variants.empty()) {
    std::cout << absl::StreamFormat(
        "Note: %d StockCodes differ from another only in letter case (e.g. "
        "%s); they stay separate products, as in the data.\n",
        variants.size(),
        absl::StrJoin(variants.begin(),
                      variants.begin() + std::min<size_t>(4, variants.size()),
                      ", "));
  }
}

void PrintSkipped(const SkipTally& skipped) {
  std::cout << absl::StreamFormat("  %-22s %8d\n", "rows skipped",
                                  skipped.total());
  for (const SkipTally::Group& group : skipped.groups()) {
    std::cout << absl::StreamFormat("    %6d  %s\n", group.count, group.reason);
    for (const std::string& example : group.examples) {
      std::cout << "            e.g. " << example << "\n";
    }
  }
}

void PrintSummary(const RetailImport& data, int64_t products_upserted,
                  const StreamTotals* totals) {
  std::cout << "\nSummary\n";
  std::cout << absl::StreamFormat("  %-22s %8d\n", "rows read", data.rows_read);
  PrintSkipped(data.skipped);
  std::cout << absl::StreamFormat("  %-22s %8d\n", "categories upserted",
                                  totals == nullptr ? 0 : 1);
  std::cout << absl::StreamFormat("  %-22s %8d\n", "products upserted",
                                  products_upserted);
  if (totals == nullptr) {
    std::cout << absl::StreamFormat(
        "  %-22s %8d  (dry run: nothing was sent)\n", "events mapped",
        data.events.size());
    return;
  }
  std::cout << absl::StreamFormat(
      "  %-22s %8d  (%d VIEW_PRODUCT + %d ORDER_PLACED in %d StreamTrack "
      "call(s))\n",
      "events sent", data.events.size(), data.sales, data.sales, totals->calls);
  std::cout << absl::StreamFormat("    %-20s %8d\n", "received",
                                  totals->received);
  std::cout << absl::StreamFormat("    %-20s %8d\n", "stored", totals->stored);
  std::cout << absl::StreamFormat(
      "    %-20s %8d%s\n", "duplicates", totals->duplicates,
      totals->duplicates == totals->received && totals->received > 0
          ? "  (all: this file was imported before)"
          : "");
  std::cout << absl::StreamFormat("    %-20s %8d\n", "rejected",
                                  totals->rejected);
  for (const smartshop::v1::EventResult& rejection : totals->rejections) {
    const size_t index = static_cast<size_t>(rejection.index());
    std::cout << absl::StreamFormat(
        "      e.g. row %d, %s: %s: %s\n",
        index < data.event_rows.size() ? data.event_rows[index] : -1,
        index < data.events.size()
            ? smartshop::v1::InteractionType_Name(data.events[index].type())
            : "?",
        rejection.field(), rejection.error());
  }
  if (totals->results_omitted > 0) {
    std::cout << absl::StreamFormat(
        "    (the service left %d non-stored results out of its replies)\n",
        totals->results_omitted);
  }
  if (totals->retried_calls > 0) {
    std::cout << absl::StreamFormat(
        "    (%d StreamTrack call(s) were retried after UNAVAILABLE; events "
        "the failed attempt stored count as duplicates)\n",
        totals->retried_calls);
  }
}

int Run() {
  if (absl::Status flags = CheckFlags(); !flags.ok()) {
    return Fail(kExitUsage, flags);
  }
  const std::string path = absl::GetFlag(FLAGS_csv);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(kExitUsage,
                absl::NotFoundError(absl::StrCat("cannot open --csv=", path,
                                                 ": ", std::strerror(errno))));
  }
  std::cout << "Reading " << path << "\n";
  absl::StatusOr<RetailImport> data =
      ReadRetailCsv(in, absl::GetFlag(FLAGS_limit));
  if (!data.ok()) {
    const bool bad_input =
        data.status().code() == absl::StatusCode::kInvalidArgument;
    return Fail(
        bad_input ? kExitUsage : kExitFailed,
        absl::Status(data.status().code(),
                     absl::StrCat(path, ": ", data.status().message())));
  }
  PrintPlan(*data);
  if (absl::GetFlag(FLAGS_dry_run)) {
    PrintSummary(*data, 0, nullptr);
    return kExitOk;
  }

  const std::string target = absl::GetFlag(FLAGS_target);
  std::cout << "Sending to the tracking service at " << target << "\n"
            << std::flush;
  const std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto catalog_stub = smartshop::v1::CatalogService::NewStub(channel);
  auto tracking_stub = smartshop::v1::TrackingService::NewStub(channel);
  const RpcOptions rpc{.timeout = absl::GetFlag(FLAGS_rpc_timeout)};

  const std::vector<smartshop::v1::Product> products = data->catalog.Products();
  Progress catalog_progress("products upserted",
                            static_cast<int64_t>(products.size()));
  absl::StatusOr<int64_t> upserted = PushCatalog(
      *catalog_stub, CatalogBuilder::Category(), products,
      absl::GetFlag(FLAGS_products_per_call), rpc, &catalog_progress);
  if (!upserted.ok()) return Fail(kExitFailed, AtTarget(upserted.status()));

  Progress event_progress("events sent",
                          static_cast<int64_t>(data->events.size()));
  absl::StatusOr<StreamTotals> totals = StreamEvents(
      *tracking_stub, data->events, absl::GetFlag(FLAGS_events_per_message),
      absl::GetFlag(FLAGS_events_per_call), rpc, &event_progress);
  if (!totals.ok()) return Fail(kExitFailed, AtTarget(totals.status()));

  PrintSummary(*data, *upserted, &*totals);
  if (totals->received != static_cast<int64_t>(data->events.size())) {
    return Fail(kExitFailed, absl::DataLossError(absl::StrCat(
                                 "the service acknowledged ", totals->received,
                                 " of ", data->events.size(), " events sent")));
  }
  if (totals->rejected > 0) {
    return Fail(kExitFailed, absl::FailedPreconditionError(absl::StrCat(
                                 "the service rejected ", totals->rejected,
                                 " event(s); see the summary")));
  }
  return kExitOk;
}

}  // namespace
}  // namespace smartshop::import

int main(int argc, char** argv) {
  using namespace smartshop::import;
  const std::vector<char*> positional = ParseFlags(argc, argv, kUsage);
  if (positional.size() > 1) {
    return Fail(kExitUsage, absl::InvalidArgumentError(absl::StrCat(
                                "unexpected argument \"", positional[1],
                                "\"; the file goes in --csv (see --help)")));
  }
  return Run();
}
