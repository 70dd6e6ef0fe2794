// smartshop_inspect: shows what the tracking service holds, as two tables:
// the latest interactions and the top-selling active products.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/bearer_channel.h"
#include "common/proto_time.h"
#include "common/status_util.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/import/cli.h"
#include "tools/import/text_table.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "gRPC address of the tracking service");
ABSL_FLAG(std::string, user_id, "",
          "show only this user's interactions; empty = everyone's");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(10),
          "deadline of each gRPC call");

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::Product;
using Align = TextTable::Align;

constexpr absl::string_view kUsage =
    R"(Shows what a SmartShop tracking service has stored: the 10 latest
interactions (newest first, optionally of one --user_id) and the 8 active
products with the most units sold.

  smartshop_inspect [--target=host:port] [--user_id=ID]

Exit codes: 0 done; 1 the service failed; 2 bad flags.)";

constexpr int kLatestInteractions = 10;
constexpr int kTopProducts = 8;
constexpr size_t kNameChars = 36;

// Names the service too, since "connection refused" alone does not say
// which address was tried.
absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(
      static_cast<absl::StatusCode>(status.error_code()),
      absl::StrCat("tracking service at ", absl::GetFlag(FLAGS_target), ": ",
                   what, ": ", status.error_message()));
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", ToTime(ts), absl::UTCTimeZone());
}

std::string FormatPrice(int64_t cents) {
  return absl::StrFormat("%d.%02d", cents / 100, cents % 100);
}

std::string Nonzero(int64_t value) {
  return value == 0 ? "" : absl::StrCat(value);
}

// Names for the products the interactions mention, so that the table says
// what was bought; products the catalog lacks are simply left unnamed.
absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> ProductNames(
    smartshop::v1::CatalogService::Stub& stub,
    const std::vector<Interaction>& interactions, absl::Duration timeout) {
  smartshop::v1::GetProductsRequest request;
  for (const Interaction& interaction : interactions) {
    if (interaction.product_id() > 0) {
      request.add_ids(interaction.product_id());
    }
  }
  absl::flat_hash_map<int64_t, std::string> names;
  if (request.ids_size() == 0) return names;
  smartshop::v1::GetProductsResponse response;
  grpc::ClientContext context;
  context.set_deadline(ClientDeadline(timeout));
  grpc::Status status = stub.GetProducts(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, "CatalogService.GetProducts");
  for (const Product& product : response.products()) {
    names[product.id()] = product.name();
  }
  return names;
}

absl::Status PrintLatestInteractions(
    smartshop::v1::TrackingService::Stub& tracking,
    smartshop::v1::CatalogService::Stub& catalog, absl::Duration timeout) {
  const std::string user_id = absl::GetFlag(FLAGS_user_id);
  smartshop::v1::ListInteractionsRequest request;
  request.set_limit(kLatestInteractions);
  request.set_user_id(user_id);
  smartshop::v1::ListInteractionsResponse response;
  grpc::ClientContext context;
  context.set_deadline(ClientDeadline(timeout));
  grpc::Status status = tracking.ListInteractions(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, "TrackingService.ListInteractions");
  const std::vector<Interaction> interactions(response.interactions().begin(),
                                              response.interactions().end());
  absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> names =
      ProductNames(catalog, interactions, timeout);
  if (!names.ok()) return names.status();

  std::cout << absl::StreamFormat(
      "Latest %d interactions%s (newest first, times in UTC):\n",
      kLatestInteractions,
      user_id.empty() ? "" : absl::StrCat(" of user ", user_id));
  TextTable table({{"seq", Align::kRight},
                   {"time"},
                   {"type"},
                   {"user / session"},
                   {"product", Align::kRight},
                   {"name"},
                   {"order", Align::kRight},
                   {"qty", Align::kRight}});
  for (const Interaction& interaction : interactions) {
    auto name = names->find(interaction.product_id());
    table.AddRow(
        {absl::StrCat(interaction.sequence()),
         FormatTimestamp(interaction.timestamp()),
         smartshop::v1::InteractionType_Name(interaction.type()),
         interaction.user_id().empty()
             ? absl::StrCat("session ", interaction.session_key())
             : absl::StrCat("user ", interaction.user_id()),
         Nonzero(interaction.product_id()),
         name == names->end() ? "" : Ellipsize(name->second, kNameChars),
         Nonzero(interaction.order_id()), Nonzero(interaction.quantity())});
  }
  std::cout << (interactions.empty() ? "  (none)\n" : table.Render());
  return absl::OkStatus();
}

absl::Status PrintTopProducts(smartshop::v1::CatalogService::Stub& catalog,
                              absl::Duration timeout) {
  smartshop::v1::ListProductsRequest request;
  request.set_active_only(true);
  request.set_order_by(smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC);
  request.set_page_size(kTopProducts);
  smartshop::v1::ListProductsResponse response;
  grpc::ClientContext context;
  context.set_deadline(ClientDeadline(timeout));
  grpc::Status status = catalog.ListProducts(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, "CatalogService.ListProducts");

  std::cout << absl::StreamFormat(
      "\nTop %d active products by units sold (whole catalog):\n",
      kTopProducts);
  TextTable table({{"#", Align::kRight},
                   {"id", Align::kRight},
                   {"name"},
                   {"category"},
                   {"units sold", Align::kRight},
                   {"price", Align::kRight},
                   {"stock", Align::kRight}});
  int rank = 0;
  for (const Product& product : response.products()) {
    table.AddRow(
        {absl::StrCat(++rank), absl::StrCat(product.id()),
         Ellipsize(product.name(), kNameChars),
         product.category_name().empty() ? absl::StrCat(product.category_id())
                                         : product.category_name(),
         absl::StrCat(product.units_sold()), FormatPrice(product.price_cents()),
         product.has_stock() ? absl::StrCat(product.stock()) : "-"});
  }
  std::cout << (response.products().empty() ? "  (none)\n" : table.Render());
  return absl::OkStatus();
}

int Run() {
  const absl::Duration timeout = absl::GetFlag(FLAGS_rpc_timeout);
  if (timeout <= absl::ZeroDuration()) {
    return Fail(kExitUsage,
                absl::InvalidArgumentError("--rpc_timeout must be positive"));
  }
  const std::string target = absl::GetFlag(FLAGS_target);
  std::cout << "Tracking service at " << target << "\n\n";
  auto channel = CreateToolChannel(target);
  auto tracking = smartshop::v1::TrackingService::NewStub(channel);
  auto catalog = smartshop::v1::CatalogService::NewStub(channel);
  if (absl::Status s = PrintLatestInteractions(*tracking, *catalog, timeout);
      !s.ok()) {
    return Fail(kExitFailed, s);
  }
  if (absl::Status s = PrintTopProducts(*catalog, timeout); !s.ok()) {
    return Fail(kExitFailed, s);
  }
  return kExitOk;
}

}  // namespace
}  // namespace smartshop::import

int main(int argc, char** argv) {
  using namespace smartshop::import;
  const std::vector<char*> positional = ParseFlags(argc, argv, kUsage);
  if (positional.size() > 1) {
    return Fail(kExitUsage,
                absl::InvalidArgumentError(absl::StrCat(
                    "unexpected argument \"", positional[1], "\"")));
  }
  return Run();
}
