// Adds up the vitest JSON reports of every package into one closing line.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const reports = [];
for (const group of ['apps', 'packages', 'tooling', '.']) {
  const dirs = group === '.' ? ['infra', 'k6', 'grafana'] : existsSync(group) ? readdirSync(group).map((d) => join(group, d)) : [];
  for (const dir of dirs) {
    const file = join(dir, 'test-results', 'vitest.json');
    if (existsSync(file)) reports.push({ dir, report: JSON.parse(readFileSync(file, 'utf8')) });
  }
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
if (reports.length === 0) {
  console.log('no test reports found');
  process.exit(1);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
