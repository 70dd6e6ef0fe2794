#include "tools/bench/admin_metrics.h"

#include <chrono>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace smartshop::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

absl::StatusOr<std::string> ScrapeMetrics(int port) {
  const tcp::endpoint admin(boost::asio::ip::address_v4::loopback(),
                            static_cast<uint16_t>(port));
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    // One deadline for the whole exchange: a scrape is small.
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(admin);
    http::request<http::empty_body> request(http::verb::get, "/metrics", 11);
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (response.result() != http::status::ok) {
      return absl::UnavailableError(absl::StrCat(
          "GET /metrics on port ", port, ": HTTP ", response.result_int()));
    }
    return std::move(response.body());
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("GET /metrics on port ", port, ": ", e.what()));
  }
}

double SumSamples(absl::string_view exposition, absl::string_view name,
                  absl::string_view label_filter) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name)) continue;
    absl::string_view rest = line.substr(name.size());
    // A sample of `name` itself, not of name_bucket or a longer name.
    if (rest.empty() || (rest[0] != '{' && rest[0] != ' ')) continue;
    absl::string_view labels;
    if (rest[0] == '{') {
      const size_t close = rest.find('}');
      if (close == absl::string_view::npos) continue;
      labels = rest.substr(0, close + 1);
      rest = rest.substr(close + 1);
    }
    if (!absl::StrContains(labels, label_filter)) continue;
    sum += std::strtod(std::string(rest).c_str(), nullptr);
  }
  return sum;
}

}  // namespace smartshop::bench
