import { describe, expect, test } from 'vitest';
import { eventInventory, events, orders, tickets } from '../src/schema.js';
import { loadSpannerDdl, parseSpannerDdl } from '../src/spanner-ddl.js';
import { schemaDrift } from './schema-drift.js';

const drizzleTables = [events, eventInventory, orders, tickets];
const committedDdl = loadSpannerDdl();

/** The committed DDL with one text substitution, to show the check sees that kind of drift. */
function driftedBy(find: string, replace: string): string[] {
  const statements = committedDdl.map((statement) => statement.replace(find, replace));
  if (statements.join(';') === committedDdl.join(';'))
    throw new Error(`"${find}" is not in schema.sql`);
  return schemaDrift(drizzleTables, parseSpannerDdl(statements));
}

describe('Spanner DDL against the Drizzle schema', () => {
  test('agree on tables, columns, keys, unique and plain indexes, foreign keys and checks', () => {
    expect(schemaDrift(drizzleTables, parseSpannerDdl(committedDdl))).toEqual([]);
  });

  test('reads every statement of schema.sql', () => {
    const schema = parseSpannerDdl(committedDdl);
    expect(schema.tables.map((t) => t.name)).toEqual([
      'events',
      'event_inventory',
      'orders',
      'tickets',
    ]);
    expect(schema.indexes).toHaveLength(5);
  });

  describe('report drift', () => {
    test('a column with another type', () => {
      expect(driftedBy('quantity INT64 NOT NULL', 'quantity STRING(MAX) NOT NULL')).toEqual([
        'orders.quantity: type INT64 expected, STRING(MAX) in the Spanner DDL',
      ]);
    });

    test('a column that lost NOT NULL', () => {
      expect(driftedBy('buyer_email STRING(MAX) NOT NULL', 'buyer_email STRING(MAX)')).toEqual([
        'orders.buyer_email: NOT NULL in Drizzle, nullable in the Spanner DDL',
      ]);
    });

    test('a column missing, and one only in Spanner', () => {
      expect(driftedBy('entry_id STRING(MAX) NOT NULL', 'entry STRING(MAX) NOT NULL')).toEqual([
        'orders.entry_id: missing in the Spanner DDL',
        'orders.entry: in the Spanner DDL only',
      ]);
    });

    test('a unique index that is no longer unique', () => {
      expect(
        driftedBy('CREATE UNIQUE INDEX tickets_code_unique', 'CREATE INDEX tickets_code_unique'),
      ).toEqual([
        'tickets index tickets_code_unique: UNIQUE INDEX (code) in Drizzle, INDEX (code) in the Spanner DDL',
      ]);
    });

    test('a primary key that is neither the Postgres one nor the deliberate mapping', () => {
      expect(driftedBy('PRIMARY KEY (order_id, ordinal)', 'PRIMARY KEY (id)')).toEqual([
        'tickets: primary key (order_id, ordinal) expected, (id) in the Spanner DDL',
      ]);
    });

    test('a now() default that is not a commit-timestamp column', () => {
      expect(
        driftedBy(
          'persisted_at TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true)',
          'persisted_at TIMESTAMP NOT NULL',
        ),
      ).toEqual([
        'orders.persisted_at: allow_commit_timestamp must be true (Drizzle default now(): true)',
      ]);
    });

    test('a column default that differs', () => {
      expect(
        driftedBy('version INT64 NOT NULL DEFAULT (0)', 'version INT64 NOT NULL DEFAULT (1)'),
      ).toEqual(['events.version: default 0 in Drizzle, 1 in the Spanner DDL']);
    });

    test('a missing cap on the inventory', () => {
      expect(
        driftedBy(
          ' CONSTRAINT event_inventory_sold_within_total CHECK (tickets_sold <= tickets_total),',
          '',
        ),
      ).toEqual([
        'event_inventory check event_inventory_sold_within_total CHECK: missing in the Spanner DDL',
      ]);
    });

    test('a missing foreign key and a missing check', () => {
      expect(
        driftedBy(
          ' CONSTRAINT tickets_order_id_orders_id_fk FOREIGN KEY (order_id) REFERENCES orders (id),',
          '',
        ),
      ).toEqual([
        'tickets foreign key tickets_order_id_orders_id_fk (order_id) REFERENCES orders (id): missing in the Spanner DDL',
      ]);
      expect(driftedBy(' CONSTRAINT orders_quantity_positive CHECK (quantity > 0),', '')).toEqual([
        'orders check orders_quantity_positive CHECK: missing in the Spanner DDL',
      ]);
    });
  });

  test('refuses a statement it cannot read rather than skipping it', () => {
    expect(() =>
      parseSpannerDdl([...committedDdl, 'ALTER TABLE orders ADD COLUMN note STRING(MAX)']),
    ).toThrow(/unsupported DDL statement/);
  });
});
