import { availableParallelism } from 'node:os';
import { rowPasses, type ChaosReport } from './run.js';
import type { FaultRow } from './sale.js';

/** The table's columns, in order; the last four must be 0 on every row. */
export const COLUMNS: readonly { title: string; value: (row: FaultRow) => number }[] = [
  { title: 'tickets', value: (row) => row.ticketsTotal },
  { title: 'accepted 202s', value: (row) => row.accepted },
  { title: 'confirmed', value: (row) => row.confirmed },
  { title: 'rejected', value: (row) => row.rejected },
  { title: 'persisted tickets', value: (row) => row.persistedTickets },
  { title: 'oversold', value: (row) => row.oversold },
  { title: 'duplicate codes', value: (row) => row.duplicateCodes },
  { title: 'orders lost', value: (row) => row.ordersLost },
  { title: 'fans who lost their place', value: (row) => row.fansLostPlace },
];

/** Plain-text table, one row per fault, figures right-aligned under their titles. */
export function renderTable(rows: readonly FaultRow[]): string {
  const header = ['fault', ...COLUMNS.map((column) => column.title), 'verdict'];
  const body = rows.map((row) => [
    row.fault,
    ...COLUMNS.map((column) => column.value(row).toLocaleString('en')),
    rowPasses(row) ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1
          ? cell.padEnd(widths[i] ?? 0)
          : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

/** Everything the run prints at the end: the table, why rows fail, the load and the command. */
export function renderReport(report: ChaosReport): string {
  const lines = ['', renderTable(report.rows), ''];
  for (const row of report.rows) {
    for (const failure of row.failures) lines.push(`FAIL ${row.fault}: ${failure}`);
    for (const note of row.notes) lines.push(`     ${row.fault}: ${note}`);
  }
  if (report.error !== null) lines.push(`FAIL the run stopped: ${report.error}`);
  const load = (figures: readonly number[]) => figures.map((figure) => figure.toFixed(2)).join(' ');
  lines.push(
    '',
    `load average: ${load(report.loadAtStart)} at the start, ${load(report.loadAtEnd)} at the end (${availableParallelism()} cores)`,
    `command: ${report.command}`,
  );
  if (report.runDir !== null) lines.push(`run directory (logs, Postgres data): ${report.runDir}`);
  return `${lines.join('\n')}\n`;
}
