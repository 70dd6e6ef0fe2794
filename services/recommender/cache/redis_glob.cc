#include "services/recommender/cache/redis_glob.h"

#include <string>

namespace smartshop::recommender {

std::string EscapeRedisGlob(absl::string_view literal) {
  std::string pattern;
  pattern.reserve(literal.size() + 8);
  for (char c : literal) {
    // Redis's stringmatchlen() treats a backslash as "next byte literally"
    // everywhere outside a class, so escaping these five is enough; '^' and
    // '-' are special only inside a class, which an escaped '[' never opens.
    switch (c) {
      case '*':
      case '?':
      case '[':
      case ']':
      case '\\':
        pattern.push_back('\\');
        break;
      default:
        break;
    }
    pattern.push_back(c);
  }
  return pattern;
}

std::string RedisPrefixPattern(absl::string_view prefix) {
  std::string pattern = EscapeRedisGlob(prefix);
  pattern.push_back('*');
  return pattern;
}

}  // namespace smartshop::recommender
