-- The interaction log and the catalog replica.

CREATE TABLE categories (
  id         bigint PRIMARY KEY CHECK (id > 0),
  name       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id          bigint PRIMARY KEY CHECK (id > 0),
  name        text NOT NULL,
  -- No foreign key: the shop may push products before their category.
  category_id bigint,
  is_active   boolean NOT NULL,
  units_sold  bigint NOT NULL CHECK (units_sold >= 0),
  -- NULL: the shop does not track stock for this product.
  stock       bigint CHECK (stock >= 0),
  price_cents bigint NOT NULL CHECK (price_cents >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- "Top sellers": active products by units_sold, and the same over all.
CREATE INDEX products_active_top_sellers ON products (units_sold DESC, id DESC)
  WHERE is_active;
CREATE INDEX products_top_sellers ON products (units_sold DESC, id DESC);

CREATE TABLE interactions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         uuid NOT NULL UNIQUE,
  user_id          text,
  session_key      text,
  interaction_type text NOT NULL CHECK (interaction_type IN (
                     'view_category', 'view_product', 'add_to_cart',
                     'update_cart', 'remove_from_cart', 'checkout_started',
                     'order_placed', 'search', 'review_submitted')),
  occurred_at      timestamptz NOT NULL,
  -- No foreign keys: events may name products the catalog does not know yet.
  product_id       bigint,
  category_id      bigint,
  order_id         bigint,
  quantity         integer NOT NULL DEFAULT 0,
  search_query     text,
  page_url         text,
  referrer_url     text,
  ip_address       inet,
  user_agent       text,
  extra_data       jsonb NOT NULL DEFAULT '{}',
  received_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (user_id IS NOT NULL OR session_key IS NOT NULL)
);

-- The original system's five indexes; id breaks timestamp ties so that
-- paging by (occurred_at, id) is served by the same index.
CREATE INDEX interactions_recent ON interactions (occurred_at DESC, id DESC);
CREATE INDEX interactions_type_recent
  ON interactions (interaction_type, occurred_at DESC, id DESC);
CREATE INDEX interactions_user_recent
  ON interactions (user_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_session_recent
  ON interactions (session_key, occurred_at DESC, id DESC);
CREATE INDEX interactions_product_recent
  ON interactions (product_id, occurred_at DESC, id DESC);
