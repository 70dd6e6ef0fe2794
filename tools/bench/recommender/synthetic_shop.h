// A synthetic shop for the recommender benchmarks: a catalog with
// categories, users' recent interactions, and a model that answers at once
// with a realistic reply. Deterministic for a given seed.
//
// The fakes do no work per call beyond copying out what a real reader or
// client would hand back (no request logs, no filtering scans), so that
// timings measure the service rather than its test doubles.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_SYNTHETIC_SHOP_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_SYNTHETIC_SHOP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/recommender/model/llm_client.h"
#include "services/recommender/tracking_reader.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::recommender::bench {

struct ShopOptions {
  // Products get ids 1..products.
  int products = 2'000;
  int categories = 40;
  // About this share of products is inactive (never recommended).
  double inactive_share = 0.05;
  uint64_t seed = 42;
};

// Products with distinct shop-like names ("Red Enamel Mug, Set of 4"),
// category_name filled in as the tracking service does, skewed units_sold.
std::vector<smartshop::v1::Product> MakeCatalog(const ShopOptions& options);

// What a model typically sends back for the engine's prompt: prose, then a
// ```json fence holding 8 picks over `catalog` (REQUIRES: at least 8 active
// products): 5 by exact "Name (Category)", 1 by name only, 1 product the
// catalog does not have, 1 repeating an earlier pick. So every reply
// exercises each matching rule, the unmatched scan and the gap fill.
std::string ModelReply(const std::vector<smartshop::v1::Product>& catalog);

// ListInteractions from windows built in advance (newest first, only the
// types the engine asks for): a user's own window is one of a fixed set,
// picked by hashing the user id; everyone else's (and the anonymous
// window) is one fixed list. Honours user_id, exclude_user_id and limit;
// ignores the other filters. Thread-safe (read-only after construction).
class SyntheticTrackingReader : public TrackingReader {
 public:
  // `user_windows` distinct own windows of 100 interactions each.
  SyntheticTrackingReader(std::vector<smartshop::v1::Product> catalog,
                          int user_windows, uint64_t seed);

  absl::StatusOr<std::vector<smartshop::v1::Interaction>> ListInteractions(
      const smartshop::v1::ListInteractionsRequest& request,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::Product>> ListAllProducts(
      absl::Time deadline) override;
  // Nothing to erase in a synthetic shop: an empty response.
  absl::StatusOr<smartshop::v1::DeleteUserDataResponse> DeleteUserData(
      const std::string&, absl::Time, const std::string&) override {
    return smartshop::v1::DeleteUserDataResponse();
  }

 private:
  std::vector<smartshop::v1::Product> catalog_;
  std::vector<std::vector<smartshop::v1::Interaction>> user_windows_;
  std::vector<smartshop::v1::Interaction> others_window_;
};

// Answers every request at once with the same content. Thread-safe.
class InstantLlmClient : public LlmClient {
 public:
  explicit InstantLlmClient(std::string content)
      : content_(std::move(content)) {}

  absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                          absl::Time deadline) override;

 private:
  const std::string content_;
};

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_SYNTHETIC_SHOP_H_
