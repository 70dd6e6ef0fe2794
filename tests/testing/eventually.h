// Waiting in tests for something another thread or process brings about:
// polls a condition instead of sleeping a fixed time, so a test is as fast
// as the system allows and still bounded.
#ifndef SMARTSHOP_TESTS_TESTING_EVENTUALLY_H_
#define SMARTSHOP_TESTS_TESTING_EVENTUALLY_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace smartshop::testing {

// Polls `done` every 10 ms until it returns true or `timeout` has passed;
// whether it held (it is asked once more at the end).
template <typename Predicate>
bool Eventually(Predicate done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_EVENTUALLY_H_
