import type { MillionReport } from './run.js';

const n = (value: number) => value.toLocaleString('en');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const loads = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');

/** The run as printed: time, invariant, each process's share of the CPU, load average. */
export function renderMillion(report: MillionReport): string {
  const lines: string[] = [];
  lines.push(
    `wall: ${s(report.wallMs)} from the first join to the last confirmed order ` +
      `(orders placed after ${s(report.ordersPlacedMs)}); ${n(report.tickets)} tickets, ${n(report.fans)} fans`,
  );
  lines.push('');
  lines.push('invariant');
  const rows: [string, number][] = [
    ['tickets sold (Redis)', report.soldInRedis],
    ['ticket rows (Postgres)', report.audit.tickets],
    ['sum of confirmed quantities', report.audit.ticketsOrdered],
    ['distinct ticket codes', report.audit.distinctCodes],
    ['orders confirmed', report.audit.orders],
    ['orders rejected', report.audit.rejected],
    ['orders pending', report.ordersPending],
    ['outbox pending', report.outboxPending],
    [`sampled reads not confirmed (of ${n(report.sampleRead)})`, report.sampleWrong],
  ];
  for (const [what, value] of rows) lines.push(`  ${what.padEnd(40)} ${n(value).padStart(12)}`);
  lines.push(`  ${'holds'.padEnd(40)} ${(report.ok ? 'yes' : 'NO').padStart(12)}`);
  lines.push('');
  lines.push(
    `requests: ${n(report.load.joins)} joins, ${n(report.load.polls)} status polls (at most ${report.load.mostPolls} by one fan), ` +
      `${n(report.load.accepted)} orders; retried: ${tally(report.load.retried)}`,
  );
  lines.push('');
  lines.push(
    `CPU over the run (capacity ${s(report.wallMs * report.cores)}: ${report.cores} cores × wall)`,
  );
  for (const part of report.cpu)
    lines.push(
      `  ${part.name.padEnd(18)} ${part.seconds.toFixed(1).padStart(8)} s ${part.percent.toFixed(1).padStart(6)} %${part.note === '' ? '' : `  (${part.note})`}`,
    );
  const total = report.cpu.reduce((sum, part) => sum + part.seconds, 0);
  lines.push(
    `  ${'all of these'.padEnd(18)} ${total.toFixed(1).padStart(8)} s ${((100 * total) / ((report.wallMs / 1000) * report.cores)).toFixed(1).padStart(6)} %`,
  );
  lines.push(`load generator's peak memory: ${n(report.loadGeneratorPeakRssMb)} MB`);
  lines.push('');
  lines.push(
    `load average: ${loads(report.loadAtStart)} at the start, ${loads(report.loadAtEnd)} at the end`,
  );
  if (report.joinLimitRaisedTo !== null)
    lines.push(
      `join limit: JOIN_RATE_LIMIT_MAX raised to ${report.joinLimitRaisedTo} per address and 10 s`,
    );
  for (const problem of report.problems) lines.push(`PROBLEM: ${problem}`);
  if (report.logFile !== null) lines.push(`services' logs kept in ${report.logFile}`);
  return `${lines.join('\n')}\n`;
}

function tally(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${n(v)} × ${k}`).join(', ');
}
