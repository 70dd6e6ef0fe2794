#include "tools/import/shop_files.h"

#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "boost/uuid/name_generator_sha1.hpp"
#include "boost/uuid/string_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tools/import/catalog_builder.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::Product;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status CheckName(absl::string_view field, const std::string& name) {
  if (name.size() > kMaxCatalogNameBytes) {
    return Invalid(field, absl::StrCat("longer than ", kMaxCatalogNameBytes,
                                       " bytes (", name.size(), ")"));
  }
  if (name.find('\0') != std::string::npos) {
    return Invalid(field, "contains a NUL byte");
  }
  return absl::OkStatus();
}

// Collects valid products line by line, keeping the last of each id and
// the last name of each category.
class CatalogCollector {
 public:
  void Add(int64_t line, Product product) {
    ++file_.records;
    if (absl::Status valid = CheckProduct(product); !valid.ok()) {
      Skip(line, valid.message());
      return;
    }
    if (product.category_id() > 0 && !product.category_name().empty()) {
      auto [it, inserted] = category_names_.try_emplace(
          product.category_id(), product.category_name(), line);
      if (!inserted && it->second.first != product.category_name()) {
        file_.notes.push_back(
            {line,
             absl::StrCat("category ", product.category_id(), " was named \"",
                          it->second.first, "\" on line ", it->second.second,
                          "; \"", product.category_name(), "\" wins")});
        it->second = {product.category_name(), line};
      }
    } else if (product.category_id() > 0) {
      unnamed_categories_.try_emplace(product.category_id(), line);
    }
    auto [it, inserted] =
        index_.try_emplace(product.id(), file_.products.size());
    if (inserted) {
      file_.products.push_back(std::move(product));
      file_.product_lines.push_back(line);
      return;
    }
    file_.notes.push_back(
        {line,
         absl::StrCat("product ", product.id(), " again (line ",
                      file_.product_lines[it->second], "); this line wins")});
    file_.products[it->second] = std::move(product);
    file_.product_lines[it->second] = line;
  }

  void Skip(int64_t line, absl::string_view why) {
    file_.skipped.push_back({line, std::string(why)});
  }

  // Counts a record that could not even be parsed.
  void SkipUnparsed(int64_t line, absl::string_view why) {
    ++file_.records;
    Skip(line, why);
  }

  CatalogFile Finish() && {
    for (const auto& [id, name_line] : category_names_) {
      smartshop::v1::Category& category = file_.categories.emplace_back();
      category.set_id(id);
      category.set_name(name_line.first);
      unnamed_categories_.erase(id);
    }
    for (const auto& [id, line] : unnamed_categories_) {
      file_.notes.push_back(
          {line, absl::StrCat("category ", id,
                              " has no category_name on any line; it is "
                              "not upserted, and its products show no "
                              "category name until it is")});
    }
    return std::move(file_);
  }

 private:
  CatalogFile file_;
  absl::flat_hash_map<int64_t, size_t> index_;  // product id -> products
  // Ordered, so that categories are upserted by ascending id.
  std::map<int64_t, std::pair<std::string, int64_t>> category_names_;
  std::map<int64_t, int64_t> unnamed_categories_;  // id -> first line
};

// Chosen once for this tool; changing it would make every re-import store
// all events again.
constexpr char kShopEventIdNamespace[] = "5d0f4c1e-8f53-4b8e-9b7a-3c2e61f0a7d4";

// The event's bytes in a form that does not depend on how the line was
// written (field order, spacing, JSON or CSV).
std::string Canonical(const Interaction& event) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace

absl::Status CheckProduct(const Product& product) {
  if (product.id() <= 0) return Invalid("id", "must be > 0");
  if (product.name().empty()) return Invalid("name", "required");
  if (absl::Status name = CheckName("name", product.name()); !name.ok()) {
    return name;
  }
  if (product.category_id() < 0) {
    return Invalid("category_id", "must not be negative");
  }
  if (!product.category_name().empty()) {
    if (product.category_id() == 0) {
      return Invalid("category_name", "given without a category_id");
    }
    if (absl::Status name = CheckName("category_name", product.category_name());
        !name.ok()) {
      return name;
    }
  }
  if (product.units_sold() < 0) {
    return Invalid("units_sold", "must not be negative");
  }
  if (product.has_stock() && product.stock() < 0) {
    return Invalid("stock", "must not be negative");
  }
  if (product.price_cents() < 0) {
    return Invalid("price_cents", "must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<CatalogFile> ReadCatalog(std::istream& in, FileFormat format) {
  CatalogCollector collector;
  Product product;
  absl::Status read = ForEachMessage(
      in, format, product, {"id", "name", "is_active"},
      "id,name,category_id,category_name,is_active,units_sold,stock,"
      "price_cents",
      [&](int64_t line) { collector.Add(line, std::move(product)); },
      [&](int64_t line, absl::string_view why) {
        collector.SkipUnparsed(line, why);
      });
  if (!read.ok()) return read;
  return std::move(collector).Finish();
}

absl::StatusOr<EventFile> ReadEvents(std::istream& in, FileFormat format) {
  EventFile file;
  Interaction event;
  absl::Status read = ForEachMessage(
      in, format, event, {"type"},
      "user_id,session_key,type,timestamp,product_id,quantity",
      [&](int64_t line) {
        ++file.records;
        file.events.push_back(std::move(event));
        file.event_lines.push_back(line);
      },
      [&](int64_t line, absl::string_view why) {
        ++file.records;
        file.skipped.push_back({line, std::string(why)});
      });
  if (!read.ok()) return read;
  return file;
}

int64_t AssignStableEventIds(std::vector<Interaction>& events) {
  static const boost::uuids::uuid kNamespaceUuid =
      boost::uuids::string_generator()(kShopEventIdNamespace);
  boost::uuids::name_generator_sha1 generate(kNamespaceUuid);
  absl::flat_hash_map<std::string, int64_t> seen;  // content -> occurrences
  int64_t assigned = 0;
  for (Interaction& event : events) {
    if (!event.event_id().empty()) continue;
    std::string content = Canonical(event);
    const int64_t occurrence = seen[content]++;
    event.set_event_id(boost::uuids::to_string(
        generate(absl::StrCat("smartshop-cli:", occurrence, ":", content))));
    ++assigned;
  }
  return assigned;
}

}  // namespace smartshop::import
