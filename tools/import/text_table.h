// A plain-text table for terminal output: columns padded to their widest
// cell, numbers right-aligned.
#ifndef SMARTSHOP_TOOLS_IMPORT_TEXT_TABLE_H_
#define SMARTSHOP_TOOLS_IMPORT_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace smartshop::import {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit TextTable(std::vector<Column> columns)
      : columns_(std::move(columns)) {}

  // REQUIRES: one cell per column.
  void AddRow(std::vector<std::string> cells);

  // Title line, a rule, then the rows; each line ends with '\n' and has no
  // trailing spaces.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` cut to `max_chars` characters (UTF-8 aware), ending in "..." when
// cut.
std::string Ellipsize(const std::string& text, size_t max_chars);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_TEXT_TABLE_H_
