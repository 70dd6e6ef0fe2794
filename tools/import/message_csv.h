// CSV rows into protobuf messages by reflection: the header names fields of
// the message, and each cell is parsed by its field's type. The catalog and
// the event files share it, and `track --type` uses SetFieldFromText.
#ifndef SMARTSHOP_TOOLS_IMPORT_MESSAGE_CSV_H_
#define SMARTSHOP_TOOLS_IMPORT_MESSAGE_CSV_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace smartshop::import {

// Sets `field` of `message` from `text`: integers in decimal, bools as
// true/false/yes/no/1/0, enums by value name in any letter case
// (view_product = VIEW_PRODUCT), google.protobuf.Timestamp in RFC 3339,
// strings as they are. INVALID_ARGUMENT saying what was expected.
// REQUIRES: `field` is a singular field of `message`'s type.
absl::Status SetFieldFromText(const google::protobuf::FieldDescriptor& field,
                              absl::string_view text,
                              google::protobuf::Message& message);

class MessageCsvColumns {
 public:
  // Header cells are field names as in the .proto (product_id) or in JSON
  // (productId), surrounding spaces ignored. INVALID_ARGUMENT naming every
  // cell that is no field of `type` (or a repeated or nested one), that
  // repeats a column, and every `required` field missing.
  static absl::StatusOr<MessageCsvColumns> FromHeader(
      const google::protobuf::Descriptor& type,
      const std::vector<std::string>& header,
      absl::Span<const absl::string_view> required);

  // Clears `message` and sets the fields of the non-empty cells of `row`;
  // an empty cell leaves its field unset. INVALID_ARGUMENT naming the
  // column, for the first bad cell, an empty required one, or a row whose
  // field count is not the header's.
  absl::Status Fill(const std::vector<std::string>& row,
                    google::protobuf::Message& message) const;

 private:
  std::vector<const google::protobuf::FieldDescriptor*> columns_;
  std::vector<bool> required_;  // per column
};

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_MESSAGE_CSV_H_
