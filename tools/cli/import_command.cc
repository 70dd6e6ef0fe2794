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
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/upload.h"
#include "tools/import/shop_files.h"

namespace smartshop::cli {
namespace {

using import::CatalogFile;
using import::CatalogUploaded;
using import::EventFile;
using import::FileFormat;
using import::LineIssue;

constexpr size_t kIssuesShown = 10;  // per list, in the summary

absl::Status CheckFlags(const std::string& catalog, const std::string& events) {
  if (catalog.empty() && events.empty()) {
    return absl::InvalidArgumentError(
        "give --catalog=FILE, --events=FILE or both (the public datasets "
        "have import-retail and import-movielens)");
  }
  if (catalog == "-" && events == "-") {
    return absl::InvalidArgumentError(
        "--catalog and --events cannot both read stdin");
  }
  return CheckUploadFlags();
}

// Opens `path` ("-" = stdin) and reads it with `read(stream, format)`.
// Errors name the flag and the file.
template <typename File, typename Reader>
absl::StatusOr<File> ReadInput(absl::string_view flag, const std::string& path,
                               Reader read) {
  absl::StatusOr<FileFormat> format =
      import::ChooseFormat(path, absl::GetFlag(FLAGS_format));
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
  PrintEventTotals(out, *totals, static_cast<int64_t>(file.events.size()), "",
                   [&](size_t index) {
                     return absl::StrCat("line ",
                                         index < file.event_lines.size()
                                             ? file.event_lines[index]
                                             : -1);
                   });
}

// The exit status once everything was sent: the input's faults, if any.
absl::Status Outcome(const std::optional<CatalogFile>& catalog,
                     const std::optional<EventFile>& events,
                     const Uploaded& results) {
  const int64_t skipped =
      (catalog ? static_cast<int64_t>(catalog->skipped.size()) : 0) +
      (events ? static_cast<int64_t>(events->skipped.size()) : 0);
  const int64_t rejected = results.events ? results.events->rejected : 0;
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
        ReadInput<CatalogFile>("catalog", catalog_path, import::ReadCatalog);
    if (!read.ok()) return read.status();
    catalog = *std::move(read);
  }
  std::optional<EventFile> events;
  int64_t ids_derived = 0;
  if (!events_path.empty()) {
    absl::StatusOr<EventFile> read =
        ReadInput<EventFile>("events", events_path, import::ReadEvents);
    if (!read.ok()) return read.status();
    events = *std::move(read);
    if (absl::GetFlag(FLAGS_stable_ids)) {
      ids_derived = import::AssignStableEventIds(events->events);
    }
  }

  Uploaded results;
  if (!absl::GetFlag(FLAGS_dry_run)) {
    std::optional<CatalogToSend> catalog_to_send;
    if (catalog) catalog_to_send = {catalog->categories, catalog->products};
    std::optional<absl::Span<const smartshop::v1::Interaction>> events_to_send;
    if (events) events_to_send = events->events;
    absl::StatusOr<Uploaded> uploaded =
        Upload(catalog_to_send, events_to_send, out);
    if (!uploaded.ok()) return uploaded.status();
    results = *std::move(uploaded);
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
