// Test helpers for the admin HTTP port: a plain GET, and promtool's verdict
// on a metrics page.
#ifndef SMARTSHOP_TESTS_INTEGRATION_HTTP_PROBE_H_
#define SMARTSHOP_TESTS_INTEGRATION_HTTP_PROBE_H_

#include <string>

namespace smartshop::testing {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
};

// GET http://127.0.0.1:<port><path>, with a 5 s timeout.
HttpReply HttpGet(int port, const std::string& path);

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

// `promtool check metrics` on `exposition` (Debian package prometheus).
PromtoolResult PromtoolCheckMetrics(const std::string& exposition);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_HTTP_PROBE_H_
