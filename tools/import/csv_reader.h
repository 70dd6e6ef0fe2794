// A reader for CSV as RFC 4180 defines it: records end with CRLF or LF,
// fields are separated by commas and may be enclosed in double quotes, and
// inside quotes commas, line breaks and doubled quotes ("") are data.
//
// Splitting on commas would break on the dataset's quoted descriptions
// ("AIRLINE LOUNGE,METAL SIGN"). Written here rather than taken from Debian's
// libcsv-dev (a C callback API) or libfccp-dev because it is small, and those
// would be new packages for tools/setup.sh to install.
#ifndef SMARTSHOP_TOOLS_IMPORT_CSV_READER_H_
#define SMARTSHOP_TOOLS_IMPORT_CSV_READER_H_

#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace smartshop::import {

// Sets each `*position` (which must start at -1) to the index of the header
// column named like it, surrounding spaces ignored. INVALID_ARGUMENT naming
// every missing and repeated column, and the header.
absl::Status LocateColumns(
    const std::vector<std::string>& header,
    const std::vector<std::pair<absl::string_view, int*>>& wanted);

class CsvReader {
 public:
  // `in` is not owned and must outlive the reader. A UTF-8 byte order mark
  // at the start of the input is dropped.
  explicit CsvReader(std::istream* in);

  // Reads the next record into `fields`. Returns true for a record, false at
  // the end of the input. Blank lines hold no record and are passed over.
  //
  // A malformed record (a quote inside an unquoted field, text after a
  // closing quote, a quote still open at the end of the input) is
  // INVALID_ARGUMENT naming its line; the reader has then skipped to the end
  // of that line, so the caller may report it and read on. A failing stream
  // is DATA_LOSS, after which the reader is at its end.
  absl::StatusOr<bool> Next(std::vector<std::string>& fields);

  // The line (from 1) on which the last record returned by Next started.
  int64_t record_line() const { return record_line_; }

 private:
  // The next byte, or -1 at the end of the input.
  int Get();
  int Peek();
  // After an error: drop the rest of the current line.
  void SkipRestOfLine();
  absl::Status Malformed(absl::string_view why) const;

  std::istream* const in_;
  int64_t line_ = 1;  // line of the next byte
  int64_t record_line_ = 0;
  bool at_start_ = true;
  // Bytes read ahead (while looking for a byte order mark), served first.
  std::string pending_;
};

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_CSV_READER_H_
