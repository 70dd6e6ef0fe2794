#include "tools/cli/upload.h"

#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/cli/flags.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/progress.h"

namespace smartshop::cli {
namespace {

constexpr int kMaxBatch = 1000;        // the service's default batch limit
constexpr int kEventsPerCall = 20000;  // so that each deadline stays short

}  // namespace

absl::Status CheckUploadFlags() {
  const int batch = absl::GetFlag(FLAGS_batch_size);
  if (batch < 1 || batch > kMaxBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("--batch_size=", batch, ": must be 1 to ", kMaxBatch));
  }
  if (absl::GetFlag(FLAGS_chunk_timeout) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--chunk_timeout must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<Uploaded> Upload(
    const std::optional<CatalogToSend>& catalog,
    std::optional<absl::Span<const smartshop::v1::Interaction>> events,
    std::ostream& out) {
  const Peer peer{"tracking service", absl::GetFlag(FLAGS_tracking)};
  const std::shared_ptr<grpc::Channel> channel = Connect(peer);
  const import::RpcOptions rpc{.timeout = absl::GetFlag(FLAGS_chunk_timeout)};
  const int batch = absl::GetFlag(FLAGS_batch_size);
  out << "Sending to the tracking service at " << peer.address << "\n"
      << std::flush;
  Uploaded uploaded;
  if (catalog) {
    auto stub = smartshop::v1::CatalogService::NewStub(channel);
    import::Progress progress("products upserted",
                              static_cast<int64_t>(catalog->products.size()));
    absl::StatusOr<import::CatalogUploaded> pushed = import::PushCatalog(
        *stub, catalog->categories, catalog->products, batch, rpc, &progress);
    if (!pushed.ok()) return AtPeer(peer, pushed.status());
    uploaded.catalog = *pushed;
  }
  if (!events) return uploaded;
  auto stub = smartshop::v1::TrackingService::NewStub(channel);
  import::Progress progress("events sent",
                            static_cast<int64_t>(events->size()));
  absl::StatusOr<import::StreamTotals> totals = import::StreamEvents(
      *stub, *events, batch, kEventsPerCall, rpc, &progress);
  if (!totals.ok()) {
    return AtPeer(
        peer,
        absl::Status(
            totals.status().code(),
            absl::StrCat(totals.status().message(),
                         uploaded.catalog ? "; the catalog is stored" : "")));
  }
  if (totals->received != static_cast<int64_t>(events->size())) {
    return absl::DataLossError(
        absl::StrCat("the tracking service acknowledged ", totals->received,
                     " of ", events->size(), " events sent"));
  }
  uploaded.events = *std::move(totals);
  return uploaded;
}

void PrintCount(std::ostream& out, absl::string_view what, int64_t count,
                absl::string_view note) {
  out << absl::StreamFormat("    %-22s %8d%s\n", what, count, note);
}

void PrintEventTotals(std::ostream& out, const import::StreamTotals& totals,
                      int64_t sent, absl::string_view sent_note,
                      const std::function<std::string(size_t)>& where) {
  PrintCount(out, "events sent", sent,
             absl::StrFormat("  %sin %d StreamTrack call(s)", sent_note,
                             totals.calls));
  PrintCount(out, "  stored", totals.stored);
  PrintCount(out, "  duplicates", totals.duplicates,
             totals.duplicates > 0 && totals.duplicates == totals.received
                 ? "  (all: imported before)"
                 : "");
  PrintCount(out, "  rejected", totals.rejected);
  for (const smartshop::v1::EventResult& rejection : totals.rejections) {
    out << "        " << where(static_cast<size_t>(rejection.index())) << ": "
        << rejection.field() << ": " << rejection.error() << "\n";
  }
  if (totals.rejected > static_cast<int64_t>(totals.rejections.size())) {
    out << "        ... and "
        << totals.rejected - static_cast<int64_t>(totals.rejections.size())
        << " more\n";
  }
  if (totals.results_omitted > 0) {
    out << absl::StreamFormat(
        "    (the service left %d non-stored results out of its replies)\n",
        totals.results_omitted);
  }
  if (totals.retried_calls > 0) {
    out << absl::StreamFormat(
        "    (%d call(s) retried after UNAVAILABLE; events the failed attempt "
        "stored count as duplicates)\n",
        totals.retried_calls);
  }
}

}  // namespace smartshop::cli
