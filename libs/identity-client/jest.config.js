// The SDK's own tests, alone: `npx jest -c libs/identity-client/jest.config.js`. Unit specs
// only (no database, no Redis, no platform); the e2e suites that run it against the real
// platform are test/e2e/identity-client.*.e2e-spec.ts and reporting-demo.e2e-spec.ts.
const root = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: root.transform,
  transformIgnorePatterns: root.transformIgnorePatterns,
  // Deliberately no @identity/* mapping: the SDK must not need one.
};
