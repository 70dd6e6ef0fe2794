// An events file read into what `smartshop import` streams to the tracking
// service, with the line of every event so that the service's rejections
// can be reported by line.
//
// JSON lines: one smartshop.v1.Interaction in proto JSON per line ("type"
// may be view_product or VIEW_PRODUCT). CSV: a header naming Interaction
// fields (type required; timestamp in RFC 3339), one event per record. The
// service judges each event itself, so only what cannot be parsed is
// skipped here.
#ifndef SMARTSHOP_TOOLS_CLI_EVENT_FILE_H_
#define SMARTSHOP_TOOLS_CLI_EVENT_FILE_H_

#include <cstdint>
#include <istream>
#include <vector>

#include "absl/status/statusor.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/cli/input_file.h"

namespace smartshop::cli {

struct EventFile {
  int64_t records = 0;  // events read, unparsable ones included
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_lines;  // the line of each event
  std::vector<LineIssue> skipped;    // lines not parsed, and why
};

// INVALID_ARGUMENT when the input as a whole is unusable (a CSV without a
// header or with unknown columns); DATA_LOSS when reading fails.
absl::StatusOr<EventFile> ReadEvents(std::istream& in, FileFormat format);

// Gives each event without an event_id a UUID v5 of its content and of how
// many identical events precede it, so that the same file yields the same
// ids on every run (a re-import stores nothing new) while identical events
// within a file stay distinct. Returns how many ids it set.
int64_t AssignStableEventIds(std::vector<smartshop::v1::Interaction>& events);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_EVENT_FILE_H_
