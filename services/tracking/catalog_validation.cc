#include "services/tracking/catalog_validation.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::MerchandisingRule;
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

// "" when `id` is a well-formed rule id, else why not.
std::string RuleIdProblem(const std::string& id) {
  if (id.empty() || id.size() > kMaxRuleIdBytes) {
    return absl::StrCat("must be 1 to ", kMaxRuleIdBytes, " bytes");
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != ':' &&
        c != '-') {
      return "may hold only A-Z a-z 0-9 _ . : -";
    }
  }
  return "";
}

bool ValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >=
             google::protobuf::util::TimeUtil::kTimestampMinSeconds &&
         ts.seconds() <=
             google::protobuf::util::TimeUtil::kTimestampMaxSeconds &&
         ts.nanos() >= 0 && ts.nanos() <= 999'999'999;
}

// The target's checks: present, positive, all_products only where it fits.
absl::Status CheckTarget(int i, const MerchandisingRule& r) {
  switch (r.target_case()) {
    case MerchandisingRule::kProductId:
      if (r.product_id() <= 0) {
        return Invalid("rules", i, "product_id", "must be > 0");
      }
      return absl::OkStatus();
    case MerchandisingRule::kCategoryId:
      if (r.category_id() <= 0) {
        return Invalid("rules", i, "category_id", "must be > 0");
      }
      return absl::OkStatus();
    case MerchandisingRule::kAllProducts:
      if (!r.all_products()) {
        return Invalid("rules", i, "all_products", "must be true when set");
      }
      if (r.action() != smartshop::v1::MERCHANDISING_PROMOTE_SLOW_MOVING) {
        return Invalid("rules", i, "all_products",
                       "only for MERCHANDISING_PROMOTE_SLOW_MOVING");
      }
      return absl::OkStatus();
    case MerchandisingRule::TARGET_NOT_SET:
      break;
  }
  return Invalid("rules", i, "target",
                 "required: product_id, category_id or all_products");
}

// The action's own numbers; every other number must stay 0.
absl::Status CheckAction(int i, const MerchandisingRule& r) {
  using smartshop::v1::MerchandisingAction;
  const MerchandisingAction action = r.action();
  if (action == smartshop::v1::MERCHANDISING_ACTION_UNSPECIFIED ||
      !smartshop::v1::MerchandisingAction_IsValid(action)) {
    return Invalid("rules", i, "action", "required: a MerchandisingAction");
  }
  const bool scales =
      action == smartshop::v1::MERCHANDISING_BOOST ||
      action == smartshop::v1::MERCHANDISING_PROMOTE_SLOW_MOVING;
  if (scales && !(r.multiplier() > 1 && r.multiplier() <= kMaxRuleMultiplier)) {
    return Invalid(
        "rules", i, "multiplier",
        absl::StrCat("must be more than 1 and at most ", kMaxRuleMultiplier));
  }
  if (!scales && r.multiplier() != 0) {
    return Invalid("rules", i, "multiplier",
                   "only for MERCHANDISING_BOOST and "
                   "MERCHANDISING_PROMOTE_SLOW_MOVING");
  }
  const bool pins = action == smartshop::v1::MERCHANDISING_PIN;
  if (pins && (r.pin_position() < 1 || r.pin_position() > kMaxPinPosition)) {
    return Invalid("rules", i, "pin_position",
                   absl::StrCat("must be 1 to ", kMaxPinPosition));
  }
  if (!pins && r.pin_position() != 0) {
    return Invalid("rules", i, "pin_position", "only for MERCHANDISING_PIN");
  }
  const bool slow = action == smartshop::v1::MERCHANDISING_PROMOTE_SLOW_MOVING;
  if (slow && !(r.recent_sales_below() > 0 &&
                r.recent_sales_below() <= kMaxRecentSalesBelow)) {
    return Invalid("rules", i, "recent_sales_below",
                   absl::StrCat("must be more than 0 and at most ",
                                static_cast<int64_t>(kMaxRecentSalesBelow)));
  }
  if (!slow && r.recent_sales_below() != 0) {
    return Invalid("rules", i, "recent_sales_below",
                   "only for MERCHANDISING_PROMOTE_SLOW_MOVING");
  }
  return absl::OkStatus();
}

absl::Status CheckTimesAndPlacements(int i, const MerchandisingRule& r) {
  if (r.has_starts_at() && !ValidTimestamp(r.starts_at())) {
    return Invalid("rules", i, "starts_at", "not a valid Timestamp");
  }
  if (r.has_ends_at() && !ValidTimestamp(r.ends_at())) {
    return Invalid("rules", i, "ends_at", "not a valid Timestamp");
  }
  // Compared as stored (to the microsecond), so that a stored rule never
  // ends before it starts.
  using google::protobuf::util::TimeUtil;
  if (r.has_starts_at() && r.has_ends_at() &&
      TimeUtil::TimestampToMicroseconds(r.ends_at()) <=
          TimeUtil::TimestampToMicroseconds(r.starts_at())) {
    return Invalid("rules", i, "ends_at", "must be after starts_at");
  }
  absl::flat_hash_set<int> placements;
  for (int p : r.placements()) {
    if (!smartshop::v1::Placement_IsValid(p)) {
      return Invalid("rules", i, "placements",
                     absl::StrCat("unknown placement ", p));
    }
    if (!placements.insert(p).second) {
      return Invalid(
          "rules", i, "placements",
          absl::StrCat("repeats placement ", smartshop::v1::Placement_Name(p)));
    }
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

absl::Status ValidateMerchandisingRules(
    const google::protobuf::RepeatedPtrField<MerchandisingRule>& list,
    int max_batch_size) {
  if (auto s = CheckCount("rules", list.size(), max_batch_size); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < list.size(); ++i) {
    const MerchandisingRule& r = list[i];
    if (std::string problem = RuleIdProblem(r.id()); !problem.empty()) {
      return Invalid("rules", i, "id", problem);
    }
    if (!seen.insert(r.id()).second) {
      return Invalid("rules", i, "id", absl::StrCat("repeats id ", r.id()));
    }
    for (auto check : {CheckAction, CheckTarget, CheckTimesAndPlacements}) {
      if (absl::Status s = check(i, r); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRuleIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids, int max_ids) {
  if (ids.empty() || ids.size() > max_ids) {
    return absl::InvalidArgumentError(
        absl::StrCat("ids: must hold 1 to ", max_ids, " ids"));
  }
  for (int i = 0; i < ids.size(); ++i) {
    if (std::string problem = RuleIdProblem(ids[i]); !problem.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ids[", i, "]: ", problem));
    }
  }
  return absl::OkStatus();
}

}  // namespace smartshop::tracking
