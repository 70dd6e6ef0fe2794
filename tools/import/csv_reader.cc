#include "tools/import/csv_reader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace smartshop::import {

absl::Status LocateColumns(
    const std::vector<std::string>& header,
    const std::vector<std::pair<absl::string_view, int*>>& wanted) {
  std::vector<absl::string_view> repeated;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const absl::string_view name = absl::StripAsciiWhitespace(header[i]);
    for (const auto& [wanted_name, position] : wanted) {
      if (name != wanted_name) continue;
      if (*position >= 0) repeated.push_back(wanted_name);
      *position = i;
    }
  }
  std::vector<absl::string_view> missing;
  for (const auto& [wanted_name, position] : wanted) {
    if (*position < 0) missing.push_back(wanted_name);
  }
  if (missing.empty() && repeated.empty()) return absl::OkStatus();
  std::string message = "CSV header: ";
  if (!missing.empty()) {
    absl::StrAppend(&message, "missing column", missing.size() > 1 ? "s " : " ",
                    absl::StrJoin(missing, ", "));
  }
  if (!repeated.empty()) {
    absl::StrAppend(&message, missing.empty() ? "" : "; ",
                    "repeated column(s) ", absl::StrJoin(repeated, ", "));
  }
  absl::StrAppend(&message, " (the header is: ", absl::StrJoin(header, ","),
                  ")");
  return absl::InvalidArgumentError(message);
}

namespace {

constexpr int kEnd = -1;

}  // namespace

CsvReader::CsvReader(std::istream* in) : in_(in) {}

int CsvReader::Get() {
  int c;
  if (!pending_.empty()) {
    c = static_cast<unsigned char>(pending_.front());
    pending_.erase(0, 1);
  } else {
    c = in_->get();
    if (c == std::char_traits<char>::eof()) return kEnd;
  }
  if (c == '\n') ++line_;
  return c;
}

int CsvReader::Peek() {
  if (!pending_.empty()) return static_cast<unsigned char>(pending_.front());
  const int c = in_->peek();
  return c == std::char_traits<char>::eof() ? kEnd : c;
}

void CsvReader::SkipRestOfLine() {
  for (int c = Get(); c != kEnd && c != '\n';) c = Get();
}

absl::Status CsvReader::Malformed(absl::string_view why) const {
  return absl::InvalidArgumentError(
      absl::StrCat("CSV record on line ", record_line_, ": ", why));
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (at_start_) {
    at_start_ = false;
    // Spreadsheet exports often start with a byte order mark, which would
    // otherwise become part of the first column's name.
    pending_.resize(3);
    in_->read(pending_.data(), 3);
    pending_.resize(in_->gcount());
    if (pending_ == "\xEF\xBB\xBF") pending_.clear();
    if (in_->eof() && !in_->bad()) in_->clear();  // short input: not an error
  }
  // Blank lines hold no record.
  while (Peek() == '\n' || Peek() == '\r') Get();
  if (Peek() == kEnd) {
    if (in_->bad()) return absl::DataLossError("read error on the CSV input");
    return false;
  }
  record_line_ = line_;
  std::string field;
  while (true) {
    int c = Get();
    if (c == '"') {
      const int64_t opened_on = line_;
      while (true) {
        c = Get();
        if (c == kEnd) {
          if (in_->bad()) {
            return absl::DataLossError("read error on the CSV input");
          }
          return Malformed(absl::StrCat(
              "the quote opening field ", fields.size() + 1, " on line ",
              opened_on, " is not closed by the end of input"));
        }
        if (c == '"') {
          if (Peek() != '"') break;
          Get();  // "" is one quote
        }
        field.push_back(static_cast<char>(c));
      }
      c = Get();
      if (c == '\r' && (Peek() == '\n' || Peek() == kEnd)) c = Get();
      if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
        continue;
      }
      if (c == '\n' || c == kEnd) {
        fields.push_back(std::move(field));
        return true;
      }
      SkipRestOfLine();
      return Malformed(absl::StrCat("text after the closing quote of field ",
                                    fields.size() + 1));
    }
    while (true) {
      if (c == '\r' && (Peek() == '\n' || Peek() == kEnd)) c = Get();
      if (c == ',') break;
      if (c == '\n' || c == kEnd) {
        fields.push_back(std::move(field));
        if (c == kEnd && in_->bad()) {
          return absl::DataLossError("read error on the CSV input");
        }
        return true;
      }
      if (c == '"') {
        SkipRestOfLine();
        return Malformed(absl::StrCat("a quote inside unquoted field ",
                                      fields.size() + 1,
                                      " (quote the whole field and double "
                                      "the quote)"));
      }
      field.push_back(static_cast<char>(c));
      c = Get();
    }
    fields.push_back(std::move(field));
    field.clear();
  }
}

}  // namespace smartshop::import
