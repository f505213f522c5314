/**
 * What the join challenge costs a fan: solve time per join at each difficulty, with Node
 * (node:crypto, one core) and with the browser tests' Chromium (crypto.subtle in a Web Worker,
 * running src/lib/pow.worker.ts, the page's own solver), each beside a bare SHA-256 loop on the same
 * platform in the same run.
 *
 *   pnpm --filter @frequency/web bench      (also run by `pnpm bench`)
 *
 * BENCH_BITS (default 0,12,14,16,18,20,22), BENCH_RUNS (default 21: runs per difficulty, fewer at
 * high bits so each difficulty costs about BENCH_BUDGET_HASHES hashes, at least 5 runs),
 * BENCH_BASELINE_MS (1000), CHROMIUM_PATH (/usr/bin/chromium). The load average is printed at the
 * start and end: on a busy machine the absolute figures are low, the ratios carry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { reportBench } from '@frequency/bench';
import { expectedAttempts } from '@frequency/contracts/pow';
import { solveChallengeNode } from '@frequency/contracts/pow-node';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const bitsList = (process.env.BENCH_BITS ?? '0,12,14,16,18,20,22').split(',').map(Number);
const maxRuns = Number(process.env.BENCH_RUNS ?? 21);
const budget = Number(process.env.BENCH_BUDGET_HASHES ?? 2 ** 24);
const baselineMs = Number(process.env.BENCH_BASELINE_MS ?? 1_000);

const runsFor = (bits: number) =>
  Math.max(5, Math.min(maxRuns, Math.floor(budget / expectedAttempts(bits))));
const challenge = () => `ch_${randomBytes(16).toString('base64url')}`;

interface Sample {
  ms: number;
  attempts: number;
}

interface Summary {
  runs: number;
  medianMs: number;
  p90Ms: number;
  hashesPerSecond: number;
}

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

function summarize(samples: Sample[]): Summary {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const attempts = samples.reduce((sum, s) => sum + s.attempts, 0);
  const total = ms.reduce((sum, v) => sum + v, 0);
  return {
    runs: samples.length,
    medianMs: nearestRank(ms, 0.5),
    p90Ms: nearestRank(ms, 0.9),
    hashesPerSecond: total > 0 ? (attempts / total) * 1000 : NaN,
  };
}

/** Bare SHA-256 in Node: one 32-byte input, digest after digest, as `openssl speed sha256` does. */
function nodeBaseline(): number {
  const input = randomBytes(32);
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < baselineMs) {
    for (let i = 0; i < 1_000; i += 1) createHash('sha256').update(input).digest();
    hashes += 1_000;
  }
  return (hashes / (performance.now() - started)) * 1000;
}

function nodeRuns(bits: number): Sample[] {
  return Array.from({ length: runsFor(bits) }, () => {
    const started = performance.now();
    const solution = solveChallengeNode(challenge(), bits);
    return { ms: performance.now() - started, attempts: solution?.attempts ?? 0 };
  });
}

/** The same crypto.subtle batching as the worker, without the solver: the browser's bare rate. */
const baselineWorker = `
self.onmessage = async (event) => {
  const input = crypto.getRandomValues(new Uint8Array(32));
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < event.data.ms) {
    await Promise.all(Array.from({ length: 64 }, () => crypto.subtle.digest('SHA-256', input)));
    hashes += 64;
  }
  self.postMessage(hashes / (performance.now() - started) * 1000);
};`;

async function chromiumFigures(): Promise<{ baseline: number; runs: Map<number, Sample[]> }> {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('../src/lib/pow.worker.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  const workerCode = bundled.outputFiles[0]?.text ?? '';
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><title>join challenge bench</title>'],
    '/pow.worker.js': ['text/javascript', workerCode],
    '/baseline.worker.js': ['text/javascript', baselineWorker],
  };
  // Served from 127.0.0.1: a secure context, so crypto.subtle exists as on the real page.
  const server = createServer((request, response) => {
    const file = files[request.url ?? '/'];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const baseline = await page.evaluate(
      (ms) =>
        new Promise<number>((resolve) => {
          const worker = new Worker('/baseline.worker.js');
          worker.onmessage = (event: MessageEvent<number>) => {
            worker.terminate();
            resolve(event.data);
          };
          worker.postMessage({ ms });
        }),
      baselineMs,
    );
    const runs = new Map<number, Sample[]>();
    for (const bits of bitsList) {
      const challenges = Array.from({ length: runsFor(bits) }, challenge);
      // One worker per join, as the page starts one per join; its own clock times the solve.
      const samples = await page.evaluate(
        async ({ list, b }) => {
          const out: { ms: number; attempts: number }[] = [];
          for (const c of list) {
            out.push(
              await new Promise((resolve, reject) => {
                const worker = new Worker('/pow.worker.js');
                worker.onmessage = (
                  event: MessageEvent<{
                    type: string;
                    ms: number;
                    attempts: number;
                    message?: string;
                  }>,
                ) => {
                  if (event.data.type === 'progress') return;
                  worker.terminate();
                  if (event.data.type === 'solved')
                    resolve({ ms: event.data.ms, attempts: event.data.attempts });
                  else reject(new Error(event.data.message));
                };
                worker.postMessage({ challenge: c, bits: b });
              }),
            );
          }
          return out;
        },
        { list: challenges, b: bits },
      );
      runs.set(bits, samples);
    }
    return { baseline, runs };
  } finally {
    await browser.close();
    server.close();
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const fmt = (n: number) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '–';

const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`# join challenge cost — ${cpus().length} cores (${cpu}), Node ${process.version}`);
console.log(
  `load average at start (1, 5, 15 min): ${loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);

const nodeBare = nodeBaseline();
const node = new Map(bitsList.map((bits) => [bits, summarize(nodeRuns(bits))]));
const browserFigures = await chromiumFigures();
const browser = new Map(
  [...browserFigures.runs].map(([bits, samples]) => [bits, summarize(samples)] as const),
);

console.log('');
console.log(`bare SHA-256, Node (node:crypto, one core): ${fmt(nodeBare)} hashes/s`);
console.log(
  `bare SHA-256, Chromium worker (crypto.subtle, batches of 64): ${fmt(browserFigures.baseline)} hashes/s`,
);
console.log('');
console.log(
  '| bits | expected hashes | runs | Node median ms | Node p90 ms | Node hashes/s | Chromium median ms | Chromium p90 ms | Chromium hashes/s |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const bits of bitsList) {
  const n = node.get(bits);
  const c = browser.get(bits);
  if (!n || !c) continue;
  console.log(
    `| ${bits} | ${fmt(expectedAttempts(bits))} | ${n.runs} | ${fmt(n.medianMs)} | ${fmt(n.p90Ms)} | ${fmt(n.hashesPerSecond)} | ${fmt(c.medianMs)} | ${fmt(c.p90Ms)} | ${fmt(c.hashesPerSecond)} |`,
  );
}
console.log('');
console.log(
  `load average at end (1, 5, 15 min): ${loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);

// Solver rates over every run with work in it, each against its platform's bare loop.
const rate = (figures: Map<number, Summary>) => {
  const withWork = [...figures].filter(([bits]) => bits >= 12).map(([, s]) => s.hashesPerSecond);
  return withWork.length > 0 ? withWork.reduce((a, b) => a + b, 0) / withWork.length : NaN;
};
reportBench({
  name: 'join challenge solver, Node',
  value: Math.round(rate(node)),
  unit: 'hashes/s',
  baseline: Math.round(nodeBare),
  baselineName: 'bare SHA-256, Node',
});
reportBench({
  name: 'join challenge solver, Chromium worker',
  value: Math.round(rate(browser)),
  unit: 'hashes/s',
  baseline: Math.round(browserFigures.baseline),
  baselineName: 'bare SHA-256, Chromium crypto.subtle',
});
reportBench({
  name: 'bare SHA-256, Chromium crypto.subtle',
  value: Math.round(browserFigures.baseline),
  unit: 'hashes/s',
  baseline: Math.round(nodeBare),
  baselineName: 'bare SHA-256, Node',
});
for (const bits of bitsList.filter((b) => b > 0)) {
  const c = browser.get(bits);
  if (c) {
    reportBench({
      name: `join challenge ${bits} bits, Chromium worker, median solve`,
      value: round(c.medianMs),
      unit: 'ms',
    });
  }
}
