#include "tools/cli/input_file.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace smartshop::cli {

absl::StatusOr<FileFormat> ChooseFormat(absl::string_view path,
                                        absl::string_view format) {
  std::optional<FileFormat> given;
  if (format == "csv") {
    given = FileFormat::kCsv;
  } else if (format == "jsonl" || format == "ndjson") {
    given = FileFormat::kJsonLines;
  } else if (!format.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--format=", format, ": not a format; say csv or jsonl"));
  }
  // The name wins, so that one --format can serve stdin while the other
  // file is named.
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".csv")) return FileFormat::kCsv;
  if (absl::EndsWith(lower, ".jsonl") || absl::EndsWith(lower, ".ndjson") ||
      absl::EndsWith(lower, ".json")) {
    return FileFormat::kJsonLines;
  }
  if (given) return *given;
  return absl::InvalidArgumentError(
      absl::StrCat("cannot tell the format of \"", path,
                   "\" from its name; give --format=csv or --format=jsonl"));
}

absl::Status ForEachLine(
    std::istream& in,
    absl::FunctionRef<void(int64_t number, absl::string_view text)> line_fn) {
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    absl::string_view text = line;
    if (number == 1) absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
    absl::ConsumeSuffix(&text, "\r");
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    line_fn(number, text);
  }
  if (in.bad()) return absl::DataLossError("read error");
  return absl::OkStatus();
}

absl::Status ParseJsonLine(absl::string_view text,
                           google::protobuf::Message& message) {
  message.Clear();
  google::protobuf::util::JsonParseOptions options;
  // The shop's own names for interaction types are lower case
  // (view_product); the proto JSON ones upper case.
  options.case_insensitive_enum_parsing = true;
  const google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(text.data(), text.size()), &message,
          options);
  if (parsed.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("not proto JSON of ", message.GetDescriptor()->name(), ": ",
                   parsed.message().ToString()));
}

}  // namespace smartshop::cli
