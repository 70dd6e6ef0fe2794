#include "common/json_log.h"

#include <cstdio>
#include <mutex>
#include <regex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/json.hpp"

namespace smartshop {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields) {
  boost::json::object line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                absl::UTCTimeZone());
  auto std_view = [](absl::string_view s) {
    return std::string_view(s.data(), s.size());
  };
  line["level"] = std_view(LevelName(level));
  line["event"] = std_view(event);
  for (const auto& field : fields) {
    // A named key, not a structured binding: clang 14 (the sanitized
    // build's compiler) cannot capture those in a lambda.
    const std::string_view key = std_view(field.first);
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>,
                                       absl::string_view>) {
            line[key] = std_view(v);
          } else {
            line[key] = v;
          }
        },
        field.second);
  }
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string RedactConnectionString(absl::string_view url) {
  static const std::regex kUserInfoPassword(R"(^([a-z]+://[^:/@]*):[^@]*@)");
  static const std::regex kKeyValuePassword(R"(password\s*=\s*\S+)");
  std::string out =
      std::regex_replace(std::string(url), kUserInfoPassword, "$1:***@");
  return std::regex_replace(out, kKeyValuePassword, "password=***");
}

}  // namespace smartshop
