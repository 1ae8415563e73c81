// jest config of the SDK guard bench: the repository's config (SWC, @identity/* mapping,
// global setup that migrates the template database and builds the app), one file, no
// parallelism, a long timeout. Run: npx jest -c bench/sdk.jest.config.js
const { join } = require('node:path');
const base = require('../jest.config.js');

module.exports = {
  ...base,
  rootDir: join(__dirname, '..'),
  testMatch: ['<rootDir>/bench/sdk-guard.bench.ts'],
  testTimeout: 15 * 60 * 1000,
  maxWorkers: 1,
};
