#!/usr/bin/env node
// Prints one plain closing line `N passed, N failed[, N skipped]` from vitest JSON reports.
// A test file that failed outside any test (an import error, a failing beforeAll) counts as
// one failure, and is named on stderr, so the line never says 0 failed when a suite broke.
// Usage: node scripts/test-summary.mjs report.json [report.json ...]
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    process.stderr.write(`test-summary: no report at ${file} (the run did not finish)\n`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  let brokenFiles = 0;
  for (const t of r.testResults ?? []) {
    const anyTestFailed = (t.assertionResults ?? []).some((a) => a.status === 'failed');
    if (t.status === 'failed' && !anyTestFailed) {
      brokenFiles += 1;
      const why = String(t.message ?? '').split('\n')[0];
      process.stderr.write(`test-summary: ${relative(process.cwd(), t.name)} failed outside its tests: ${why}\n`);
    }
  }
  failed += brokenFiles;
  if (r.success === false && (r.numFailedTests ?? 0) === 0 && brokenFiles === 0) {
    process.stderr.write(`test-summary: ${file} reports an unsuccessful run without a failed test\n`);
    failed += 1;
  }
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
