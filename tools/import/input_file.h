// What the catalog and event files have in common: their two formats (CSV
// with a header, JSON lines of proto JSON), how the format is chosen, and
// how a line that is not imported is reported.
#ifndef SMARTSHOP_TOOLS_IMPORT_INPUT_FILE_H_
#define SMARTSHOP_TOOLS_IMPORT_INPUT_FILE_H_

#include <cstdint>
#include <istream>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"

namespace smartshop::import {

enum class FileFormat { kCsv, kJsonLines };

// From the name's extension (.csv; .jsonl, .ndjson, .json), else `format`
// ("csv", "jsonl"; e.g. for "-", stdin). INVALID_ARGUMENT when neither says,
// or `format` is none of these.
absl::StatusOr<FileFormat> ChooseFormat(absl::string_view path,
                                        absl::string_view format);

// A line of the input that is not imported, or is imported with a caveat.
struct LineIssue {
  int64_t line = 0;  // from 1
  std::string message;
};

// Calls `line_fn(number, text)` for each line of `in` that is not blank,
// with "\r" and a leading UTF-8 byte order mark removed. DATA_LOSS when
// reading fails.
absl::Status ForEachLine(
    std::istream& in,
    absl::FunctionRef<void(int64_t number, absl::string_view text)> line_fn);

// Parses one JSON line into `message` (cleared first). Field names may be
// the JSON or the .proto ones, enum values in any letter case; unknown
// fields are errors, since a misspelt field would otherwise be lost
// silently. INVALID_ARGUMENT saying what is wrong.
absl::Status ParseJsonLine(absl::string_view text,
                           google::protobuf::Message& message);

// Reads `in` as records of `message`'s type: calls `record(line)` with
// `message` holding each record parsed, and `skip(line, why)` for each that
// is not. CSV needs a header naming fields, `required` among them
// (`example_header` shows one when the input is empty). INVALID_ARGUMENT
// when the input as a whole is unusable (no header, unknown columns);
// DATA_LOSS when reading fails.
absl::Status ForEachMessage(
    std::istream& in, FileFormat format, google::protobuf::Message& message,
    absl::Span<const absl::string_view> required,
    absl::string_view example_header,
    absl::FunctionRef<void(int64_t line)> record,
    absl::FunctionRef<void(int64_t line, absl::string_view why)> skip);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_INPUT_FILE_H_
