#include "common/stable_hash.h"

#include <openssl/evp.h>

namespace smartshop {

uint64_t StableHash64(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest with SHA-256 fails only when out of memory.
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1 ||
      length < 8) {
    return 0;
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | digest[i];
  return bits;
}

}  // namespace smartshop
