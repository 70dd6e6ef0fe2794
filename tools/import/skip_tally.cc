#include "tools/import/skip_tally.h"

#include "absl/strings/str_cat.h"

namespace smartshop::import {

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
