#include "tools/import/text_table.h"

#include <algorithm>
#include <cassert>

namespace smartshop::import {
namespace {

// Characters, not bytes, so that names with accents stay aligned.
size_t Utf8Length(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

void AppendPadded(const std::string& cell, size_t width, TextTable::Align align,
                  std::string& line) {
  const std::string padding(width - Utf8Length(cell), ' ');
  if (align == TextTable::Align::kRight) line += padding;
  line += cell;
  if (align == TextTable::Align::kLeft) line += padding;
}

}  // namespace

void TextTable::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<size_t> widths;
  for (const Column& column : columns_) {
    widths.push_back(Utf8Length(column.title));
  }
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], Utf8Length(row[i]));
    }
  }
  auto render_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line += "  ";
      AppendPadded(cells[i], widths[i], columns_[i].align, line);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
  };
  std::vector<std::string> titles;
  std::vector<std::string> rules;
  for (size_t i = 0; i < columns_.size(); ++i) {
    titles.push_back(columns_[i].title);
    rules.push_back(std::string(widths[i], '-'));
  }
  std::string out = render_line(titles) + render_line(rules);
  for (const auto& row : rows_) out += render_line(row);
  return out;
}

std::string Ellipsize(const std::string& text, size_t max_chars) {
  if (Utf8Length(text) <= max_chars) return text;
  const size_t keep = max_chars < 3 ? max_chars : max_chars - 3;
  size_t chars = 0;
  size_t end = 0;
  while (end < text.size()) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80) {
      if (chars == keep) break;
      ++chars;
    }
    ++end;
  }
  return text.substr(0, end) + (max_chars < 3 ? "" : "...");
}

}  // namespace smartshop::import
