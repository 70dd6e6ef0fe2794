// gMock matchers for absl::Status and absl::StatusOr<T>, so that a test
// states the exact error it expects: StatusIs(code) or
// StatusIs(code, message_matcher), as in abseil's own status tests.
//
//   EXPECT_THAT(reader.ListAllProducts(deadline),
//               StatusIs(absl::StatusCode::kUnavailable,
//                        HasSubstr("tracking ListProducts")));
#ifndef SMARTSHOP_TESTS_TESTING_STATUS_MATCHERS_H_
#define SMARTSHOP_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace smartshop::testing {
namespace internal_status {

inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

class StatusIsMatcher {
 public:
  StatusIsMatcher(absl::StatusCode code,
                  ::testing::Matcher<const std::string&> message)
      : code_(code), message_(std::move(message)) {}

  template <typename StatusType>
  bool MatchAndExplain(const StatusType& actual,
                       ::testing::MatchResultListener* listener) const {
    const absl::Status& status = StatusOf(actual);
    if (status.code() != code_) {
      *listener << "whose status is " << status;
      return false;
    }
    ::testing::StringMatchResultListener message_listener;
    if (!message_.MatchAndExplain(std::string(status.message()),
                                  &message_listener)) {
      *listener << "whose message \"" << status.message() << "\" "
                << message_listener.str();
      return false;
    }
    return true;
  }

  void DescribeTo(std::ostream* os) const {
    *os << "has code " << absl::StatusCodeToString(code_)
        << " and a message that ";
    message_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "does not have code " << absl::StatusCodeToString(code_)
        << " or has a message that ";
    message_.DescribeNegationTo(os);
  }

 private:
  absl::StatusCode code_;
  ::testing::Matcher<const std::string&> message_;
};

}  // namespace internal_status

// Matches an absl::Status or absl::StatusOr<T> whose code is `code` and
// whose message matches `message` (a matcher or a string to equal).
template <typename MessageMatcher>
::testing::PolymorphicMatcher<internal_status::StatusIsMatcher> StatusIs(
    absl::StatusCode code, MessageMatcher&& message) {
  return ::testing::MakePolymorphicMatcher(internal_status::StatusIsMatcher(
      code, ::testing::MatcherCast<const std::string&>(
                std::forward<MessageMatcher>(message))));
}

// Matches an absl::Status or absl::StatusOr<T> whose code is `code`,
// whatever its message.
inline ::testing::PolymorphicMatcher<internal_status::StatusIsMatcher> StatusIs(
    absl::StatusCode code) {
  return StatusIs(code, ::testing::_);
}

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_STATUS_MATCHERS_H_
