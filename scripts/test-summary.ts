// Adds up the vitest JSON reports of every workspace package into one closing line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of vitest's JSON reporter output this summary reads. */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: { status: string; assertionResults: { status: string }[] }[];
}

/** Package folders one or two levels down (`grafana`, `apps/worker`) that wrote a report. */
function reportFiles(): { dir: string; file: string }[] {
  const found: { dir: string; file: string }[] = [];
  const visit = (dir: string, depth: number) => {
    const file = join(dir, 'test-results', 'vitest.json');
    if (dir !== '.' && existsSync(file)) found.push({ dir, file });
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        visit(dir === '.' ? entry.name : join(dir, entry.name), depth - 1);
    }
  };
  visit('.', 2);
  // Grouped folders first (apps, packages, programs, tests, tooling), then the top-level packages, as the tree reads.
  return found.sort(
    (a, b) =>
      Number(!a.dir.includes('/')) - Number(!b.dir.includes('/')) || a.dir.localeCompare(b.dir),
  );
}

const reports = reportFiles().map(({ dir, file }) => ({
  dir,
  report: JSON.parse(readFileSync(file, 'utf8')) as VitestReport,
}));
if (reports.length === 0) {
  console.log('no test reports found');
  process.exit(1);
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const { dir, report } of reports) {
  passed += report.numPassedTests;
  // A file that failed without a failing test (it did not load, a hook threw) counts as one failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
  ).length;
  failed += report.numFailedTests + brokenFiles;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`${dir.padEnd(24)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
