// Model replies kept by what was asked: the key is a hash of the whole chat
// request (every message — instructions, catalog sample or candidates, the
// shopper's summary — the model, its parameters and the reply schema), so
// a request whose inputs have not changed since the model last answered it
// gets that answer again without a call, after the answer cache's TTL too,
// and shoppers whose requests are the same (anonymous visitors, new users)
// share one call. Any change of input is another key: reuse never serves
// an answer made for other data.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_REPLY_STORE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_REPLY_STORE_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/model/llm_client.h"

namespace smartshop::recommender {

// What is kept of a usable reply: enough to parse it again as it was.
struct StoredReply {
  std::string content;
  bool structured = false;
};

class ModelReplyStore {
 public:
  virtual ~ModelReplyStore() = default;
  // nullopt on a miss; an error means the store could not answer (the
  // caller then asks the model). Thread-safe.
  virtual absl::StatusOr<std::optional<StoredReply>> Get(
      const std::string& key, absl::Time deadline) = 0;
  virtual absl::Status Put(const std::string& key, const StoredReply& reply,
                           absl::Duration ttl, absl::Time deadline) = 0;
};

// "smartshop:model_reply:" + the SHA-256 (hex) of `request` in a canonical
// form.
std::string ModelReplyKey(const ChatRequest& request);

// The value as stored ("s" or "p" for structured or plain, then the
// content), and back (nullopt when it is not such a value).
std::string EncodeStoredReply(const StoredReply& reply);
std::optional<StoredReply> DecodeStoredReply(absl::string_view value);

// In this process only, at most `max_entries` (the oldest-expiring first out
// when full): for tests, tools and a service without Redis.
class InMemoryModelReplyStore : public ModelReplyStore {
 public:
  explicit InMemoryModelReplyStore(const Clock& clock = Clock::Real(),
                                   size_t max_entries = 10'000)
      : clock_(clock), max_entries_(max_entries) {}

  absl::StatusOr<std::optional<StoredReply>> Get(const std::string& key,
                                                 absl::Time deadline) override;
  absl::Status Put(const std::string& key, const StoredReply& reply,
                   absl::Duration ttl, absl::Time deadline) override;

 private:
  struct Entry {
    StoredReply reply;
    absl::Time expires;
  };
  const Clock& clock_;
  const size_t max_entries_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_REPLY_STORE_H_
