// Solves a join challenge off the main thread, so the page never freezes while a phone works
// through 2^bits hashes. The same file is what the benchmark (apps/web/bench) runs in
// Chromium.
import { solveChallengeAsync } from '@frequency/contracts/pow';
import { sha256Subtle } from './pow-hash';
import type { SolveAnswer, SolveRequest } from './pow-protocol';

interface WorkerScope {
  onmessage: ((event: MessageEvent<SolveRequest>) => void) | null;
  postMessage(message: SolveAnswer): void;
}

/** The page's progress bar needs no more than this; more messages would only cost the worker. */
const PROGRESS_EVERY_MS = 100;
/** Digests in flight at once: crypto.subtle answers asynchronously, a batch hides the round trips. */
const BATCH = 64;

const scope = globalThis as unknown as WorkerScope;

async function solve({ challenge, bits }: SolveRequest): Promise<void> {
  const started = performance.now();
  let reported = started;
  try {
    const solution = await solveChallengeAsync(challenge, bits, sha256Subtle, {
      batch: BATCH,
      onProgress: (attempts) => {
        const now = performance.now();
        if (now - reported < PROGRESS_EVERY_MS) return;
        reported = now;
        scope.postMessage({ type: 'progress', attempts });
      },
    });
    if (!solution) throw new Error('no solution found');
    scope.postMessage({
      type: 'solved',
      nonce: solution.nonce,
      attempts: solution.attempts,
      ms: performance.now() - started,
    });
  } catch (err) {
    scope.postMessage({
      type: 'failed',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

scope.onmessage = (event) => {
  void solve(event.data);
};
