#include "services/tracking/catalog_validation.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Product;

absl::Status Invalid(absl::string_view list, int index, absl::string_view field,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(list, "[", index, "].", field, ": ", why));
}

absl::Status CheckCount(absl::string_view list, int size, int max) {
  if (size > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        list, ": ", size, " entries is over the limit of ", max, " per call"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdAndName(absl::string_view list, int index, int64_t id,
                            const std::string& name,
                            absl::flat_hash_set<int64_t>& seen) {
  if (id <= 0) return Invalid(list, index, "id", "must be > 0");
  if (!seen.insert(id).second) {
    return Invalid(list, index, "id", absl::StrCat("repeats id ", id));
  }
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Invalid(list, index, "name",
                   absl::StrCat("must be 1 to ", kMaxNameBytes, " bytes"));
  }
  if (name.find('\0') != std::string::npos) {
    return Invalid(list, index, "name", "must not contain NUL");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCategories(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Category>& list,
    int max_batch_size) {
  if (auto s = CheckCount("categories", list.size(), max_batch_size); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < list.size(); ++i) {
    if (auto s =
            CheckIdAndName("categories", i, list[i].id(), list[i].name(), seen);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateProducts(
    const google::protobuf::RepeatedPtrField<Product>& list,
    int max_batch_size) {
  if (auto s = CheckCount("products", list.size(), max_batch_size); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < list.size(); ++i) {
    const Product& p = list[i];
    if (auto s = CheckIdAndName("products", i, p.id(), p.name(), seen);
        !s.ok()) {
      return s;
    }
    if (p.category_id() < 0) {
      return Invalid("products", i, "category_id", "must not be negative");
    }
    if (p.units_sold() < 0) {
      return Invalid("products", i, "units_sold", "must not be negative");
    }
    if (p.has_stock() && p.stock() < 0) {
      return Invalid("products", i, "stock", "must not be negative");
    }
    if (p.price_cents() < 0) {
      return Invalid("products", i, "price_cents", "must not be negative");
    }
  }
  return absl::OkStatus();
}

}  // namespace smartshop::tracking
