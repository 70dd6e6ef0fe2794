// A 64-bit hash that every process and every replica computes alike (unlike
// absl::Hash, which is salted per process): for values shared through Redis
// or a file, such as cache keys and experiment assignments.
#ifndef SMARTSHOP_COMMON_STABLE_HASH_H_
#define SMARTSHOP_COMMON_STABLE_HASH_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace smartshop {

// The first 8 bytes of the SHA-256 of `text`, big-endian.
uint64_t StableHash64(absl::string_view text);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_STABLE_HASH_H_
