import { reportBench } from '@frequency/bench';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  cpuTicks,
  freePort,
  median,
  prepareCheckoutBench,
  ratio,
  startNode,
  verifyMicros,
} from './support.js';

/**
 * Order placement against a bare Fastify hello-world, both measured in the same run with the same
 * load generator (autocannon, 100 connections), one server process each. Every order carries its
 * own pre-minted ES256 admission token (a test key, served as a JWKS like the waiting room's), and
 * every accepted order is really reserved in Redis and published to a Pub/Sub emulator (our own
 * instance, on a free port).
 *
 * The machine is shared and noisy, so the three loads are measured in interleaved rounds
 * (hello GET, hello POST, orders; BENCH_ROUNDS times BENCH_SECONDS each) after a warm-up of each
 * server (and of the emulator's JIT), and the medians are compared. Two baselines:
 *
 * - `GET /` with no body, the classic hello-world;
 * - `POST /` with exactly the order's request: same headers, the same body, a different bearer
 *   token each time. The generator does the same work per request as for orders (building a
 *   request per token costs autocannon ~50 µs against ~20 for a fixed GET), which on a 2-core
 *   machine comes out of the servers' share either way. The target is checked against this one.
 *
 * Besides req/s it prints the CPU each server process spent per request (main thread, crypto
 * thread pool and GC together), read from /proc: a figure the noise of other processes barely moves.
 * Its target is a ratio of CPU figures: checkout's CPU per order against the physical floor of an
 * order, one ES256 signature check (node:crypto on the issuer's own key, measured in this process
 * in every round) plus the CPU hello-world spends on the same request. Load averages at the start
 * and the end say how busy the machine was.
 *
 *   pnpm --filter @frequency/checkout bench
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const duration = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Measured {
  rps: number;
  p99: number;
  non2xx: number;
  cpuMicros: number | null;
  /** CPU per request of the server's main thread alone: its event loop bounds its throughput. */
  mainMicros: number | null;
  /** CPU per request of the other processes the load runs through: broker, Redis, generator. */
  others: { broker: number | null; redis: number | null; generator: number };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  // Every order has the same buyer: the cap is lifted so the bench measures the reservation itself.
  const bench = await prepareCheckoutBench('bench', {
    eventId: 'bench',
    ticketsTotal: 50_000_000,
    maxPerOrder: 4,
    maxPerBuyer: 50_000_000,
  });
  const { emulator, redis } = bench;

  // One distinct admission per order for the whole run, at well above the expected rate.
  const tokenCount = Number(
    process.env.BENCH_TOKENS ?? 10_000 * (warmUpSeconds + rounds * duration),
  );
  process.stdout.write(`minting ${tokenCount} admission tokens… `);
  const tokens = await bench.admissions(tokenCount);
  process.stdout.write('done\n');

  const body = JSON.stringify({
    quantity: 2,
    buyer: { name: 'Bench Fan', email: 'fan@example.com' },
  });
  let nextOrderToken = 0;
  let nextHelloToken = 0;
  /** The order request; `take` hands out the next token of its own sequence. */
  const orderRequest = (path: string, take: () => string): autocannon.Request => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body,
    setupRequest: (request) => ({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${take()}` },
    }),
  });
  const orderToken = () => tokens[nextOrderToken++ % tokens.length] ?? '';
  const helloToken = () => tokens[nextHelloToken++ % tokens.length] ?? '';

  const hello = await startNode(here('./hello-server.ts'), {}, await freePort());
  const checkout = await bench.startCheckout();

  const loads = {
    helloGet: { server: hello, requests: [{ method: 'GET', path: '/' }] as autocannon.Request[] },
    helloPost: { server: hello, requests: [orderRequest('/', helloToken)] },
    orders: { server: checkout, requests: [orderRequest('/v1/events/bench/orders', orderToken)] },
  };
  type LoadName = keyof typeof loads;

  // Redis runs on this machine when its pid is visible in /proc; otherwise its share is unknown.
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  const ticksOf = (pid: number | undefined) => (pid ? cpuTicks(pid) : null);

  async function measure(name: LoadName, seconds: number): Promise<Measured> {
    const { server, requests } = loads[name];
    const pids = [server.process.pid, emulator.child.pid, redisPid];
    const before = pids.map(ticksOf);
    const mainPid = server.process.pid;
    const mainBefore = mainPid ? cpuTicks(mainPid, mainPid) : null;
    const generatorBefore = process.cpuUsage();
    const result = await autocannon({ url: server.url, connections, duration: seconds, requests });
    const generator = process.cpuUsage(generatorBefore);
    const total = Math.max(1, result.requests.total);
    const mainAfter = mainPid ? cpuTicks(mainPid, mainPid) : null;
    const perRequest = pids.map((pid, index) => {
      const start = before[index];
      const end = ticksOf(pid);
      // One clock tick is 10 ms.
      return start === null || start === undefined || end === null
        ? null
        : ((end - start) * 10_000) / total;
    });
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      cpuMicros: perRequest[0] ?? null,
      mainMicros:
        mainBefore === null || mainAfter === null
          ? null
          : ((mainAfter - mainBefore) * 10_000) / total,
      others: {
        broker: perRequest[1] ?? null,
        redis: perRequest[2] ?? null,
        generator: (generator.user + generator.system) / total,
      },
    };
  }

  try {
    for (const name of ['helloGet', 'helloPost', 'orders'] as const)
      await measure(name, warmUpSeconds);
    const runs: Record<LoadName, Measured[]> = { helloGet: [], helloPost: [], orders: [] };
    const verifies: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const verify = await verifyMicros(bench.issuer.jwksUrl, tokens.slice(0, 2_000));
      verifies.push(verify);
      process.stdout.write(`round ${round} ES256 verify (node:crypto): ${verify.toFixed(1)} µs\n`);
      for (const name of ['helloGet', 'helloPost', 'orders'] as const) {
        const measured = await measure(name, duration);
        runs[name].push(measured);
        const micros = (value: number | null) => (value === null ? '?' : value.toFixed(0));
        process.stdout.write(
          `round ${round} ${name.padEnd(9)} ${measured.rps.toFixed(0).padStart(7)} req/s, CPU µs/req:` +
            ` server ${micros(measured.cpuMicros)} (main thread ${micros(measured.mainMicros)}), generator ${micros(measured.others.generator)}` +
            (name === 'orders'
              ? `, broker ${micros(measured.others.broker)}, redis ${micros(measured.others.redis)}`
              : '') +
            '\n',
        );
      }
    }
    if (nextOrderToken > tokens.length)
      process.stdout.write(
        `warning: ${nextOrderToken - tokens.length} orders reused a token (duplicates)\n`,
      );

    const summary = (name: LoadName) => {
      const list = runs[name];
      const cpu = list.map((m) => m.cpuMicros).filter((v): v is number => v !== null);
      return {
        rps: median(list.map((m) => m.rps)),
        p99: median(list.map((m) => m.p99)),
        non2xx: list.reduce((sum, m) => sum + m.non2xx, 0),
        cpu: cpu.length > 0 ? median(cpu) : null,
      };
    };
    const get = summary('helloGet');
    const post = summary('helloPost');
    const orders = summary('orders');
    const row = (what: string, m: ReturnType<typeof summary>) => ({
      what,
      'req/s (median)': Math.round(m.rps),
      'p99 ms': m.p99,
      non2xx: m.non2xx,
      'server CPU µs/req': m.cpu === null ? 'n/a' : Math.round(m.cpu),
      'vs GET': ratio(m.rps, get.rps),
      'vs same POST': ratio(m.rps, post.rps),
    });
    console.table([
      row('Fastify hello-world, GET /', get),
      row('Fastify hello-world, the order request', post),
      row('POST /v1/events/{id}/orders (ES256 + Lua + publish)', orders),
    ]);

    const verify = median(verifies);
    const floor = verify + (post.cpu ?? Number.NaN);
    const cpuRatio = (orders.cpu ?? Number.NaN) / floor;
    const loadAtEnd = loadavg();
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    process.stdout.write(
      `CPU per order: ${orders.cpu?.toFixed(0) ?? '?'} µs; floor: ES256 verify ${verify.toFixed(0)} µs + ` +
        `hello-world, same POST ${post.cpu?.toFixed(0) ?? '?'} µs = ${floor.toFixed(0)} µs; ` +
        `ratio ${cpuRatio.toFixed(2)}x (target <= 1.5x)\n` +
        `load average (1, 5, 15 min): start ${load(loadAtStart)}, end ${load(loadAtEnd)}\n`,
    );
    reportBench({
      name: 'checkout CPU per order',
      value: Math.round(orders.cpu ?? Number.NaN),
      unit: 'µs',
      baseline: Math.round(floor),
      baselineName: 'one ES256 verify + hello-world CPU for the same POST',
      target: '<= 1.5x baseline',
    });
    reportBench({
      name: 'order placement (ES256 + Lua + publish)',
      value: Math.round(orders.rps),
      unit: 'req/s',
      baseline: Math.round(post.rps),
      baselineName: 'Fastify hello-world, same request',
      target: '>= 15% of baseline',
    });
    reportBench({
      name: 'order placement vs hello-world GET',
      value: Math.round(orders.rps),
      unit: 'req/s',
      baseline: Math.round(get.rps),
      baselineName: 'Fastify hello-world, GET /',
    });
    const sold = Number(await redis.get('ev:{bench}:sold'));
    const met = orders.rps >= 0.15 * post.rps;
    process.stdout.write(
      `orders accepted (tickets sold / 2): ${sold / 2}; every order answered 202: ${orders.non2xx === 0 ? 'yes' : `no, ${orders.non2xx} were not`}\n` +
        `target (orders >= 15% of the same request to hello-world): ${met ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    await hello.stop();
    await bench.close();
  }
}

await main();
