#include "services/tracking/pg_catalog_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/pg_array.h"
#include "common/storage_error.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Product;

constexpr char kUpsertCategoriesSql[] = R"sql(
INSERT INTO categories (id, name)
SELECT * FROM unnest($1::bigint[], $2::text[])
ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = now())sql";

constexpr char kUpsertProductsSql[] = R"sql(
INSERT INTO products (id, name, category_id, is_active, units_sold, stock,
                      price_cents)
SELECT i, n, NULLIF(c, 0), a, u, s, p
FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::boolean[],
            $5::bigint[], $6::bigint[], $7::bigint[]) AS r(i, n, c, a, u, s, p)
ON CONFLICT (id) DO UPDATE SET name = excluded.name,
  category_id = excluded.category_id, is_active = excluded.is_active,
  units_sold = excluded.units_sold, stock = excluded.stock,
  price_cents = excluded.price_cents, updated_at = now())sql";

constexpr char kProductColumns[] = R"sql(
SELECT p.id, p.name, coalesce(p.category_id, 0), coalesce(c.name, ''),
  p.is_active, p.units_sold, p.stock, p.price_cents
FROM products p LEFT JOIN categories c ON c.id = p.category_id)sql";

Product FromRow(const pqxx::row& row) {
  Product product;
  product.set_id(row[0].as<int64_t>());
  product.set_name(row[1].as<std::string>());
  product.set_category_id(row[2].as<int64_t>());
  product.set_category_name(row[3].as<std::string>());
  product.set_is_active(row[4].as<bool>());
  product.set_units_sold(row[5].as<int64_t>());
  if (!row[6].is_null()) product.set_stock(row[6].as<int64_t>());
  product.set_price_cents(row[7].as<int64_t>());
  return product;
}

// One prepared statement per (order, active_only, has cursor).
std::string ListSql(const ProductQuery& q) {
  const bool by_sales = q.order == smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC;
  std::string sql = absl::StrCat(kProductColumns, " WHERE TRUE");
  if (q.active_only) absl::StrAppend(&sql, " AND p.is_active");
  if (q.after) {
    absl::StrAppend(&sql, by_sales ? " AND (p.units_sold, p.id) < ($2, $3)"
                                   : " AND p.id > $2");
  }
  absl::StrAppend(&sql,
                  by_sales ? " ORDER BY p.units_sold DESC, p.id DESC"
                           : " ORDER BY p.id ASC",
                  " LIMIT $1");
  return sql;
}

}  // namespace

absl::Status PgCatalogStore::UpsertCategories(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Category>&
        categories,
    absl::Time deadline) {
  if (categories.empty()) return absl::OkStatus();
  PgArrayBuilder ids, names;
  for (const auto& category : categories) {
    ids.Add(category.id());
    names.Add(category.name());
  }
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    c.EnsurePrepared("upsert_categories", kUpsertCategoriesSql);
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    txn.exec_prepared("upsert_categories", std::move(ids).Finish(),
                      std::move(names).Finish());
    txn.commit();
  });
  return StorageErrorForCaller(status, "upsert_categories");
}

absl::Status PgCatalogStore::UpsertProducts(
    const google::protobuf::RepeatedPtrField<Product>& products,
    absl::Time deadline) {
  if (products.empty()) return absl::OkStatus();
  PgArrayBuilder ids, names, categories, active, sold, stock, prices;
  for (const auto& p : products) {
    ids.Add(p.id());
    names.Add(p.name());
    categories.Add(p.category_id());
    active.Add(p.is_active() ? "t" : "f");
    sold.Add(p.units_sold());
    stock.Add(p.has_stock() ? std::optional<int64_t>(p.stock()) : std::nullopt);
    prices.Add(p.price_cents());
  }
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    c.EnsurePrepared("upsert_products", kUpsertProductsSql);
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    txn.exec_prepared("upsert_products", std::move(ids).Finish(),
                      std::move(names).Finish(), std::move(categories).Finish(),
                      std::move(active).Finish(), std::move(sold).Finish(),
                      std::move(stock).Finish(), std::move(prices).Finish());
    txn.commit();
  });
  return StorageErrorForCaller(status, "upsert_products");
}

absl::StatusOr<ProductPage> PgCatalogStore::ListProducts(
    const ProductQuery& query, absl::Time deadline) {
  const std::string name =
      absl::StrCat("list_products_", static_cast<int>(query.order), "_",
                   query.active_only, "_", query.after.has_value());
  const ProductCursor after = query.after.value_or(ProductCursor{});
  ProductPage page;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    page.products.clear();
    c.EnsurePrepared(name, ListSql(query));
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    const bool by_sales =
        query.order == smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC;
    pqxx::result rows =
        !query.after ? txn.exec_prepared(name, query.limit + 1)
        : by_sales ? txn.exec_prepared(name, query.limit + 1, after.units_sold,
                                       after.id)
                   : txn.exec_prepared(name, query.limit + 1, after.id);
    for (const auto& row : rows) page.products.push_back(FromRow(row));
  });
  if (!status.ok()) return StorageErrorForCaller(status, "list_products");
  if (static_cast<int>(page.products.size()) > query.limit) {
    page.products.resize(query.limit);
    const Product& last = page.products.back();
    page.next = ProductCursor{last.units_sold(), last.id()};
  }
  return page;
}

absl::StatusOr<std::vector<Product>> PgCatalogStore::GetProducts(
    absl::Span<const int64_t> ids, absl::Time deadline) {
  std::vector<Product> products;
  if (ids.empty()) return products;
  PgArrayBuilder id_array;
  for (int64_t id : ids) id_array.Add(id);
  const std::string array = std::move(id_array).Finish();
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    products.clear();
    c.EnsurePrepared(
        "get_products",
        absl::StrCat(kProductColumns, " WHERE p.id = ANY($1::bigint[])"));
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    for (const auto& row : txn.exec_prepared("get_products", array)) {
      products.push_back(FromRow(row));
    }
  });
  if (!status.ok()) return StorageErrorForCaller(status, "get_products");
  return products;
}

}  // namespace smartshop::tracking
