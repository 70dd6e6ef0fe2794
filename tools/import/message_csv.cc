#include "tools/import/message_csv.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace smartshop::import {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool IsTimestamp(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() ==
             google::protobuf::Timestamp::descriptor()->full_name();
}

bool CellsCanHold(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  return field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
         IsTimestamp(field);
}

// The enum's values as a reader would type them, without the "unspecified"
// placeholder nobody may send.
std::string EnumChoices(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() == 0) continue;
    names.push_back(absl::AsciiStrToLower(type.value(i)->name()));
  }
  return absl::StrJoin(names, ", ");
}

absl::Status Expected(absl::string_view text, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not ", what));
}

}  // namespace

absl::Status SetFieldFromText(const FieldDescriptor& field,
                              absl::string_view text, Message& message) {
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection.SetString(&message, &field, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return Expected(text, "a whole number");
      }
      reflection.SetInt64(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return Expected(text, "a whole number (32-bit)");
      }
      reflection.SetInt32(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (!absl::SimpleAtob(text, &value)) {
        return Expected(text, "true or false");
      }
      reflection.SetBool(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* value =
          field.enum_type()->FindValueByName(absl::AsciiStrToUpper(text));
      if (value == nullptr || value->number() == 0) {
        return Expected(
            text, absl::StrCat("one of ", EnumChoices(*field.enum_type())));
      }
      reflection.SetEnum(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsTimestamp(field)) {
        google::protobuf::Timestamp time;
        if (!google::protobuf::util::TimeUtil::FromString(std::string(text),
                                                          &time)) {
          return Expected(text,
                          "an RFC 3339 time such as 2024-05-01T12:00:00Z");
        }
        reflection.MutableMessage(&message, &field)->CopyFrom(time);
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("field ", field.name(), " cannot be set from text"));
}

absl::StatusOr<MessageCsvColumns> MessageCsvColumns::FromHeader(
    const Descriptor& type, const std::vector<std::string>& header,
    absl::Span<const absl::string_view> required) {
  MessageCsvColumns columns;
  std::vector<std::string> problems;
  for (const std::string& cell : header) {
    const std::string name(absl::StripAsciiWhitespace(cell));
    const FieldDescriptor* field = type.FindFieldByName(name);
    if (field == nullptr) field = type.FindFieldByCamelcaseName(name);
    if (field == nullptr || !CellsCanHold(*field)) {
      problems.push_back(absl::StrCat("unknown column \"", name, "\""));
    } else if (std::find(columns.columns_.begin(), columns.columns_.end(),
                         field) != columns.columns_.end()) {
      problems.push_back(
          absl::StrCat("column \"", name, "\" repeats ", field->name()));
    }
    columns.columns_.push_back(field);
    columns.required_.push_back(field != nullptr &&
                                std::find(required.begin(), required.end(),
                                          field->name()) != required.end());
  }
  for (absl::string_view name : required) {
    const FieldDescriptor* field = type.FindFieldByName(std::string(name));
    if (std::find(columns.columns_.begin(), columns.columns_.end(), field) ==
        columns.columns_.end()) {
      problems.push_back(absl::StrCat("no column \"", name, "\""));
    }
  }
  if (!problems.empty()) {
    std::vector<std::string> known;
    for (int i = 0; i < type.field_count(); ++i) {
      if (CellsCanHold(*type.field(i))) known.push_back(type.field(i)->name());
    }
    return absl::InvalidArgumentError(
        absl::StrCat("CSV header: ", absl::StrJoin(problems, "; "),
                     " (the columns are ", absl::StrJoin(known, ", "), ")"));
  }
  return columns;
}

absl::Status MessageCsvColumns::Fill(const std::vector<std::string>& row,
                                     Message& message) const {
  message.Clear();
  if (row.size() != columns_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        row.size(), " fields where the header has ", columns_.size()));
  }
  for (size_t i = 0; i < row.size(); ++i) {
    const FieldDescriptor& field = *columns_[i];
    const absl::string_view cell =
        field.cpp_type() == FieldDescriptor::CPPTYPE_STRING
            ? absl::string_view(row[i])
            : absl::StripAsciiWhitespace(row[i]);
    if (cell.empty()) {
      if (required_[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat(field.name(), ": empty, but required"));
      }
      continue;
    }
    if (absl::Status set = SetFieldFromText(field, cell, message); !set.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field.name(), ": ", set.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace smartshop::import
