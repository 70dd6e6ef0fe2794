-- Merchandising rules (catalog.proto, MerchandisingRule): what the shop
-- boosts, buries, pins or excludes. Validated by the service; the checks
-- here only keep a hand-written row from breaking the recommender's reads.
CREATE TABLE merchandising_rules (
  id                 text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  -- Exactly one target. No foreign keys: products and categories may be
  -- pushed after the rule (catalog sync can lag).
  product_id         bigint CHECK (product_id > 0),
  category_id        bigint CHECK (category_id > 0),
  all_products       boolean NOT NULL DEFAULT false,
  -- MerchandisingAction's number.
  action             smallint NOT NULL CHECK (action BETWEEN 1 AND 5),
  multiplier         double precision NOT NULL DEFAULT 0,
  pin_position       integer NOT NULL DEFAULT 0,
  recent_sales_below double precision NOT NULL DEFAULT 0,
  -- NULL: from now / no end.
  starts_at          timestamptz,
  ends_at            timestamptz,
  -- Placement numbers; empty = every placement.
  placements         integer[] NOT NULL DEFAULT '{}',
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(product_id, category_id, nullif(all_products, false)) = 1),
  CHECK (ends_at > starts_at)
);
