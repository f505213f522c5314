import { orders } from '@frequency/db';
import { sql } from 'drizzle-orm';
import { expect, test } from '../src/index.js';
import { writeAndReadBack } from './isolation.js';

// Runs in parallel with isolation-a.test.ts: both write the same key names and table rows.
test('sees only its own data while another file writes the same names', async ({ database, redis, pubsub }) => {
  const mine = await writeAndReadBack('b', { database, redis, pubsub });
  expect(mine.redisValues).toEqual(Array.from({ length: 20 }, () => 'b'));
  expect(mine.orderEvents).toEqual(['isolation-b']);
  expect(mine.messages.every((m) => m === 'b')).toBe(true);
  const count = await database.db.select({ n: sql<number>`count(*)::int` }).from(orders);
  expect(count[0]?.n).toBe(1);
});
