// A shop's own catalog and event files, read into what `smartshop import`
// sends to the tracking service, with the line of every record so that the
// service's rejections and the lines skipped are reported by line.
//
// Both come as CSV (a header naming fields of the message, one record per
// row) or JSON lines (one message in proto JSON per line):
// - catalog: smartshop.v1.Product (id, name and is_active required; a
//   missing isActive is false, as in proto JSON). Products are checked as
//   the service checks them, since the service refuses a whole upsert call
//   for one bad product.
// - events: smartshop.v1.Interaction (type required; "type" may be
//   view_product or VIEW_PRODUCT; timestamps in RFC 3339). The service
//   judges each event itself, so only what cannot be parsed is skipped.
#ifndef SMARTSHOP_TOOLS_IMPORT_SHOP_FILES_H_
#define SMARTSHOP_TOOLS_IMPORT_SHOP_FILES_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/import/input_file.h"

namespace smartshop::import {

struct CatalogFile {
  int64_t records = 0;  // products read, bad ones included
  // Valid products, each id once: a later line replaces an earlier one.
  std::vector<smartshop::v1::Product> products;
  std::vector<int64_t> product_lines;  // the line of each product
  // One per category_id named with a category_name, ascending by id; the
  // last name given wins.
  std::vector<smartshop::v1::Category> categories;
  std::vector<LineIssue> skipped;  // lines not imported, and why
  std::vector<LineIssue> notes;    // imported, with something to know
};

struct EventFile {
  int64_t records = 0;  // events read, unparsable ones included
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_lines;  // the line of each event
  std::vector<LineIssue> skipped;    // lines not parsed, and why
};

// INVALID_ARGUMENT when the input as a whole is unusable (a CSV without a
// header or with unknown columns); DATA_LOSS when reading fails. Bad lines
// are not errors: they are in `skipped`.
absl::StatusOr<CatalogFile> ReadCatalog(std::istream& in, FileFormat format);
absl::StatusOr<EventFile> ReadEvents(std::istream& in, FileFormat format);

// Why the service would refuse `product`, as "field: why", or OK.
absl::Status CheckProduct(const smartshop::v1::Product& product);

// Gives each event without an event_id a UUID v5 of its content and of how
// many identical events precede it, so that the same file yields the same
// ids on every run (a re-import stores nothing new) while identical events
// within a file stay distinct. Returns how many ids it set.
int64_t AssignStableEventIds(std::vector<smartshop::v1::Interaction>& events);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_SHOP_FILES_H_
