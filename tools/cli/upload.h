// What the import commands (import, import-retail, import-movielens) share
// once their input is read: the checks of --batch_size and --chunk_timeout,
// sending a catalog and events to --tracking with progress on stderr, and
// the summary lines of what the service did with the events.
#ifndef SMARTSHOP_TOOLS_CLI_UPLOAD_H_
#define SMARTSHOP_TOOLS_CLI_UPLOAD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/import/tracking_client.h"

namespace smartshop::cli {

// INVALID_ARGUMENT naming the flag: --batch_size outside 1 to 1000, or a
// --chunk_timeout that is not positive.
absl::Status CheckUploadFlags();

struct CatalogToSend {
  absl::Span<const smartshop::v1::Category> categories;
  absl::Span<const smartshop::v1::Product> products;
};

struct Uploaded {
  std::optional<import::CatalogUploaded> catalog;  // when one was sent
  std::optional<import::StreamTotals> events;      // when events were sent
};

// Sends `catalog` first, then `events` (either may be absent), through
// StreamTrack calls of up to 20000 events. A failure names the tracking
// service, its address and the call; what was sent before it is stored.
// DATA_LOSS when the service acknowledged fewer events than were sent.
absl::StatusOr<Uploaded> Upload(
    const std::optional<CatalogToSend>& catalog,
    std::optional<absl::Span<const smartshop::v1::Interaction>> events,
    std::ostream& out);

// "    <what>  <count><note>", the summary's line.
void PrintCount(std::ostream& out, absl::string_view what, int64_t count,
                absl::string_view note = "");

// The summary of the events sent: how many, stored, duplicates, rejected
// (each rejection located by `where(index)`, e.g. "line 7"), retries.
void PrintEventTotals(std::ostream& out, const import::StreamTotals& totals,
                      int64_t sent, absl::string_view sent_note,
                      const std::function<std::string(size_t)>& where);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_UPLOAD_H_
