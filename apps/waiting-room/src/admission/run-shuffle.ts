import type { RedisClient } from '@frequency/config/redis';
import { shuffleOrder } from '../queue/shuffle-order.js';
import { waitingRoomCommands } from '../redis/commands.js';
import type { WaitingRoomKeys } from '../redis/keys.js';

const READ_CHUNK = 50_000;
const WRITE_CHUNK = 5_000;

/**
 * Writes the shuffled pre-queue into the line, chunk by chunk. The order is a pure function of the
 * committed seed and the frozen pre-queue, so a new leader that takes over half-way computes the same
 * order and continues from the recorded progress. Returns false if the lease was lost.
 */
export async function runShuffle(
  redis: RedisClient,
  keys: WaitingRoomKeys,
  leaseValue: string,
  options: { writeChunk?: number; keepAlive?: () => Promise<boolean> } = {},
): Promise<boolean> {
  const writeChunk = options.writeChunk ?? WRITE_CHUNK;
  const { wrShuffleChunk } = waitingRoomCommands(redis);
  // A million entries take seconds to read, sort and write, longer than the lease: renew it between
  // steps, and stop as soon as it is lost.
  const keepAlive = options.keepAlive ?? (() => Promise.resolve(true));
  const [sealed, shuffled, baseRaw, seed] = await redis.hmget(
    keys.state,
    'sealed',
    'shuffled',
    'base',
    'seed',
  );
  if (sealed !== '1' || shuffled === '1') return true;
  if (!seed) throw new Error(`event state ${keys.state} has no shuffle seed`);
  const base = Number(baseRaw ?? 0);
  const members: string[] = [];
  const arrivals: number[] = [];
  for (let start = 0; start < base; start += READ_CHUNK) {
    if (!(await keepAlive())) return false;
    const page = await redis.zrange(keys.pre, start, start + READ_CHUNK - 1, 'WITHSCORES');
    for (let i = 0; i + 1 < page.length; i += 2) {
      members.push(page[i] ?? '');
      arrivals.push(Number(page[i + 1]));
    }
  }
  if (members.length !== base) {
    // Only possible if another leader finished meanwhile and removed the pre-queue.
    return (await redis.hget(keys.state, 'shuffled')) === '1';
  }
  const order = shuffleOrder(seed, members);
  if (!(await keepAlive())) return false;
  let next = Number((await redis.hget(keys.state, 'shuffleNext')) ?? 0);
  while (next < base) {
    if (!(await keepAlive())) return false;
    const entries: (string | number)[] = [];
    const end = Math.min(base, next + writeChunk);
    for (let place = next; place < end; place += 1) {
      const index = order[place] ?? 0;
      entries.push(members[index] ?? '', place + 1, arrivals[index] ?? 0);
    }
    const chunk = await wrShuffleChunk(keys, { leaseValue, start: next, entries });
    if (chunk.status === 'fenced') return false;
    if (chunk.status !== 'ok') throw new Error(`shuffle chunk answered ${chunk.status}`);
    if (chunk.done) return true;
    next = chunk.next;
  }
  return true;
}
