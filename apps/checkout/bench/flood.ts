import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { reportBench } from '@frequency/bench';
import { cpuTicks, prepareCheckoutBench } from './support.js';

/**
 * Honest orders during a flood of forged admission tokens. A separate process (flood-generator.ts,
 * autocannon) sends FLOOD_RATE forged ES256-shaped tokens per second at checkout (right header and
 * kid, a payload for the event, a random signature: each one must be checked); meanwhile a probe
 * places real orders at PROBE_RATE per second, each with a fresh admission minted and registered
 * live in Redis as the waiting room would. The probe's p99 during the flood is compared with its
 * p99 without it, measured in the same run just before (target: at most 3x), beside the flood's
 * achieved rate and status mix and checkout's peak RSS against its idle RSS.
 *
 * The probe connects from PROBE_ADDRESS (127.0.0.2), the flood from 127.0.0.1.
 *
 * The load generator shares the machine with checkout: on a 2-core machine the flood's own CPU is
 * taken from checkout's, so run it on an otherwise idle machine and read the ratios. FLOOD_NICE=19
 * lowers the generator's priority, as if it ran elsewhere (an attacker's CPU is not ours); the
 * achieved flood rate is printed either way.
 *
 *   pnpm --filter @frequency/checkout bench:flood
 *   FLOOD_RATE=10000 PROBE_RATE=50 BENCH_SECONDS=10 (the defaults); SIGNATURE_QUEUE_MAX passes on
 */
const floodRate = Number(process.env.FLOOD_RATE ?? 10_000);
const probeRate = Number(process.env.PROBE_RATE ?? 50);
const floodNice = Number(process.env.FLOOD_NICE ?? 0);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const eventId = 'flood';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Resident set size now and its high-water mark, in MiB, from /proc (null off Linux). */
function memory(pid: number | undefined): { rss: number; hwm: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Fans come from another address than the flood (all of 127.0.0.0/8 is local): checkout shares its
 * signature queue fairly between connecting addresses, as it would between a botnet and fans.
 */
const probeAgent = new Agent({
  keepAlive: true,
  localAddress: process.env.PROBE_ADDRESS ?? '127.0.0.2',
});

/** POSTs JSON and resolves with the status (0 on a network error). */
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: probeAgent,
        headers: { ...headers, 'content-type': 'application/json' },
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          resolve(response.statusCode ?? 0);
        });
      },
    );
    req.once('error', () => {
      resolve(0);
    });
    req.end(body);
  });
}

async function main(): Promise<void> {
  process.stdout.write(`load average at start: ${load()}; flood generator nice ${floodNice}\n`);
  const bench = await prepareCheckoutBench('flood', {
    eventId,
    ticketsTotal: 50_000_000,
    maxPerOrder: 4,
  });
  const { issuer } = bench;

  // One admission per probe order, each its own buyer, live in Redis as after a real admission.
  const probes = await bench.admissions(
    Math.ceil(probeRate * (warmUpSeconds + 2 * seconds + 5) * 1.2),
  );
  const [forgedHeader = '', forgedPayload = ''] = (
    await issuer.mint({ eventId, ttlSeconds: 3_600 })
  ).token.split('.');

  const checkout = await bench.startCheckout({
    METADATA_SERVER_DETECTION: 'none',
    ...(process.env.SIGNATURE_QUEUE_MAX
      ? { SIGNATURE_QUEUE_MAX: process.env.SIGNATURE_QUEUE_MAX }
      : {}),
  });
  const pid = checkout.process.pid;
  const ordersUrl = `${checkout.url}/v1/events/${eventId}/orders`;
  let nextProbe = 0;

  /** Orders at probeRate for `forSeconds`, open loop; latencies of the 202s and every status. */
  async function probe(forSeconds: number) {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const peak = { rss: 0 };
    const inFlight: Promise<void>[] = [];
    const sampler = setInterval(() => {
      const m = memory(pid);
      if (m && m.rss > peak.rss) peak.rss = m.rss;
    }, 100);
    const interval = 1000 / probeRate;
    const started = performance.now();
    for (let i = 0; started + i * interval < started + forSeconds * 1000; i += 1) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const n = nextProbe++;
      const token = probes[n % probes.length] ?? '';
      inFlight.push(
        (async () => {
          const sent = performance.now();
          const status = await post(
            ordersUrl,
            { authorization: `Bearer ${token}` },
            JSON.stringify({
              quantity: 1,
              buyer: { name: 'Probe Fan', email: `probe${n}@example.com` },
            }),
          );
          statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
          if (status === 202) latencies.push(performance.now() - sent);
        })(),
      );
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    return { p99: percentile(latencies, 99), p50: percentile(latencies, 50), statuses, peak };
  }

  async function scrape(): Promise<Record<string, number>> {
    const text = await (await fetch(`${checkout.url}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return {
      refused: value('checkout_signature_checks_refused_total'),
      pending: value('checkout_signature_checks_pending'),
    };
  }

  try {
    await probe(warmUpSeconds);
    const idle = await probe(seconds);
    process.stdout.write(
      `idle:  probe p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms, statuses ${JSON.stringify(idle.statuses)}, checkout RSS ≤ ${idle.peak.rss.toFixed(0)} MiB; load ${load()}\n`,
    );

    const generator = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', here('./flood-generator.ts')],
      {
        env: {
          ...process.env,
          METADATA_SERVER_DETECTION: 'none',
          FLOOD_URL: checkout.url,
          FLOOD_PATH: `/v1/events/${eventId}/orders`,
          FLOOD_TEMPLATE: `${forgedHeader}.${forgedPayload}`,
          FLOOD_RATE: String(floodRate),
          FLOOD_SECONDS: String(seconds + 2),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // FLOOD_NICE > 0 runs the generator at a lower CPU priority: on sale day the flood's CPU is
    // the attacker's, not ours, and on one small machine its share would otherwise count as ours.
    if (floodNice > 0 && generator.pid !== undefined) setPriority(generator.pid, floodNice);
    let generatorOutput = '';
    generator.stdout.on('data', (chunk: Buffer) => {
      generatorOutput += chunk.toString();
    });
    const generatorDone = new Promise<void>((resolve) => {
      generator.once('exit', () => {
        resolve();
      });
    });
    // Let the flood reach its rate (and the generator start up) before the probe measures.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ticksBefore = pid === undefined ? null : { all: cpuTicks(pid), main: cpuTicks(pid, pid) };
    const flooded = await probe(seconds);
    const ticksAfter = pid === undefined ? null : { all: cpuTicks(pid), main: cpuTicks(pid, pid) };
    const loadDuringFlood = load();
    await generatorDone;
    const flood = JSON.parse(generatorOutput.trim().split('\n').at(-1) ?? '{}') as {
      rate?: number;
      sent?: number;
      errors?: number;
      timeouts?: number;
      statuses?: Record<string, number>;
    };
    const hwm = memory(pid)?.hwm ?? Number.NaN;
    // Clock ticks of 10 ms over the probe's window: the share of a core checkout used.
    const cores = (before: number | null | undefined, after: number | null | undefined) =>
      before === null || before === undefined || after === null || after === undefined
        ? '?'
        : ((after - before) / 100 / seconds).toFixed(2);
    const counters = await scrape();
    process.stdout.write(
      `flood: probe p50 ${flooded.p50.toFixed(1)} ms, p99 ${flooded.p99.toFixed(1)} ms, statuses ${JSON.stringify(flooded.statuses)}, checkout RSS ≤ ${flooded.peak.rss.toFixed(0)} MiB (VmHWM ${hwm.toFixed(0)} MiB); load ${loadDuringFlood}\n` +
        `flood generator: ${Math.round(flood.rate ?? 0)} req/s achieved of ${floodRate} asked, ${flood.sent ?? 0} sent, statuses ${JSON.stringify(flood.statuses ?? {})}, errors ${flood.errors ?? 0}, timeouts ${flood.timeouts ?? 0}\n` +
        `checkout: signature checks refused ${counters.refused}, pending after ${counters.pending}; ` +
        `CPU during the flood ${cores(ticksBefore?.all, ticksAfter?.all)} cores ` +
        `(main thread ${cores(ticksBefore?.main, ticksAfter?.main)})\n`,
    );
    const ratio = flooded.p99 / idle.p99;
    reportBench({
      name: 'order p99 during a forged-token flood',
      value: Math.round(flooded.p99 * 10) / 10,
      unit: 'ms',
      baseline: Math.round(idle.p99 * 10) / 10,
      baselineName: 'order p99 without the flood, same run',
      target: '<= 3x baseline',
    });
    reportBench({
      name: 'checkout peak RSS during the flood',
      value: Math.round(flooded.peak.rss),
      unit: 'MiB',
      baseline: Math.round(idle.peak.rss),
      baselineName: 'checkout RSS without the flood',
    });
    reportBench({
      name: 'forged-token flood achieved',
      value: Math.round(flood.rate ?? 0),
      unit: 'req/s',
      baseline: floodRate,
      baselineName: 'flood rate asked',
    });
    process.stdout.write(
      `probe p99 ratio flood/idle: ${ratio.toFixed(2)}x (target <= 3x: ${ratio <= 3 ? 'met' : 'NOT met'}); load average at end: ${load()}\n`,
    );
  } finally {
    probeAgent.destroy();
    await bench.close();
  }
}

await main();
