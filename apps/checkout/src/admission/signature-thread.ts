import { verify, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AppError } from '@frequency/contracts';

/** Checks an ES256 signature (r || s, as in a JWS) over `signed` with a public key. */
export interface SignatureChecker {
  /** `client` (the connecting address) shares the queue fairly; checks without one share a share. */
  check(key: KeyObject, signed: Buffer, signature: Buffer, client?: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * On libuv's thread pool (node:crypto with a callback). Fine for a quiet process; under load on a
 * small machine every check wakes a pool thread, and the event loop was measured stalling ~70 µs
 * per submitted check (on a 2-core machine with the pool's 4 threads, against ~5 µs with one).
 */
export const threadPoolChecker: SignatureChecker = {
  check: (key, signed, signature) =>
    new Promise<boolean>((resolve) => {
      verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature, (err, valid) => {
        resolve(err === null && valid);
      });
    }),
  close: () => Promise.resolve(),
};

interface Batch {
  keys: { id: number; key: KeyObject }[];
  items: { key: number; signed: Buffer; signature: Buffer }[];
}
interface Waiting {
  /** Per check: the key, what was signed, the signature and who waits for the answer. */
  checks: { key: KeyObject; signed: Buffer; signature: Buffer }[];
  resolves: ((valid: boolean) => void)[];
}

/**
 * The worker's whole program, plain JavaScript run with `eval` so that it needs no build step or
 * loader (the same text under tsx, vitest and the compiled service). It learns keys by number,
 * checks one batch at a time and answers with one byte per signature, in order.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (batch) => {
  for (const { id, key } of batch.keys) keys.set(id, key);
  const valid = new Uint8Array(batch.items.length);
  batch.items.forEach((item, index) => {
    const key = keys.get(item.key);
    try {
      valid[index] = key && verify('sha256', item.signed, { key, dsaEncoding: 'ieee-p1363' }, item.signature) ? 1 : 0;
    } catch {
      valid[index] = 0;
    }
  });
  parentPort.postMessage(valid, [valid.buffer]);
});
`;

export interface SignatureThreadOptions {
  /** Hears of a thread that died (not of one stopped by close()), for logs and metrics. */
  onLost?: (err: unknown) => void;
  /**
   * Checks waiting or being checked at most; beyond it a check is refused at once (503 with
   * Retry-After) instead of queued. Every signature is a token nobody has vouched for yet, so
   * without a bound a flood of forged tokens grows memory and the wait of every honest check.
   */
  maxPending?: number;
  /** Hears of every refused check, for metrics. */
  onRefused?: () => void;
}

/**
 * The default bound: ~70 µs of CPU per check on one core makes 128 pending checks ~9 ms of work,
 * the longest an honest fan's first check waits behind a flood (measured in bench/flood.ts).
 */
export const defaultMaxPendingChecks = 128;

/**
 * Checks signatures on one dedicated worker thread: the checks asked for in one turn of the event
 * loop travel as one message, and the thread stays awake while there is work, so the event loop
 * pays ~3 µs per check instead of stalling. If the thread dies, what it held is checked on the
 * thread pool instead and the next batch starts a new thread.
 *
 * The queue is bounded (maxPending), and fair under pressure: once it is half full, a client that
 * already holds its share (maxPending / 16) of the pending checks is refused, so one source of
 * forged tokens cannot take every place and an honest fan's first check still gets in, behind at
 * most half a queue.
 */
export class SignatureThread implements SignatureChecker {
  constructor(private readonly options: SignatureThreadOptions = {}) {}

  /** Checks asked for and not answered yet (queued, on the thread, or fallen back to the pool). */
  private pendingChecks = 0;
  /** Queue figures, for metrics and tests: pending now, its high-water mark, refused checks. */
  get stats(): { pending: number; peak: number; refused: number } {
    return { pending: this.pendingChecks, peak: this.peak, refused: this.refused };
  }
  private peak = 0;
  private refused = 0;
  /** Pending checks per client; a client's entry goes when its last check is answered. */
  private readonly pendingBy = new Map<string, number>();

  private worker: Worker | undefined;
  private queue: Waiting | undefined;
  /** Batches sent, answered in the order they were sent. */
  private readonly sent: Waiting[] = [];
  private readonly keyIds = new WeakMap<KeyObject, number>();
  /** Keys the current worker has been sent (a new worker starts knowing none). */
  private known = new WeakSet<KeyObject>();
  private nextKeyId = 1;
  private closed = false;

  check(key: KeyObject, signed: Buffer, signature: Buffer, client = ''): Promise<boolean> {
    if (this.closed) return threadPoolChecker.check(key, signed, signature);
    const max = this.options.maxPending ?? defaultMaxPendingChecks;
    const held = this.pendingBy.get(client) ?? 0;
    if (
      this.pendingChecks >= max ||
      (this.pendingChecks >= max / 2 && held >= Math.max(1, Math.floor(max / 16)))
    ) {
      this.refused += 1;
      this.options.onRefused?.();
      return Promise.reject(
        new AppError('UNAVAILABLE', 'too many admission checks at once, try again', {
          'retry-after': '1',
        }),
      );
    }
    this.pendingChecks += 1;
    this.pendingBy.set(client, held + 1);
    if (this.pendingChecks > this.peak) this.peak = this.pendingChecks;
    return new Promise<boolean>((answer) => {
      const resolve = (valid: boolean) => {
        this.pendingChecks -= 1;
        const left = (this.pendingBy.get(client) ?? 1) - 1;
        if (left > 0) this.pendingBy.set(client, left);
        else this.pendingBy.delete(client);
        answer(valid);
      };
      if (!this.queue) {
        this.queue = { checks: [], resolves: [] };
        setImmediate(() => {
          this.flush();
        });
      }
      this.queue.checks.push({ key, signed, signature });
      this.queue.resolves.push(resolve);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    while (this.sent.length > 0) {
      const last = this.sent[this.sent.length - 1];
      await new Promise<void>((resolve) => {
        const answered = last?.resolves.at(-1);
        if (!last || !answered) {
          resolve();
          return;
        }
        last.resolves[last.resolves.length - 1] = (valid) => {
          answered(valid);
          resolve();
        };
      });
    }
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private flush(): void {
    const waiting = this.queue;
    this.queue = undefined;
    if (!waiting) return;
    const worker = this.worker ?? this.start();
    const batch: Batch = { keys: [], items: [] };
    for (const { key, signed, signature } of waiting.checks) {
      let id = this.keyIds.get(key);
      if (id === undefined) {
        id = this.nextKeyId++;
        this.keyIds.set(key, id);
      }
      if (!this.known.has(key)) {
        this.known.add(key);
        batch.keys.push({ id, key });
      }
      batch.items.push({ key: id, signed, signature });
    }
    this.sent.push(waiting);
    worker.postMessage(batch);
  }

  private start(): Worker {
    const worker = new Worker(workerSource, { eval: true });
    worker.unref();
    this.known = new WeakSet();
    worker.on('message', (valid: Uint8Array) => {
      const waiting = this.sent.shift();
      waiting?.resolves.forEach((resolve, index) => {
        resolve(valid[index] === 1);
      });
    });
    const lost = (reason: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.closed) this.options.onLost?.(reason);
      // Whatever the thread held is checked here instead: a request never hangs on a dead thread.
      for (const waiting of this.sent.splice(0)) this.fallback(waiting);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.worker = worker;
    return worker;
  }

  private fallback({ checks, resolves }: Waiting): void {
    checks.forEach(({ key, signed, signature }, index) => {
      const resolve = resolves[index];
      if (resolve) void threadPoolChecker.check(key, signed, signature).then(resolve);
    });
  }
}
