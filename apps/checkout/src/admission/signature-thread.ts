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
  /** Resolves once every answer of the batch is given (or handed to the thread pool). */
  done: Promise<void>;
  settle: () => void;
}
interface Queued {
  key: KeyObject;
  signed: Buffer;
  signature: Buffer;
  resolve: (valid: boolean) => void;
}

/**
 * Checks sent to the thread in one message at most: ~2 ms of checking, the longest a check that
 * jumps the queue (see `urgent`) waits for the batch ahead of it.
 */
const maxBatch = 32;

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
 * The default bound (SIGNATURE_QUEUE_MAX in env.ts says why): ~70 ms of checking at ~70 µs each.
 */
export const defaultMaxPendingChecks = 1_024;

/**
 * Checks signatures on one dedicated worker thread, one batch in flight at a time: the checks
 * asked for meanwhile travel as the next message, and the thread stays awake while there is work,
 * so the event loop pays ~3 µs per check instead of stalling. If the thread dies, what it held is
 * checked on the thread pool instead and the next batch starts a new thread.
 *
 * The queue is bounded (maxPending) and fair to connecting addresses: a check from an address
 * holding less than its share (maxPending / 16) goes ahead of the others into the next batch, and
 * once the queue is half full an address holding its share is refused. One source of forged
 * tokens therefore neither takes every place nor makes an honest fan's first check wait for more
 * than the batch in flight.
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
  /** Checks of addresses within their share, sent first; then the others, in arrival order. */
  private readonly urgent: Queued[] = [];
  private readonly queued: Queued[] = [];
  private flushScheduled = false;
  /** The batch on the thread (at most one). */
  private readonly sent: Waiting[] = [];
  private readonly keyIds = new WeakMap<KeyObject, number>();
  /** Keys the current worker has been sent (a new worker starts knowing none). */
  private known = new WeakSet<KeyObject>();
  private nextKeyId = 1;
  private closed = false;

  check(key: KeyObject, signed: Buffer, signature: Buffer, client = ''): Promise<boolean> {
    if (this.closed) return threadPoolChecker.check(key, signed, signature);
    const max = this.options.maxPending ?? defaultMaxPendingChecks;
    const share = Math.max(1, Math.floor(max / 16));
    const held = this.pendingBy.get(client) ?? 0;
    if (this.pendingChecks >= max || (this.pendingChecks >= max / 2 && held >= share)) {
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
      (held < share ? this.urgent : this.queued).push({ key, signed, signature, resolve });
      if (!this.flushScheduled && this.sent.length === 0) {
        // The checks asked for in this turn of the event loop go together.
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (;;) {
      this.flush();
      const inFlight = this.sent[0];
      if (!inFlight) break;
      await inFlight.done;
    }
    await this.worker?.terminate();
    this.worker = undefined;
  }

  /** Sends the next batch, unless one is on the thread already (its answer sends the next). */
  private flush(): void {
    if (this.sent.length > 0) return;
    const taken = this.urgent.splice(0, maxBatch);
    if (taken.length < maxBatch) taken.push(...this.queued.splice(0, maxBatch - taken.length));
    if (taken.length === 0) return;
    const worker = this.worker ?? this.start();
    const batch: Batch = { keys: [], items: [] };
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const waiting: Waiting = { checks: [], resolves: [], done, settle };
    for (const { key, signed, signature, resolve } of taken) {
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
      waiting.checks.push({ key, signed, signature });
      waiting.resolves.push(resolve);
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
      waiting?.settle();
      this.flush();
    });
    const lost = (reason: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.closed) this.options.onLost?.(reason);
      // Whatever the thread held is checked here instead: a request never hangs on a dead thread.
      for (const waiting of this.sent.splice(0)) this.fallback(waiting);
      // What is still queued goes to a new thread.
      setImmediate(() => {
        this.flush();
      });
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.worker = worker;
    return worker;
  }

  private fallback({ checks, resolves, settle }: Waiting): void {
    const answers = checks.map(({ key, signed, signature }, index) => {
      const resolve = resolves[index];
      return resolve
        ? threadPoolChecker.check(key, signed, signature).then(resolve)
        : Promise.resolve();
    });
    void Promise.all(answers).then(settle);
  }
}
