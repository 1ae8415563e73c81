#!/usr/bin/env node
'use strict';
/**
 * Turns jest's `--json` report into the one line CI reads: `N passed, N failed`.
 *
 *   node scripts/jest-summary.js <jest.json> [extraFailures] [jestExitStatus]
 *
 * - extraFailures: failures found outside jest (lint, typecheck), added to the count.
 * - jestExitStatus: jest's own exit status; a non-zero status that the report does not
 *   explain (e.g. a failing globalTeardown) counts as one more failure.
 * A missing or unreadable report counts as one failure. A suite that failed without a
 * failing test (it did not compile, threw at load, or a hook threw) counts as a failure
 * too, since jest reports no test result for it. A run in which no test ran is a failure.
 * Exits 1 when anything failed, else 0. Plain CommonJS with no dependencies, so it works
 * even when `npm ci` did not.
 */
const fs = require('node:fs');

function toCount(value, name) {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`jest-summary: ${name} must be a non-negative integer, got "${value}"`);
    process.exit(2);
  }
  return n;
}

function readReport(file) {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    return report && typeof report === 'object' ? report : undefined;
  } catch (err) {
    console.error(`jest-summary: no usable jest report at ${file}: ${err.message}`);
    return undefined;
  }
}

/** Suites jest marked failed although none of their tests failed: they produced no result. */
function erroredSuites(report) {
  const suites = Array.isArray(report.testResults) ? report.testResults : [];
  const silent = suites.filter(
    (s) => s.status === 'failed' && !(s.assertionResults || []).some((a) => a.status === 'failed'),
  );
  for (const s of silent)
    console.error(`jest-summary: suite failed without a test result: ${s.name}`);
  return Math.max(Number(report.numRuntimeErrorTestSuites) || 0, silent.length);
}

function main(argv) {
  const [file, extraArg, statusArg] = argv;
  if (!file) {
    console.error(
      'usage: node scripts/jest-summary.js <jest.json> [extraFailures] [jestExitStatus]',
    );
    process.exit(2);
  }
  const extra = toCount(extraArg, 'extraFailures');
  const jestStatus = toCount(statusArg, 'jestExitStatus');
  const report = readReport(file);

  let passed = 0;
  let failed = extra;
  let ran = 0;
  if (!report) {
    failed += 1;
  } else {
    passed = Number(report.numPassedTests) || 0;
    const failedTests = Number(report.numFailedTests) || 0;
    const errored = erroredSuites(report);
    failed += failedTests + errored;
    ran = passed + failedTests;
    if (jestStatus !== 0 && failedTests + errored === 0) {
      console.error(
        `jest-summary: jest exited with status ${jestStatus} but its report shows no failure; counting it as one`,
      );
      failed += 1;
    }
    if (ran === 0 && failed === 0) {
      console.error('jest-summary: no test ran; counting that as one failure');
      failed = 1;
    }
  }

  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main(process.argv.slice(2));
