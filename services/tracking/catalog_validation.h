// The catalog upserts' argument checks: ids, names and counts of the
// categories, products and merchandising rules the shop pushes, before
// anything reaches the store.
#ifndef SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_
#define SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "smartshop/v1/catalog.pb.h"

namespace smartshop::tracking {

inline constexpr size_t kMaxNameBytes = 255;
// Merchandising rules' limits (catalog.proto states them).
inline constexpr size_t kMaxRuleIdBytes = 64;
inline constexpr int kMaxPinPosition = 8;
inline constexpr double kMaxRuleMultiplier = 100;
inline constexpr double kMaxRecentSalesBelow = 1'000'000;
inline constexpr int kMaxMerchandisingRules = 10'000;

// INVALID_ARGUMENT naming the index and field of the first bad entry.
absl::Status ValidateCategories(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Category>& list,
    int max_batch_size);
absl::Status ValidateProducts(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Product>& list,
    int max_batch_size);
// Every rule alone (INVALID_ARGUMENT "rules[3].pin_position: must be 1 to
// 8"), ids distinct. Products and categories need not be known.
absl::Status ValidateMerchandisingRules(
    const google::protobuf::RepeatedPtrField<smartshop::v1::MerchandisingRule>&
        list,
    int max_batch_size);
// DeleteMerchandisingRules' ids: 1 to `max_ids`, each a well-formed rule id.
absl::Status ValidateRuleIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids, int max_ids);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_
