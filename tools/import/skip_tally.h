// Rows of an input file that yield nothing, counted by reason: what the
// importers and the offline evaluation print instead of dropping them
// silently.
#ifndef SMARTSHOP_TOOLS_IMPORT_SKIP_TALLY_H_
#define SMARTSHOP_TOOLS_IMPORT_SKIP_TALLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace smartshop::import {

// Why a row yields nothing. `reason` is a fixed phrase, so that a summary
// can count rows by it; `detail` is about this row.
struct RowIssue {
  std::string reason;
  std::string detail;
};

// A value quoted and cut short (40 bytes), for a message about it.
std::string ShowValue(absl::string_view value);

// "wrong number of fields" when a row has not `field_count` fields.
std::optional<RowIssue> WrongFieldCount(const std::vector<std::string>& fields,
                                        int field_count);

// Rows counted by the reason they yield nothing, in order of first
// occurrence, each with its first few examples.
class SkipTally {
 public:
  struct Group {
    std::string reason;
    int64_t count = 0;
    std::vector<std::string> examples;  // "row 12: <detail>"
  };

  void Add(int64_t row, const RowIssue& issue);
  const std::vector<Group>& groups() const { return groups_; }
  int64_t total() const { return total_; }

 private:
  static constexpr size_t kExamplesKept = 3;
  std::vector<Group> groups_;
  absl::flat_hash_map<std::string, size_t> index_;  // reason -> groups_
  int64_t total_ = 0;
};

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_SKIP_TALLY_H_
