// The time of day as code that decides by it sees it (event timestamps,
// retention cut-offs): an interface, so that tests can set and move it
// (tests/testing/simulated_clock.h) instead of sleeping.
//
// Deadlines of waits (locks, condition variables, RPCs) stay on absl::Now():
// moving a clock cannot wake a waiting thread.
#ifndef SMARTSHOP_COMMON_CLOCK_H_
#define SMARTSHOP_COMMON_CLOCK_H_

#include "absl/time/time.h"

namespace smartshop {

class Clock {
 public:
  virtual ~Clock() = default;

  // Thread-safe.
  virtual absl::Time Now() const = 0;

  // The system clock (absl::Now()). Never destroyed.
  static const Clock& Real();
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_CLOCK_H_
