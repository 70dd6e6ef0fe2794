#include "tools/import/skip_tally.h"

#include "absl/strings/str_cat.h"

namespace smartshop::import {

std::string ShowValue(absl::string_view value) {
  constexpr size_t kMax = 40;
  if (value.size() <= kMax) return absl::StrCat("\"", value, "\"");
  return absl::StrCat("\"", value.substr(0, kMax), "...\"");
}

std::optional<RowIssue> WrongFieldCount(const std::vector<std::string>& fields,
                                        int field_count) {
  if (static_cast<int>(fields.size()) == field_count) return std::nullopt;
  return RowIssue{
      "wrong number of fields",
      absl::StrCat(fields.size(), " fields, the header has ", field_count)};
}

void SkipTally::Add(int64_t row, const RowIssue& issue) {
  auto [it, inserted] = index_.try_emplace(issue.reason, groups_.size());
  if (inserted) {
    groups_.emplace_back();
    groups_.back().reason = issue.reason;
  }
  Group& group = groups_[it->second];
  ++group.count;
  ++total_;
  if (group.examples.size() < kExamplesKept) {
    group.examples.push_back(absl::StrCat("row ", row, ": ", issue.detail));
  }
}

}  // namespace smartshop::import
