#include "tools/import/input_file.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "tools/import/csv_reader.h"
#include "tools/import/message_csv.h"

namespace smartshop::import {

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

absl::Status ForEachMessage(
    std::istream& in, FileFormat format, google::protobuf::Message& message,
    absl::Span<const absl::string_view> required,
    absl::string_view example_header,
    absl::FunctionRef<void(int64_t line)> record,
    absl::FunctionRef<void(int64_t line, absl::string_view why)> skip) {
  if (format == FileFormat::kJsonLines) {
    return ForEachLine(in, [&](int64_t line, absl::string_view text) {
      if (absl::Status parsed = ParseJsonLine(text, message); !parsed.ok()) {
        skip(line, parsed.message());
        return;
      }
      record(line);
    });
  }
  CsvReader reader(&in);
  std::vector<std::string> fields;
  absl::StatusOr<bool> got = reader.Next(fields);
  if (!got.ok()) return got.status();
  if (!*got) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the CSV input is empty; it needs a header such as ", example_header));
  }
  absl::StatusOr<MessageCsvColumns> columns =
      MessageCsvColumns::FromHeader(*message.GetDescriptor(), fields, required);
  if (!columns.ok()) return columns.status();
  while (true) {
    got = reader.Next(fields);
    const int64_t line = reader.record_line();
    if (!got.ok()) {
      if (got.status().code() != absl::StatusCode::kInvalidArgument) {
        return got.status();
      }
      // The reader names the line itself; the report does too.
      absl::string_view why = got.status().message();
      absl::ConsumePrefix(&why,
                          absl::StrCat("CSV record on line ", line, ": "));
      skip(line, absl::StrCat("malformed CSV: ", why));
      continue;
    }
    if (!*got) return absl::OkStatus();
    if (absl::Status filled = columns->Fill(fields, message); !filled.ok()) {
      skip(line, filled.message());
      continue;
    }
    record(line);
  }
}

}  // namespace smartshop::import
