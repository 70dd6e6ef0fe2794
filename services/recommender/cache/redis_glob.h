// Redis glob patterns (SCAN MATCH, KEYS) for keys that must be matched
// literally: a cache key prefix may contain '*', '?', '[' or '\', which
// would otherwise widen the match and delete other users' entries.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_GLOB_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_GLOB_H_

#include <string>

#include "absl/strings/string_view.h"

namespace smartshop::recommender {

// `literal` with every glob metacharacter backslash-escaped, so that the
// pattern matches exactly `literal`. Binary-safe.
std::string EscapeRedisGlob(absl::string_view literal);

// The pattern matching every key that starts with `prefix`.
std::string RedisPrefixPattern(absl::string_view prefix);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_GLOB_H_
