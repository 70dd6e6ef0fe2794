// Postgres array literals ('{"a","b",NULL}') for passing a whole batch as
// one parameter per column to a prepared INSERT ... SELECT FROM unnest(...).
// libpqxx 6 has no conversion for containers, so this quotes per the
// documented array input syntax: every element double-quoted, with `"` and
// `\` backslash-escaped.
#ifndef SMARTSHOP_COMMON_PG_ARRAY_H_
#define SMARTSHOP_COMMON_PG_ARRAY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace smartshop {

class PgArrayBuilder {
 public:
  PgArrayBuilder() : text_("{") {}

  void Add(absl::string_view value);
  void Add(int64_t value);
  void AddNull();
  void Add(const std::optional<int64_t>& value) {
    value ? Add(*value) : AddNull();
  }

  // The finished literal; the builder is spent afterwards.
  std::string Finish() &&;

 private:
  void Separate();

  std::string text_;
  bool empty_ = true;
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_PG_ARRAY_H_
