// smartshop import: a catalog file and/or an events file into the tracking
// service, catalog first. Everything is read and checked before anything
// is sent, so that a file that cannot be read at all sends nothing.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/cli/catalog_file.h"
#include "tools/cli/catalog_upload.h"
#include "tools/cli/commands.h"
#include "tools/cli/event_file.h"
#include "tools/cli/flags.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/progress.h"
#include "tools/import/tracking_client.h"

namespace smartshop::cli {
namespace {

constexpr int kMaxBatch = 1000;        // the service's default batch limit
constexpr int kEventsPerCall = 20000;  // so that each deadline stays short
constexpr size_t kIssuesShown = 10;    // per list, in the summary

struct Results {
  std::optional<CatalogUploaded> catalog;
  std::optional<import::StreamTotals> events;
};

absl::Status CheckFlags(const std::string& catalog, const std::string& events) {
  if (catalog.empty() && events.empty()) {
    return absl::InvalidArgumentError(
        "give --catalog=FILE, --events=FILE or both (the UCI Online Retail "
        "CSV has its own importer, smartshop_import)");
  }
  if (catalog == "-" && events == "-") {
    return absl::InvalidArgumentError(
        "--catalog and --events cannot both read stdin");
  }
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

// Opens `path` ("-" = stdin) and reads it with `read(stream, format)`.
// Errors name the flag and the file.
template <typename File, typename Reader>
absl::StatusOr<File> ReadInput(absl::string_view flag, const std::string& path,
                               Reader read) {
  absl::StatusOr<FileFormat> format =
      ChooseFormat(path, absl::GetFlag(FLAGS_format));
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", path, ": ", format.status().message()));
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot open --", flag, "=", path, ": ", std::strerror(errno)));
    }
    in = &file;
  }
  absl::StatusOr<File> read_file = read(*in, *format);
  if (!read_file.ok()) {
    return absl::Status(read_file.status().code(),
                        absl::StrCat("--", flag, "=", path, ": ",
                                     read_file.status().message()));
  }
  return read_file;
}

void PrintCount(std::ostream& out, absl::string_view what, int64_t count,
                absl::string_view note = "") {
  out << absl::StreamFormat("    %-22s %8d%s\n", what, count, note);
}

void PrintIssues(std::ostream& out, absl::string_view what,
                 const std::vector<LineIssue>& issues) {
  if (issues.empty()) return;
  PrintCount(out, what, static_cast<int64_t>(issues.size()));
  for (size_t i = 0; i < issues.size() && i < kIssuesShown; ++i) {
    out << "      line " << issues[i].line << ": " << issues[i].message << "\n";
  }
  if (issues.size() > kIssuesShown) {
    out << "      ... and " << issues.size() - kIssuesShown << " more\n";
  }
}

void PrintCatalog(std::ostream& out, const std::string& path,
                  const CatalogFile& file,
                  const std::optional<CatalogUploaded>& uploaded) {
  out << "  catalog " << path << "\n";
  PrintCount(out, "products read", file.records);
  PrintIssues(out, "lines skipped", file.skipped);
  PrintIssues(out, "notes", file.notes);
  if (!uploaded) {
    PrintCount(out, "categories to upsert",
               static_cast<int64_t>(file.categories.size()));
    PrintCount(out, "products to upsert",
               static_cast<int64_t>(file.products.size()));
    return;
  }
  PrintCount(out, "categories upserted", uploaded->categories);
  PrintCount(out, "products upserted", uploaded->products);
}

void PrintEvents(std::ostream& out, const std::string& path,
                 const EventFile& file, int64_t ids_derived,
                 const std::optional<import::StreamTotals>& totals) {
  out << "  events " << path << "\n";
  PrintCount(out, "events read", file.records);
  PrintIssues(out, "lines skipped", file.skipped);
  if (ids_derived > 0) {
    PrintCount(out, "event ids derived", ids_derived,
               "  (from content; see --stable_ids)");
  }
  if (!totals) {
    PrintCount(out, "events to send", static_cast<int64_t>(file.events.size()));
    return;
  }
  PrintCount(out, "events sent", static_cast<int64_t>(file.events.size()),
             absl::StrFormat("  in %d StreamTrack call(s)", totals->calls));
  PrintCount(out, "  stored", totals->stored);
  PrintCount(out, "  duplicates", totals->duplicates,
             totals->duplicates > 0 && totals->duplicates == totals->received
                 ? "  (all: imported before)"
                 : "");
  PrintCount(out, "  rejected", totals->rejected);
  for (const smartshop::v1::EventResult& rejection : totals->rejections) {
    const size_t index = static_cast<size_t>(rejection.index());
    out << "        line "
        << (index < file.event_lines.size() ? file.event_lines[index] : -1)
        << ": " << rejection.field() << ": " << rejection.error() << "\n";
  }
  if (totals->rejected > static_cast<int64_t>(totals->rejections.size())) {
    out << "        ... and "
        << totals->rejected - static_cast<int64_t>(totals->rejections.size())
        << " more\n";
  }
  if (totals->retried_calls > 0) {
    out << absl::StreamFormat(
        "    (%d call(s) retried after UNAVAILABLE; events the failed attempt "
        "stored count as duplicates)\n",
        totals->retried_calls);
  }
}

// The exit status once everything was sent: the input's faults, if any.
absl::Status Outcome(const std::optional<CatalogFile>& catalog,
                     const std::optional<EventFile>& events,
                     const Results& results) {
  const int64_t skipped =
      (catalog ? static_cast<int64_t>(catalog->skipped.size()) : 0) +
      (events ? static_cast<int64_t>(events->skipped.size()) : 0);
  const int64_t rejected = results.events ? results.events->rejected : 0;
  if (results.events &&
      results.events->received != static_cast<int64_t>(events->events.size())) {
    return absl::DataLossError(absl::StrCat(
        "the tracking service acknowledged ", results.events->received, " of ",
        events->events.size(), " events sent"));
  }
  if (skipped == 0 && rejected == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      skipped, " line(s) skipped, ", rejected,
      " event(s) rejected; see the summary (the rest is stored; fixing the "
      "file and importing it again is safe)"));
}

}  // namespace

absl::Status RunImport(const Invocation& /*invocation*/, std::ostream& out) {
  const std::string catalog_path = absl::GetFlag(FLAGS_catalog);
  const std::string events_path = absl::GetFlag(FLAGS_events);
  if (absl::Status flags = CheckFlags(catalog_path, events_path); !flags.ok()) {
    return flags;
  }
  std::optional<CatalogFile> catalog;
  if (!catalog_path.empty()) {
    absl::StatusOr<CatalogFile> read =
        ReadInput<CatalogFile>("catalog", catalog_path, ReadCatalog);
    if (!read.ok()) return read.status();
    catalog = *std::move(read);
  }
  std::optional<EventFile> events;
  int64_t ids_derived = 0;
  if (!events_path.empty()) {
    absl::StatusOr<EventFile> read =
        ReadInput<EventFile>("events", events_path, ReadEvents);
    if (!read.ok()) return read.status();
    events = *std::move(read);
    if (absl::GetFlag(FLAGS_stable_ids)) {
      ids_derived = AssignStableEventIds(events->events);
    }
  }

  Results results;
  if (!absl::GetFlag(FLAGS_dry_run)) {
    const Peer peer{"tracking service", absl::GetFlag(FLAGS_tracking)};
    const std::shared_ptr<grpc::Channel> channel = Connect(peer);
    const import::RpcOptions rpc{.timeout = absl::GetFlag(FLAGS_chunk_timeout)};
    const int batch = absl::GetFlag(FLAGS_batch_size);
    out << "Sending to the tracking service at " << peer.address << "\n"
        << std::flush;
    if (catalog) {
      auto stub = smartshop::v1::CatalogService::NewStub(channel);
      import::Progress progress("products upserted",
                                static_cast<int64_t>(catalog->products.size()));
      absl::StatusOr<CatalogUploaded> uploaded = UploadCatalog(
          *stub, catalog->categories, catalog->products, batch, rpc, &progress);
      if (!uploaded.ok()) return AtPeer(peer, uploaded.status());
      results.catalog = *uploaded;
    }
    if (events) {
      auto stub = smartshop::v1::TrackingService::NewStub(channel);
      import::Progress progress("events sent",
                                static_cast<int64_t>(events->events.size()));
      absl::StatusOr<import::StreamTotals> totals = import::StreamEvents(
          *stub, events->events, batch, kEventsPerCall, rpc, &progress);
      if (!totals.ok()) {
        return AtPeer(
            peer, absl::Status(
                      totals.status().code(),
                      absl::StrCat(
                          totals.status().message(),
                          results.catalog ? "; the catalog is stored" : "")));
      }
      results.events = *std::move(totals);
    }
  }

  out << "\nSummary"
      << (absl::GetFlag(FLAGS_dry_run) ? " (dry run: nothing was sent)" : "")
      << "\n";
  if (catalog) PrintCatalog(out, catalog_path, *catalog, results.catalog);
  if (events) {
    PrintEvents(out, events_path, *events, ids_derived, results.events);
  }
  return Outcome(catalog, events, results);
}

}  // namespace smartshop::cli
