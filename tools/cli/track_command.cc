// smartshop track: one event to TrackingService.Track.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/input_file.h"
#include "tools/import/message_csv.h"

namespace smartshop::cli {
namespace {

using smartshop::v1::Interaction;

// The flags that set a field of the event, which --json replaces.
constexpr absl::string_view kFieldFlags[] = {
    "type",       "event_id",     "timestamp",  "user_id",    "session_key",
    "product_id", "category_id",  "order_id",   "quantity",   "search_query",
    "page_url",   "referrer_url", "ip_address", "user_agent", "extra_data"};

absl::Status SetFromText(absl::string_view field, absl::string_view text,
                         Interaction& event) {
  const google::protobuf::FieldDescriptor* descriptor =
      Interaction::descriptor()->FindFieldByName(std::string(field));
  absl::Status set = import::SetFieldFromText(*descriptor, text, event);
  if (set.ok()) return set;
  return absl::InvalidArgumentError(
      absl::StrCat("--", field, ": ", set.message()));
}

}  // namespace

absl::StatusOr<Interaction> EventFromFlags(const Invocation& invocation) {
  Interaction event;
  if (invocation.Given("event_json")) {
    std::vector<std::string> also;
    for (absl::string_view flag : kFieldFlags) {
      if (invocation.Given(flag)) also.push_back(absl::StrCat("--", flag));
    }
    if (!also.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--json gives the whole event; leave out ",
                       absl::StrJoin(also, ", "), " or put them in the JSON"));
    }
    if (absl::Status parsed =
            import::ParseJsonLine(absl::GetFlag(FLAGS_event_json), event);
        !parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--json: ", parsed.message()));
    }
    return event;
  }
  const std::string type = absl::GetFlag(FLAGS_type);
  if (type.empty()) {
    return absl::InvalidArgumentError(
        "--type is required (view_category, view_product, add_to_cart, "
        "update_cart, remove_from_cart, checkout_started, order_placed, "
        "search, review_submitted), or give the whole event with --json");
  }
  if (absl::Status s = SetFromText("type", type, event); !s.ok()) return s;
  const std::string timestamp = absl::GetFlag(FLAGS_timestamp);
  if (!timestamp.empty()) {
    if (absl::Status s = SetFromText("timestamp", timestamp, event); !s.ok()) {
      return s;
    }
  }
  event.set_event_id(absl::GetFlag(FLAGS_event_id));
  event.set_user_id(absl::GetFlag(FLAGS_user_id));
  event.set_session_key(absl::GetFlag(FLAGS_session_key));
  event.set_product_id(absl::GetFlag(FLAGS_product_id));
  event.set_category_id(absl::GetFlag(FLAGS_category_id));
  event.set_order_id(absl::GetFlag(FLAGS_order_id));
  event.set_quantity(absl::GetFlag(FLAGS_quantity));
  event.set_search_query(absl::GetFlag(FLAGS_search_query));
  event.set_page_url(absl::GetFlag(FLAGS_page_url));
  event.set_referrer_url(absl::GetFlag(FLAGS_referrer_url));
  event.set_ip_address(absl::GetFlag(FLAGS_ip_address));
  event.set_user_agent(absl::GetFlag(FLAGS_user_agent));
  event.set_extra_data(absl::GetFlag(FLAGS_extra_data));
  return event;
}

absl::Status RunTrack(const Invocation& invocation, std::ostream& out) {
  absl::StatusOr<Interaction> event = EventFromFlags(invocation);
  if (!event.ok()) return event.status();
  const Peer peer{"tracking service", absl::GetFlag(FLAGS_tracking)};
  auto stub = smartshop::v1::TrackingService::NewStub(Connect(peer));
  smartshop::v1::TrackRequest request;
  *request.mutable_interaction() = *std::move(event);
  smartshop::v1::TrackResponse response;
  // Not retried: without an event_id a retry could store the event twice.
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status = stub->Track(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(peer,
                     status.error_code() == grpc::StatusCode::INVALID_ARGUMENT
                         ? "TrackingService.Track refused the event"
                         : "TrackingService.Track",
                     status);
  }
  out << smartshop::v1::EventOutcome_Name(response.outcome())
      << " event_id=" << response.event_id() << "\n";
  return absl::OkStatus();
}

}  // namespace smartshop::cli
