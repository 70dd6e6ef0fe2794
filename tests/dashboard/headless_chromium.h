// Debian's chromium run headless on one page, as the browser test needs it:
// the DOM after the page's scripts ran, a screenshot, and the browser's log
// (console messages and uncaught exceptions included).
#ifndef SMARTSHOP_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_
#define SMARTSHOP_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace smartshop::testing {

// The chromium binary: $SMARTSHOP_CHROMIUM, else chromium or
// chromium-browser on PATH; empty when there is none.
std::string FindChromium();

struct ChromiumOptions {
  std::string binary;
  std::string url;
  // Written when not empty (--screenshot), at window_size.
  std::string screenshot_path;
  std::string window_size = "1280,2000";
  // Page time the scripts get (--virtual-time-budget): the fetches a page
  // makes pause it, so this bounds script time, not network time.
  absl::Duration virtual_time_budget = absl::Seconds(5);
  // Wall time after which the browser is killed.
  absl::Duration timeout = absl::Seconds(30);
};

struct ChromiumResult {
  int exit_code = -1;  // -1 when killed or not started
  bool timed_out = false;
  std::string dom;  // --dump-dom
  std::string log;  // stderr, with --enable-logging=stderr --v=0
  absl::Duration elapsed;
};

// Runs the browser once in a profile of its own (removed afterwards), in a
// process group of its own that is killed at the end, whatever happened.
ChromiumResult RunHeadlessChromium(const ChromiumOptions& options);

// The log lines that are console messages or uncaught exceptions.
std::vector<std::string> ConsoleLines(const std::string& log);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_
