#include "common/pg_array.h"

#include "absl/strings/str_cat.h"

namespace smartshop {

void PgArrayBuilder::Separate() {
  if (!empty_) text_.push_back(',');
  empty_ = false;
}

void PgArrayBuilder::Add(absl::string_view value) {
  Separate();
  text_.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void PgArrayBuilder::Add(int64_t value) {
  Separate();
  absl::StrAppend(&text_, value);
}

void PgArrayBuilder::AddNull() {
  Separate();
  text_.append("NULL");
}

std::string PgArrayBuilder::Finish() && {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace smartshop
