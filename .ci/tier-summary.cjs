'use strict';
// Prints the test counts of each tier (unit, integration, e2e) from Vitest's JSON report, each failed test with the
// start of its error (the run's log is often seen only by its tail), then the total as the run's closing line. The
// tiers follow the projects in vitest.config.mts.
const { readFileSync } = require('node:fs');
const { relative } = require('node:path');

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tierOf = (file) => {
  const f = relative(process.cwd(), file);
  if (/\/test\/e2e\//.test(f) || f.startsWith('tools/bench/')) return 'e2e';
  if (/\/test\/integration\//.test(f)) return 'integration';
  return 'unit';
};
const tiers = { unit: { passed: 0, failed: 0, skipped: 0, files: 0 }, integration: { passed: 0, failed: 0, skipped: 0, files: 0 }, e2e: { passed: 0, failed: 0, skipped: 0, files: 0 } };
const failures = [];
for (const file of report.testResults) {
  const t = tiers[tierOf(file.name)];
  t.files++;
  for (const a of file.assertionResults) {
    if (a.status === 'passed') t.passed++;
    else if (a.status === 'failed') {
      t.failed++;
      failures.push({ file: relative(process.cwd(), file.name), name: a.fullName, message: (a.failureMessages ?? []).join('\n') });
    } else t.skipped++;
  }
  // A file that failed outside any test (a hook, an import) has no failed assertion to show it.
  if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) {
    t.failed++;
    failures.push({ file: relative(process.cwd(), file.name), name: '(file)', message: file.message ?? '' });
  }
}
for (const f of failures) {
  console.log(`FAILED ${f.file} > ${f.name}`);
  for (const line of f.message.split('\n').slice(0, 12)) console.log(`    ${line}`);
}
for (const [name, t] of Object.entries(tiers)) {
  console.log(`${name.padEnd(11)} ${t.files} files, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
}
const total = Object.values(tiers).reduce((a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed }), { passed: 0, failed: 0 });
console.log(`total: ${total.passed} passed, ${total.failed} failed`);
