// The catalog upserts' argument checks: ids, names and counts of the
// categories and products the shop pushes, before anything reaches the store.
#ifndef SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_
#define SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "smartshop/v1/catalog.pb.h"

namespace smartshop::tracking {

inline constexpr size_t kMaxNameBytes = 255;

// INVALID_ARGUMENT naming the index and field of the first bad entry.
absl::Status ValidateCategories(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Category>& list,
    int max_batch_size);
absl::Status ValidateProducts(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Product>& list,
    int max_batch_size);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_CATALOG_VALIDATION_H_
