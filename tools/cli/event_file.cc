#include "tools/cli/event_file.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/uuid/name_generator_sha1.hpp"
#include "boost/uuid/string_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tools/cli/message_csv.h"
#include "tools/import/csv_reader.h"

namespace smartshop::cli {
namespace {

using smartshop::v1::Interaction;

// Chosen once for this tool; changing it would make every re-import store
// all events again.
constexpr char kNamespace[] = "5d0f4c1e-8f53-4b8e-9b7a-3c2e61f0a7d4";

void AddEvent(int64_t line, Interaction event, EventFile& file) {
  file.events.push_back(std::move(event));
  file.event_lines.push_back(line);
}

absl::StatusOr<EventFile> ReadCsv(std::istream& in) {
  import::CsvReader reader(&in);
  std::vector<std::string> fields;
  absl::StatusOr<bool> got = reader.Next(fields);
  if (!got.ok()) return got.status();
  if (!*got) {
    return absl::InvalidArgumentError(
        "the CSV input is empty; it needs a header such as "
        "user_id,session_key,type,timestamp,product_id,quantity");
  }
  absl::StatusOr<MessageCsvColumns> columns = MessageCsvColumns::FromHeader(
      *Interaction::descriptor(), fields, {"type"});
  if (!columns.ok()) return columns.status();
  EventFile file;
  while (true) {
    got = reader.Next(fields);
    const int64_t line = reader.record_line();
    if (!got.ok()) {
      if (got.status().code() != absl::StatusCode::kInvalidArgument) {
        return got.status();
      }
      ++file.records;
      absl::string_view why = got.status().message();
      absl::ConsumePrefix(&why,
                          absl::StrCat("CSV record on line ", line, ": "));
      file.skipped.push_back({line, absl::StrCat("malformed CSV: ", why)});
      continue;
    }
    if (!*got) break;
    ++file.records;
    Interaction event;
    if (absl::Status filled = columns->Fill(fields, event); !filled.ok()) {
      file.skipped.push_back({line, std::string(filled.message())});
      continue;
    }
    AddEvent(line, std::move(event), file);
  }
  return file;
}

absl::StatusOr<EventFile> ReadJsonLines(std::istream& in) {
  EventFile file;
  absl::Status read =
      ForEachLine(in, [&](int64_t line, absl::string_view text) {
        ++file.records;
        Interaction event;
        if (absl::Status parsed = ParseJsonLine(text, event); !parsed.ok()) {
          file.skipped.push_back({line, std::string(parsed.message())});
          return;
        }
        AddEvent(line, std::move(event), file);
      });
  if (!read.ok()) return read;
  return file;
}

// The event's bytes in a form that does not depend on how the line was
// written (field order, spacing, JSON or CSV).
std::string Canonical(const Interaction& event) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace

absl::StatusOr<EventFile> ReadEvents(std::istream& in, FileFormat format) {
  return format == FileFormat::kCsv ? ReadCsv(in) : ReadJsonLines(in);
}

int64_t AssignStableEventIds(std::vector<Interaction>& events) {
  static const boost::uuids::uuid kNamespaceUuid =
      boost::uuids::string_generator()(kNamespace);
  boost::uuids::name_generator_sha1 generate(kNamespaceUuid);
  absl::flat_hash_map<std::string, int64_t> seen;  // content -> occurrences
  int64_t assigned = 0;
  for (Interaction& event : events) {
    if (!event.event_id().empty()) continue;
    std::string content = Canonical(event);
    const int64_t occurrence = seen[content]++;
    event.set_event_id(boost::uuids::to_string(
        generate(absl::StrCat("smartshop-cli:", occurrence, ":", content))));
    ++assigned;
  }
  return assigned;
}

}  // namespace smartshop::cli
