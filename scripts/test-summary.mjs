#!/usr/bin/env node
// Sums the jest results every package wrote (.jest-results.json) into one closing line that CI and
// people can read at a glance: "tests: N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0, failed = 0, skipped = 0;
const rows = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const f = join(root, 'packages', pkg, '.jest-results.json');
  if (!existsSync(f)) continue;
  const r = JSON.parse(readFileSync(f, 'utf8'));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  const secs = r.testResults.reduce((a, t) => a + (t.endTime - t.startTime), 0) / 1000;
  rows.push(`  @sr/${pkg.padEnd(8)} ${String(r.numPassedTests).padStart(4)} passed ${String(r.numFailedTests).padStart(3)} failed  ${secs.toFixed(0).padStart(5)} s`);
}
console.log(rows.join('\n'));
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
