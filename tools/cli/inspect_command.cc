// smartshop inspect: what the tracking service holds, as two tables: the
// latest interactions and the top-selling active products.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/text_table.h"

namespace smartshop::cli {
namespace {

using import::Ellipsize;
using import::TextTable;
using smartshop::v1::Interaction;
using smartshop::v1::Product;
using Align = TextTable::Align;

constexpr int kLatestInteractions = 10;
constexpr int kTopProducts = 8;
constexpr size_t kNameChars = 36;

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
    const Peer& peer, smartshop::v1::CatalogService::Stub& stub,
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
  grpc::Status status =
      stub.GetProducts(CallContext(timeout).get(), request, &response);
  if (!status.ok())
    return CallError(peer, "CatalogService.GetProducts", status);
  for (const Product& product : response.products()) {
    names[product.id()] = product.name();
  }
  return names;
}

absl::Status PrintLatestInteractions(
    const Peer& peer, smartshop::v1::TrackingService::Stub& tracking,
    smartshop::v1::CatalogService::Stub& catalog, absl::Duration timeout,
    std::ostream& out) {
  const std::string user_id = absl::GetFlag(FLAGS_user_id);
  smartshop::v1::ListInteractionsRequest request;
  request.set_limit(kLatestInteractions);
  request.set_user_id(user_id);
  smartshop::v1::ListInteractionsResponse response;
  grpc::Status status =
      tracking.ListInteractions(CallContext(timeout).get(), request, &response);
  if (!status.ok()) {
    return CallError(peer, "TrackingService.ListInteractions", status);
  }
  const std::vector<Interaction> interactions(response.interactions().begin(),
                                              response.interactions().end());
  absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> names =
      ProductNames(peer, catalog, interactions, timeout);
  if (!names.ok()) return names.status();

  out << absl::StreamFormat(
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
  out << (interactions.empty() ? "  (none)\n" : table.Render());
  return absl::OkStatus();
}

absl::Status PrintTopProducts(const Peer& peer,
                              smartshop::v1::CatalogService::Stub& catalog,
                              absl::Duration timeout, std::ostream& out) {
  smartshop::v1::ListProductsRequest request;
  request.set_active_only(true);
  request.set_order_by(smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC);
  request.set_page_size(kTopProducts);
  smartshop::v1::ListProductsResponse response;
  grpc::Status status =
      catalog.ListProducts(CallContext(timeout).get(), request, &response);
  if (!status.ok())
    return CallError(peer, "CatalogService.ListProducts", status);

  out << absl::StreamFormat(
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
  out << (response.products().empty() ? "  (none)\n" : table.Render());
  return absl::OkStatus();
}

}  // namespace

absl::Status RunInspect(const Invocation& /*invocation*/, std::ostream& out) {
  const Peer peer{"tracking service", absl::GetFlag(FLAGS_tracking)};
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  out << "Tracking service at " << peer.address << "\n\n";
  auto channel = Connect(peer);
  auto tracking = smartshop::v1::TrackingService::NewStub(channel);
  auto catalog = smartshop::v1::CatalogService::NewStub(channel);
  if (absl::Status s =
          PrintLatestInteractions(peer, *tracking, *catalog, timeout, out);
      !s.ok()) {
    return s;
  }
  return PrintTopProducts(peer, *catalog, timeout, out);
}

}  // namespace smartshop::cli
