// Interactions from outside, as the tracking service receives them: any
// bytes as a serialized Interaction, and any text as extra_data JSON. The
// validator must not crash, and an event it accepts must normalise into one
// it still accepts.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "services/tracking/interaction_validator.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

void Validate(const smartshop::v1::Interaction& event) {
  using namespace smartshop::tracking;
  if (FindViolation(event, kNow).has_value()) return;
  const smartshop::v1::Interaction stored = Normalize(event, kNow);
  Check(!stored.event_id().empty());
  Check(!stored.extra_data().empty());
  Check(stored.sequence() == 0);
  Check(!FindViolation(stored, kNow).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As a message off the wire.
  smartshop::v1::Interaction event;
  if (event.ParseFromArray(data, static_cast<int>(size))) Validate(event);

  // As extra_data of an otherwise valid event.
  smartshop::v1::Interaction with_json;
  with_json.set_user_id("fuzz");
  with_json.set_type(smartshop::v1::VIEW_PRODUCT);
  with_json.set_product_id(7);
  with_json.set_extra_data(
      std::string(reinterpret_cast<const char*>(data), size));
  Validate(with_json);

  // As free text in the fields with limits.
  smartshop::v1::Interaction text;
  const std::string s(reinterpret_cast<const char*>(data), size);
  text.set_session_key(s.substr(0, 200));
  text.set_type(smartshop::v1::SEARCH);
  text.set_search_query(s);
  text.set_ip_address(s.substr(0, 64));
  text.set_user_agent(s);
  text.set_page_url(s);
  Validate(text);
  return 0;
}
