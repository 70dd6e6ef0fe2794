// Caller authentication for the gRPC servers: every call carries
// "authorization: Bearer <token>", and the token must belong to a caller
// allowed the call's scope. Tokens come from a file (a Kubernetes Secret
// mounted as a file), one caller per line:
//
//   # caller       scopes       token
//   shop-backend   read,write   <at least 32 characters>
//   recommender    read,record  <another token>
//
// A caller may have several lines (to rotate a token without downtime). The
// servers keep only SHA-256 digests of the tokens and compare a presented
// token's digest with every caller's in constant time, so neither the token
// nor which caller it is close to leaks through timing.
#ifndef SMARTSHOP_COMMON_CALLER_AUTH_H_
#define SMARTSHOP_COMMON_CALLER_AUTH_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace smartshop {

// Reads (listing, recommending, subscribing) and writes (tracking, catalog
// upserts, invalidation, deletion) may be given to different callers.
// Recording served answers (InsightsService.RecordServed) has a scope of
// its own, so that the recommender may record them without being able to
// write anything else; a writer may record too.
enum class Scope { kRead, kWrite, kRecord };

// The shortest token accepted in a tokens file: 32 characters from
// `openssl rand -hex 16` or longer keep guessing out of reach.
inline constexpr int kMinTokenLength = 32;

// Whether `token` can travel in an authorization header: visible ASCII,
// no spaces.
bool IsBearerTokenText(absl::string_view token);

class CallerAuth {
 public:
  // Lets every call through. Only for --insecure_no_auth (local
  // development) and in-process tests.
  static std::shared_ptr<const CallerAuth> Disabled();
  // Lets no call through: the services' default until told whom to admit,
  // so that wiring which forgets authentication fails closed.
  static std::shared_ptr<const CallerAuth> DenyAll();

  // INVALID_ARGUMENT naming the line for anything malformed: unknown scope,
  // short or repeated token, missing fields; also for a file with no caller.
  static absl::StatusOr<std::shared_ptr<const CallerAuth>> Parse(
      absl::string_view text);
  static absl::StatusOr<std::shared_ptr<const CallerAuth>> LoadFile(
      const std::string& path);

  bool enabled() const { return enabled_; }
  int caller_count() const { return static_cast<int>(entries_.size()); }

  // The caller's name when `authorization` is "Bearer <token>" of a caller
  // with `scope`. UNAUTHENTICATED when the header is missing, malformed or
  // the token unknown; PERMISSION_DENIED when the caller lacks `scope`.
  // Messages never repeat the token.
  absl::StatusOr<std::string> Authorize(absl::string_view authorization,
                                        Scope scope) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    std::string caller;
    Digest digest;
    bool read = false;
    bool write = false;
    bool record = false;
  };

  CallerAuth(bool enabled, std::vector<Entry> entries)
      : enabled_(enabled), entries_(std::move(entries)) {}
  static Digest Sha256(absl::string_view text);

  const bool enabled_;
  const std::vector<Entry> entries_;
};

// The servers' start-up choice: a tokens file, or no authentication when
// explicitly asked for. INVALID_ARGUMENT when both or neither are given, so
// that a deployment cannot end up open by forgetting a flag.
absl::StatusOr<std::shared_ptr<const CallerAuth>> LoadCallerAuth(
    const std::string& tokens_file, bool insecure_no_auth);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_CALLER_AUTH_H_
