import type { SolveAnswer, SolveRequest } from './pow-protocol';

export interface WorkerSolution {
  nonce: string;
  attempts: number;
}

/** The browser cannot solve off the main thread (no Worker or no crypto.subtle, e.g. plain http). */
export class ChallengeUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChallengeUnsupportedError';
  }
}

/**
 * Solves a join challenge in a dedicated Web Worker and reports the attempts so far. The worker is
 * terminated when the answer arrives or the signal aborts, so a fan who leaves the page stops paying.
 */
export function solveInWorker(
  request: SolveRequest,
  onProgress: (attempts: number) => void,
  signal?: AbortSignal,
): Promise<WorkerSolution> {
  if (typeof Worker === 'undefined' || !globalThis.isSecureContext) {
    return Promise.reject(
      new ChallengeUnsupportedError('Web Workers or crypto.subtle are missing'),
    );
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pow.worker.ts', import.meta.url));
    const finish = () => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort);
    worker.onmessage = (event: MessageEvent<SolveAnswer>) => {
      const answer = event.data;
      if (answer.type === 'progress') {
        onProgress(answer.attempts);
        return;
      }
      finish();
      if (answer.type === 'solved') resolve({ nonce: answer.nonce, attempts: answer.attempts });
      else reject(new ChallengeUnsupportedError(answer.message));
    };
    worker.onerror = (event) => {
      finish();
      reject(new ChallengeUnsupportedError(event.message || 'the worker failed'));
    };
    worker.postMessage(request);
  });
}
