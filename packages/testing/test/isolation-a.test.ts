import { orders } from '@frequency/db';
import { sql } from 'drizzle-orm';
import { expect, test } from '../src/index.js';
import { writeAndReadBack } from './isolation.js';

// Runs in parallel with isolation-b.test.ts: both write the same key names and table rows.
test('sees only its own data while another file writes the same names', async ({ database, redis, pubsub }) => {
  const mine = await writeAndReadBack('a', { database, redis, pubsub });
  expect(mine.redisValues).toEqual(Array.from({ length: 20 }, () => 'a'));
  expect(mine.orderEvents).toEqual(['isolation-a']);
  expect(mine.messages.every((m) => m === 'a')).toBe(true);
  const count = await database.db.select({ n: sql<number>`count(*)::int` }).from(orders);
  expect(count[0]?.n).toBe(1);
});
