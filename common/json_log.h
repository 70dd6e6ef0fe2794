// Structured logging: one JSON object per line on stderr, so that log
// collectors can index fields without parsing prose.
#ifndef SMARTSHOP_COMMON_JSON_LOG_H_
#define SMARTSHOP_COMMON_JSON_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"

namespace smartshop {

enum class LogLevel { kInfo, kWarning, kError };

using LogValue = std::variant<absl::string_view, int64_t, double, bool>;
using LogField = std::pair<absl::string_view, LogValue>;

// Writes {"ts":..., "level":..., "event": event, fields...} as one line.
// Thread-safe. Never pass secrets: values are written as given.
void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields = {});

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db";
// also masks password=... in key/value connection strings.
std::string RedactConnectionString(absl::string_view url);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_JSON_LOG_H_
