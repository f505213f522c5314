import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENDPOINTS, LATENCY_BOUNDS_MS } from '@frequency/k6/lifecycle';
import { lineChart, renderPng, type Band, type ChartSpec } from './charts.js';
import { percentile, sortedCopy, summarize } from './recorder.js';
import type { CommandSource } from './command-sources.js';
import type { SimulationResult } from './simulate.js';

export interface WrittenReport {
  reportPath: string;
  charts: string[];
  pngs: string[];
}

const CHART_SIZE = { width: 900, height: 320 };
/** Sources listed one by one in the report; the rest are summed in one row. */
const SOURCES_SHOWN = 15;

/** The checks a sale must pass; the report and the exit code both come from here. */
export function verdicts(result: SimulationResult): { label: string; ok: boolean }[] {
  const { ledger } = result;
  return [
    { label: 'oversold = 0', ok: ledger.oversold === 0 },
    { label: 'persisted tickets = Redis sold', ok: ledger.persistedTickets === ledger.redisSold },
    {
      label: 'sum of confirmed order quantities = Redis sold',
      ok: ledger.confirmedQuantity === ledger.redisSold,
    },
    {
      label: 'stock + sold = ticketsTotal',
      ok: ledger.redisStock + ledger.redisSold === ledger.ticketsTotal,
    },
    {
      label: 'every order has exactly its quantity of tickets',
      ok: ledger.ordersWithWrongTicketCount === 0,
    },
    { label: 'no ticket code given twice', ok: ledger.duplicateTicketCodes === 0 },
    { label: 'sold out (every ticket sold)', ok: ledger.redisSold === ledger.ticketsTotal },
    { label: 'fans hold exactly what was sold', ok: result.fanTickets === ledger.redisSold },
    { label: 'no admission out of line order', ok: result.fairness.allKnown.overtaken === 0 },
  ];
}

export async function writeReport(
  result: SimulationResult,
  reportDir: string,
): Promise<WrittenReport> {
  const chartDir = join(reportDir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  const specs = chartSpecs(result);
  const charts: string[] = [];
  const pngs: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const svgPath = join(chartDir, `sale-${name}.svg`);
    writeFileSync(svgPath, lineChart({ ...spec, ...CHART_SIZE }));
    charts.push(svgPath);
    if (result.settings.png) {
      const pngPath = join(chartDir, `sale-${name}.png`);
      if (
        await renderPng(
          result.settings.chromiumPath,
          svgPath,
          pngPath,
          CHART_SIZE.width,
          CHART_SIZE.height,
        )
      )
        pngs.push(pngPath);
    }
  }
  const reportPath = join(reportDir, 'sale-report.md');
  writeFileSync(
    reportPath,
    renderMarkdown(
      result,
      charts.map((chart) => relative(reportDir, chart)),
    ),
  );
  return { reportPath, charts, pngs };
}

function chartSpecs(result: SimulationResult): Record<string, ChartSpec> {
  const bands: Band[] = result.phases.map((phase) => ({
    label: phase.name.replace('_', ' '),
    from: phase.startSeconds,
    to: phase.startSeconds + phase.scaledDurationSeconds,
  }));
  const seconds = result.recorder.seconds.map((bucket, second) => ({ bucket, x: second + 0.5 }));
  const readings = result.readings.map((reading) => ({ reading, x: reading.at / 1000 }));
  return {
    requests: {
      title: 'Requests per second, by answer',
      unit: 'req/s',
      bands,
      series: [
        {
          label: 'all',
          color: '#1d4ed8',
          points: seconds.map(({ bucket, x }) => [x, bucket.requests]),
        },
        { label: '2xx', color: '#16a34a', points: seconds.map(({ bucket, x }) => [x, bucket.ok]) },
        {
          label: '409',
          color: '#ea580c',
          points: seconds.map(({ bucket, x }) => [x, bucket.conflicts]),
        },
        {
          label: 'errors',
          color: '#dc2626',
          points: seconds.map(({ bucket, x }) => [x, bucket.errors]),
        },
      ],
    },
    latency: {
      title: 'Latency per second (all endpoints)',
      unit: 'ms',
      bands,
      series: [
        {
          label: 'p50',
          color: '#16a34a',
          points: seconds.map(({ bucket, x }) => [x, percentile(sortedCopy(bucket.latencies), 50)]),
        },
        {
          label: 'p99',
          color: '#dc2626',
          points: seconds.map(({ bucket, x }) => [x, percentile(sortedCopy(bucket.latencies), 99)]),
        },
      ],
    },
    queue: {
      title: 'Queue: fans waiting, admitted, in checkout',
      unit: 'fans',
      bands,
      series: [
        {
          label: 'waiting',
          color: '#1d4ed8',
          points: readings.map(({ reading, x }) => [x, reading.waiting]),
        },
        {
          label: 'admitted (total)',
          color: '#16a34a',
          points: readings.map(({ reading, x }) => [x, reading.admittedTotal]),
        },
        {
          label: 'in checkout',
          color: '#9333ea',
          points: readings.map(({ reading, x }) => [x, reading.activeCheckouts]),
        },
      ],
    },
    tickets: {
      title: 'Tickets remaining',
      unit: 'tickets',
      bands,
      series: [
        {
          label: 'remaining',
          color: '#1d4ed8',
          points: readings.map(({ reading, x }) => [x, reading.ticketsRemaining]),
        },
      ],
    },
    conflicts: {
      title: '409 rate of joins and orders',
      unit: '% of joins + orders',
      bands,
      series: [
        {
          label: '409 share',
          color: '#ea580c',
          points: seconds.map(({ bucket, x }) => [
            x,
            bucket.saleRequests === 0
              ? Number.NaN
              : (100 * bucket.saleConflicts) / bucket.saleRequests,
          ]),
        },
      ],
    },
  };
}

const int = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '-';
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '-');

export function renderMarkdown(result: SimulationResult, chartPaths: readonly string[]): string {
  const { settings, ledger, recorder, machine, fairness, counters } = result;
  const lc = settings.lifecycle;
  const peak = Math.max(...result.phases.map((phase) => phase.scaledRatePerSecond));
  const lines: string[] = [];
  const checks = verdicts(result);
  lines.push(
    '# Sale report: the full lifecycle against the local stack',
    '',
    `Generated by \`programs/simulator\` on ${result.startedAt.toISOString()}. Every figure below was measured in this run;`,
    'nothing is typed in by hand.',
    '',
    '## How it was run',
    '',
    '```sh',
    settings.command,
    '```',
    '',
    `- Machine: ${machine.cores} cores (nproc), ${machine.memoryGiB} GiB memory, ${machine.cpu}, Node ${machine.node}. The load generator, the three services,`,
    `  Redis, Postgres and the Pub/Sub emulator all share these cores. Load average (1 min) when the lifecycle started: ${machine.loadAverage}.`,
    `- Scale: RATE_SCALE=${lc.rateScale}, TIME_SCALE=${lc.timeScale}: the 15-minute lifecycle in ${int(result.lifecycleSeconds)} s, peaking at ${int(peak)} req/s`,
    `  (50,000 × ${lc.rateScale}). Event: ${int(settings.ticketsTotal)} tickets, admission ${int(settings.admissionRatePerSecond)}/s, at most ${int(settings.maxActiveCheckouts)} active checkouts.`,
    `- Fans: ${settings.vus} virtual users each keeping up to ${lc.maxFansPerVu} fans (k6/lib/fans.ts), from ${int(settings.clients.addresses)} loopback source addresses`,
    `  (one keep-alive connection per address and service, undici), so the per-client join limit${settings.clients.joinRateLimitMax === null ? ' stays at its default' : ` was raised to ${int(settings.clients.joinRateLimitMax)} per window`}.`,
    `  Join challenge: ${settings.joinChallengeBits === 0 ? 'off' : `${settings.joinChallengeBits} bits, solved by every joining fan with node:crypto (a join is then two requests)`}.`,
    `  Checkout think time ${lc.checkoutThinkMs} ms (±50%), order polls every ${lc.orderPollMs} ms, queue polls as the service says (pollAfterMs).`,
    result.webServed
      ? '- Page loads went to the web app.'
      : '- The web app was not built, so page loads were sent as event refreshes (`GET /v1/events/{id}`).',
    '',
    '## Result',
    '',
    '| figure | value |',
    '| --- | --- |',
    `| tickets total | ${int(ledger.ticketsTotal)} |`,
    `| tickets sold (Redis \`sold\`) | ${int(ledger.redisSold)} |`,
    `| tickets remaining (Redis \`stock\`) | ${int(ledger.redisStock)} |`,
    `| tickets persisted (rows in \`tickets\`) | ${int(ledger.persistedTickets)} |`,
    `| confirmed orders / their quantity | ${int(ledger.confirmedOrders)} / ${int(ledger.confirmedQuantity)} |`,
    `| **oversold** | **${int(ledger.oversold)}** |`,
    `| tickets fans hold (confirmed orders they read) | ${int(result.fanTickets)} |`,
    `| sold out at | ${result.soldOutAtSeconds === null ? 'not sold out' : `${result.soldOutAtSeconds.toFixed(0)} s`} |`,
    `| pipeline idle after the last phase | ${ledger.drained ? `${ledger.drainSeconds.toFixed(1)} s` : `not within ${settings.drainSeconds} s`} |`,
    `| requests sent / unexpected errors | ${int(recorder.total)} / ${int(recorder.unexpected)} |`,
    `| requests not sent (load generator saturated) | ${int([...recorder.notSent.values()].reduce((a, b) => a + b, 0))} |`,
    `| fans joined / admitted / ordered | ${int(counters.joined)} / ${int(counters.admitted)} / ${int(counters.ordered)} |`,
    '',
    ...checks.map((check) => `- ${check.ok ? '✅' : '❌'} ${check.label}`),
    '',
    '## Latency per endpoint (whole run)',
    '',
    '| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms | k6 bound p95 / p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const endpoint of ENDPOINTS) {
    const values = recorder.latencies.get(endpoint);
    if (!values) continue;
    const s = summarize(values);
    const bound = LATENCY_BOUNDS_MS[endpoint];
    lines.push(
      `| ${endpoint} | ${int(s.count)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${bound.p95} / ${bound.p99} |`,
    );
  }
  if (result.redisCommands) {
    const total = [...result.redisCommands.values()].reduce((a, b) => a + b, 0);
    const top = [...result.redisCommands.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    lines.push(
      '',
      '## Redis commands',
      '',
      `The run had a Redis of its own: ${int(total)} commands during the lifecycle for ${int(recorder.total)} fan requests,`,
      `**${(total / Math.max(1, recorder.total)).toFixed(2)} commands per request**, background work included (admission ticks, last-seen`,
      'flushes, event refreshes, outbox relay, worker confirmations). A Lua script counts as one `evalsha` plus each command it calls.',
      '',
      `By command: ${top.map(([command, calls]) => `${command} ${int(calls)}`).join(', ')}.`,
    );
    if (result.redisSources) lines.push(...sourceLines(result.redisSources, recorder.total));
  }
  lines.push(
    '',
    '## Phases',
    '',
    '| phase | seconds | target req/s | achieved req/s | API p99 ms | not sent |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const phase of result.phases) {
    const sent = [...(recorder.outcomes.get(phase.name)?.values() ?? [])].reduce(
      (a, b) => a + b,
      0,
    );
    const p99 = summarize(recorder.phaseLatencies.get(phase.name) ?? []).p99;
    lines.push(
      `| ${phase.name} | ${phase.scaledDurationSeconds} | ${phase.scaledRatePerSecond} | ${int(sent / phase.scaledDurationSeconds)} | ${ms(p99)} | ${int(recorder.notSent.get(phase.name) ?? 0)} |`,
    );
  }
  lines.push(
    '',
    '## Answers by phase',
    '',
    'Status codes (and the contract error code) per endpoint, per phase.',
    '',
  );
  for (const phase of result.phases) {
    const outcomes = recorder.outcomes.get(phase.name);
    if (!outcomes) continue;
    const sorted = [...outcomes.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    lines.push(
      `- **${phase.name}**: ${sorted.map(([key, count]) => `${key} × ${int(count)}`).join(', ')}`,
    );
  }
  const f = fairness;
  lines.push(
    '',
    '## Fairness',
    '',
    "Admission order is read from each admission's expiry (admitted at + a fixed window, to the millisecond) and compared with the",
    'place in line each fan was given. Fans admitted in the same admission tick share a time and are not counted as out of order.',
    '',
    '| check | fans | out of order (overtaken) | inverted pairs |',
    '| --- | ---: | ---: | ---: |',
    `| joined after the opening: admission order vs place given at the join | ${int(f.afterOpening.fans)} | ${int(f.afterOpening.overtaken)} | ${int(f.afterOpening.inversions)} |`,
    `| every admitted fan whose place is known | ${int(f.allKnown.fans)} | ${int(f.allKnown.overtaken)} | ${int(f.allKnown.inversions)} |`,
    '',
    `Pre-queue shuffle (${int(f.prequeue.fans)} fans joined before the opening and were admitted): rank correlation between arrival`,
    `order and admission order ${Number.isFinite(f.prequeue.correlation) ? f.prequeue.correlation.toFixed(3) : '-'} (0 = arriving early gives no edge, 1 = first come first served);`,
    `the earliest quarter of arrivals was admitted at mean percentile ${Number.isFinite(f.prequeue.earliestQuarterMeanPercentile) ? f.prequeue.earliestQuarterMeanPercentile.toFixed(2) : '-'} (0.5 = no edge).`,
    `The published commitment ${f.prequeue.commitmentHolds === null ? 'could not be checked' : f.prequeue.commitmentHolds ? 'matches SHA-256 of the revealed seed' : '**does not match** the revealed seed'}.`,
    '',
    '## Charts',
    '',
    ...chartPaths.map((path) => `![${path}](${path})`),
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** Where the commands came from: each client's commands and scripts, per fan request. */
function sourceLines(sources: readonly CommandSource[], requests: number): string[] {
  const shown = sources.slice(0, SOURCES_SHOWN);
  const rest = sources.slice(SOURCES_SHOWN);
  const perRequest = (commands: number) => (commands / Math.max(1, requests)).toFixed(3);
  const lines = [
    '',
    'By source (MONITOR on the same Redis; a script counts with the commands it calls):',
    '',
    '| client | command or script | calls | commands | per request |',
    '| --- | --- | ---: | ---: | ---: |',
    ...shown.map(
      (s) =>
        `| ${s.client} | ${s.command.replace(/\|/g, '\\|')} | ${int(s.calls)} | ${int(s.commands)} | ${perRequest(s.commands)} |`,
    ),
  ];
  if (rest.length > 0) {
    const commands = rest.reduce((sum, s) => sum + s.commands, 0);
    lines.push(`| ${rest.length} more | | | ${int(commands)} | ${perRequest(commands)} |`);
  }
  const byClient = new Map<string, number>();
  for (const s of sources) byClient.set(s.client, (byClient.get(s.client) ?? 0) + s.commands);
  lines.push(
    '',
    `Per client: ${[...byClient.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([client, commands]) => `${client} ${perRequest(commands)}`)
      .join(', ')} commands per request.`,
  );
  return lines;
}
