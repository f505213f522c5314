-- The Spanner (GoogleSQL dialect) twin of src/schema.ts. test/spanner-schema.test.ts compares the two
-- and fails on any drift; `pnpm --filter @frequency/db spanner:apply` applies what is missing.
--
-- Type mapping: text -> STRING(MAX), integer/smallint -> INT64, double precision -> FLOAT64,
-- boolean -> BOOL, timestamptz -> TIMESTAMP. Column defaults are the Postgres ones, so a column can be
-- added to a table that has rows.
-- Postgres unique constraints become UNIQUE INDEXes of the same name (Spanner has no UNIQUE
-- constraint). Keys are random prefixed ids (`ord_…`), never sequences: a monotonically increasing
-- key would send every insert to the last split.
--
-- One deliberate difference, encoded in the drift test: tickets are keyed (order_id, ordinal), which
-- is Postgres's unique (order_id, ordinal), and Postgres's primary key (id) becomes the unique index
-- tickets_id_unique. Same uniqueness, same write cost (one unique index either way), but an order's
-- tickets are one contiguous key range read without a back-join through an index. They are not
-- INTERLEAVEd in orders: Spanner requires a child's key to start with the parent's key columns under
-- the same names, i.e. a tickets key column named `id` holding the order id, while `id` is already
-- the ticket id in both schemas. See docs/spanner.md.
--
-- Timestamps that Postgres fills with now() (created_at, persisted_at) are commit-timestamp columns
-- here: the store writes spanner.commit_timestamp() into them. updated_at, added later, defaults to
-- CURRENT_TIMESTAMP() instead: Spanner cannot add a NOT NULL commit-timestamp column to a table with
-- rows (such a column may have no default).
-- Statements are separated by semicolons; `--` lines are comments and are stripped before applying.

CREATE TABLE events (
  id STRING(MAX) NOT NULL,
  name STRING(MAX) NOT NULL,
  venue STRING(MAX) NOT NULL,
  tickets_total INT64 NOT NULL,
  max_per_order INT64 NOT NULL,
  opens_at TIMESTAMP NOT NULL,
  admission_rate_per_second FLOAT64 NOT NULL DEFAULT (0),
  max_active_checkouts INT64 NOT NULL DEFAULT (1),
  paused BOOL NOT NULL DEFAULT (false),
  join_challenge_bits INT64 NOT NULL DEFAULT (0),
  -- Rows added before this column take 1 until their first definition (Postgres's migration copies
  -- max_per_order; a Spanner DEFAULT cannot name another column).
  max_per_buyer INT64 NOT NULL DEFAULT (1),
  checkout_window_seconds INT64 NOT NULL DEFAULT (300),
  version INT64 NOT NULL DEFAULT (0),
  shuffle_seed STRING(MAX),
  shuffle_commitment STRING(MAX),
  created_at TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  updated_at TIMESTAMP NOT NULL DEFAULT (CURRENT_TIMESTAMP()),
  CONSTRAINT events_tickets_total_positive CHECK (tickets_total > 0),
) PRIMARY KEY (id);

-- The ledger's cap: the CHECK refuses a commit that would hold more tickets than tickets_total; the
-- store also checks inside the read-write transaction that reads the row, so it rejects SOLD_OUT
-- orders instead of failing the commit.
CREATE TABLE event_inventory (
  event_id STRING(MAX) NOT NULL,
  tickets_total INT64 NOT NULL,
  tickets_sold INT64 NOT NULL DEFAULT (0),
  CONSTRAINT event_inventory_tickets_total_positive CHECK (tickets_total > 0),
  CONSTRAINT event_inventory_sold_not_negative CHECK (tickets_sold >= 0),
  CONSTRAINT event_inventory_sold_within_total CHECK (tickets_sold <= tickets_total),
) PRIMARY KEY (event_id);

CREATE TABLE orders (
  id STRING(MAX) NOT NULL,
  event_id STRING(MAX) NOT NULL,
  admission_id STRING(MAX) NOT NULL,
  entry_id STRING(MAX) NOT NULL,
  quantity INT64 NOT NULL,
  buyer_name STRING(MAX) NOT NULL,
  buyer_email STRING(MAX) NOT NULL,
  status STRING(MAX) NOT NULL,
  reason STRING(MAX),
  reserved_at TIMESTAMP NOT NULL,
  persisted_at TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  CONSTRAINT orders_quantity_positive CHECK (quantity > 0),
  CONSTRAINT orders_status_reason CHECK ((status = 'confirmed' AND reason IS NULL) OR (status = 'rejected' AND reason IN ('SOLD_OUT', 'INVALID', 'FAILED'))),
) PRIMARY KEY (id);

-- One order per admission: a second order id for the same admission fails ALREADY_EXISTS.
CREATE UNIQUE INDEX orders_admission_id_unique ON orders (admission_id);

-- Index keys end with the table key (a random id), so one event's entries spread over splits; the
-- id also orders an event's orders for the pages Redis is rebuilt from.
CREATE INDEX orders_event_id_idx ON orders (event_id, id);

CREATE TABLE tickets (
  order_id STRING(MAX) NOT NULL,
  ordinal INT64 NOT NULL,
  id STRING(MAX) NOT NULL,
  event_id STRING(MAX) NOT NULL,
  code STRING(MAX) NOT NULL,
  CONSTRAINT tickets_order_id_orders_id_fk FOREIGN KEY (order_id) REFERENCES orders (id),
) PRIMARY KEY (order_id, ordinal);

CREATE UNIQUE INDEX tickets_id_unique ON tickets (id);

CREATE UNIQUE INDEX tickets_code_unique ON tickets (code);

-- The reconciliation count (tickets per event) reads only this index.
CREATE INDEX tickets_event_id_idx ON tickets (event_id);
