// PgCatalogStore's merchandising rules (table merchandising_rules,
// migration 0004). Timestamps travel as RFC 3339 text to the microsecond
// (exact at any year a Timestamp holds) and come back as epoch
// microseconds; placements as an integer array.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/pg_array.h"
#include "common/proto_time.h"
#include "common/storage_error.h"
#include "services/tracking/pg_catalog_store.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::MerchandisingRule;

constexpr char kUpsertRulesSql[] = R"sql(
INSERT INTO merchandising_rules (id, product_id, category_id, all_products,
  action, multiplier, pin_position, recent_sales_below, starts_at, ends_at,
  placements)
SELECT i, NULLIF(p, 0), NULLIF(c, 0), a, k, m, pos, r, s::timestamptz,
  e::timestamptz, pl::integer[]
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::boolean[],
            $5::smallint[], $6::float8[], $7::integer[], $8::float8[],
            $9::text[], $10::text[], $11::text[])
  AS t(i, p, c, a, k, m, pos, r, s, e, pl)
ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id,
  category_id = excluded.category_id, all_products = excluded.all_products,
  action = excluded.action, multiplier = excluded.multiplier,
  pin_position = excluded.pin_position,
  recent_sales_below = excluded.recent_sales_below,
  starts_at = excluded.starts_at, ends_at = excluded.ends_at,
  placements = excluded.placements, updated_at = now())sql";

// extract(epoch) is numeric (exact) since Postgres 14.
constexpr char kListRulesSql[] = R"sql(
SELECT id, coalesce(product_id, 0), coalesce(category_id, 0), all_products,
  action, multiplier, pin_position, recent_sales_below,
  (extract(epoch FROM starts_at) * 1000000)::bigint,
  (extract(epoch FROM ends_at) * 1000000)::bigint,
  array_to_string(placements, ','),
  (extract(epoch FROM updated_at) * 1000000)::bigint
FROM merchandising_rules ORDER BY id)sql";

constexpr char kDeleteRulesSql[] =
    "DELETE FROM merchandising_rules WHERE id = ANY($1::text[])";

std::optional<std::string> TimeText(bool has,
                                    const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6SZ", ToTime(ts),
                          absl::UTCTimeZone());
}

void AddText(PgArrayBuilder& array, const std::optional<std::string>& text) {
  text ? array.Add(*text) : array.AddNull();
}

void SetMicros(const pqxx::field& field, google::protobuf::Timestamp* ts) {
  SetTimestamp(absl::FromUnixMicros(field.as<int64_t>()), ts);
}

MerchandisingRule RuleFromRow(const pqxx::row& row) {
  MerchandisingRule rule;
  rule.set_id(row[0].as<std::string>());
  if (const int64_t product = row[1].as<int64_t>(); product != 0) {
    rule.set_product_id(product);
  } else if (const int64_t category = row[2].as<int64_t>(); category != 0) {
    rule.set_category_id(category);
  } else {
    rule.set_all_products(row[3].as<bool>());
  }
  rule.set_action(
      static_cast<smartshop::v1::MerchandisingAction>(row[4].as<int>()));
  rule.set_multiplier(row[5].as<double>());
  rule.set_pin_position(row[6].as<int>());
  rule.set_recent_sales_below(row[7].as<double>());
  if (!row[8].is_null()) SetMicros(row[8], rule.mutable_starts_at());
  if (!row[9].is_null()) SetMicros(row[9], rule.mutable_ends_at());
  for (absl::string_view number :
       absl::StrSplit(row[10].as<std::string>(), ',', absl::SkipEmpty())) {
    int placement = 0;
    if (absl::SimpleAtoi(number, &placement)) {
      rule.add_placements(static_cast<smartshop::v1::Placement>(placement));
    }
  }
  SetMicros(row[11], rule.mutable_updated_at());
  return rule;
}

}  // namespace

absl::Status PgCatalogStore::UpsertMerchandisingRules(
    const google::protobuf::RepeatedPtrField<MerchandisingRule>& rules,
    int max_total, absl::Time deadline) {
  if (rules.empty()) return absl::OkStatus();
  PgArrayBuilder ids, products, categories, all, actions, multipliers,
      positions, below, starts, ends, placements;
  for (const MerchandisingRule& r : rules) {
    ids.Add(r.id());
    products.Add(r.product_id());
    categories.Add(r.category_id());
    all.Add(r.all_products() ? "t" : "f");
    actions.Add(static_cast<int64_t>(r.action()));
    multipliers.Add(absl::StrFormat("%.17g", r.multiplier()));
    positions.Add(static_cast<int64_t>(r.pin_position()));
    below.Add(absl::StrFormat("%.17g", r.recent_sales_below()));
    AddText(starts, TimeText(r.has_starts_at(), r.starts_at()));
    AddText(ends, TimeText(r.has_ends_at(), r.ends_at()));
    placements.Add(absl::StrCat("{", absl::StrJoin(r.placements(), ","), "}"));
  }
  std::vector<std::string> columns;
  for (PgArrayBuilder* array :
       {&ids, &products, &categories, &all, &actions, &multipliers, &positions,
        &below, &starts, &ends, &placements}) {
    columns.push_back(std::move(*array).Finish());
  }
  int64_t total = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    c.EnsurePrepared("upsert_merchandising_rules", kUpsertRulesSql);
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    // Concurrent upserts count one after the other (readers go on).
    txn.exec("LOCK TABLE merchandising_rules IN SHARE ROW EXCLUSIVE MODE");
    txn.exec_prepared("upsert_merchandising_rules", columns[0], columns[1],
                      columns[2], columns[3], columns[4], columns[5],
                      columns[6], columns[7], columns[8], columns[9],
                      columns[10]);
    total =
        txn.exec1("SELECT count(*) FROM merchandising_rules")[0].as<int64_t>();
    // Over the limit: no commit, the transaction rolls back.
    if (total <= max_total) txn.commit();
  });
  if (!status.ok()) {
    return StorageErrorForCaller(status, "upsert_merchandising_rules");
  }
  if (total > max_total) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rules: at most ", max_total, " rules in all; this upsert would make ",
        total, " (delete some first)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MerchandisingRule>>
PgCatalogStore::ListMerchandisingRules(absl::Time deadline) {
  std::vector<MerchandisingRule> rules;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    rules.clear();
    c.EnsurePrepared("list_merchandising_rules", kListRulesSql);
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    for (const auto& row : txn.exec_prepared("list_merchandising_rules")) {
      rules.push_back(RuleFromRow(row));
    }
  });
  if (!status.ok()) {
    return StorageErrorForCaller(status, "list_merchandising_rules");
  }
  return rules;
}

absl::StatusOr<int> PgCatalogStore::DeleteMerchandisingRules(
    absl::Span<const std::string> ids, absl::Time deadline) {
  if (ids.empty()) return 0;
  PgArrayBuilder id_array;
  for (const std::string& id : ids) id_array.Add(id);
  const std::string array = std::move(id_array).Finish();
  int deleted = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    c.EnsurePrepared("delete_merchandising_rules", kDeleteRulesSql);
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    deleted =
        txn.exec_prepared("delete_merchandising_rules", array).affected_rows();
    txn.commit();
  });
  if (!status.ok()) {
    return StorageErrorForCaller(status, "delete_merchandising_rules");
  }
  return deleted;
}

}  // namespace smartshop::tracking
