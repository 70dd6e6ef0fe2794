#include "tools/import/catalog_builder.h"

#include <utility>

#include "absl/strings/ascii.h"

namespace smartshop::import {

int64_t CatalogBuilder::Add(const RetailLine& line, bool is_sale) {
  auto [it, inserted] =
      ids_.try_emplace(line.stock_code, static_cast<int64_t>(ids_.size()) + 1);
  if (inserted) {
    entries_.emplace_back();
    entries_.back().stock_code = line.stock_code;
  }
  Entry& entry = entries_[it->second - 1];
  // ">=": of lines with the same time, the later row wins, as in the file.
  if (!line.description.empty() && line.time >= entry.name_time) {
    entry.name = line.description;
    entry.name_time = line.time;
  }
  // Zero prices mark free items and stock adjustments, not the product's
  // price.
  if (line.unit_price_cents > 0 && line.time >= entry.price_time) {
    entry.price_cents = line.unit_price_cents;
    entry.price_time = line.time;
  }
  if (is_sale) entry.units_sold += line.quantity;
  return it->second;
}

std::vector<smartshop::v1::Product> CatalogBuilder::Products() const {
  std::vector<smartshop::v1::Product> products;
  products.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = entries_[i];
    smartshop::v1::Product& product = products.emplace_back();
    product.set_id(static_cast<int64_t>(i) + 1);
    product.set_name(
        TruncateUtf8(entry.name.empty() ? entry.stock_code : entry.name,
                     kMaxCatalogNameBytes));
    product.set_category_id(kCategoryId);
    product.set_is_active(true);
    product.set_units_sold(entry.units_sold);
    product.set_price_cents(entry.price_cents);
  }
  return products;
}

smartshop::v1::Category CatalogBuilder::Category() {
  smartshop::v1::Category category;
  category.set_id(kCategoryId);
  category.set_name(kCategoryName);
  return category;
}

std::vector<std::string> CatalogBuilder::CaseVariants() const {
  absl::flat_hash_map<std::string, int> per_folded_code;
  for (const Entry& entry : entries_) {
    ++per_folded_code[absl::AsciiStrToUpper(entry.stock_code)];
  }
  std::vector<std::string> variants;
  for (const Entry& entry : entries_) {
    if (per_folded_code[absl::AsciiStrToUpper(entry.stock_code)] > 1) {
      variants.push_back(entry.stock_code);
    }
  }
  return variants;
}

std::string TruncateUtf8(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to a sequence start.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  text.resize(end);
  return text;
}

}  // namespace smartshop::import
