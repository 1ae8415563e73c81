/**
 * jest entry of the SDK guard bench (jest provides the migrated template database and the app
 * build the bench needs). Not part of `npm test`: run it with
 *   npx jest -c bench/sdk.jest.config.js
 * Settings: SDK_BENCH_DURATION (10 s per mode), SDK_BENCH_CONNECTIONS (32), SDK_BENCH_USERS (50),
 * SDK_BENCH_REVOCATIONS (40 per mode). Writes bench/results/<date>-sdk-guard.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSdkBench, runSdkGuardBench } from './sdk-guard';

const setting = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};

it('measures the SDK-protected endpoint against VerifyToken per request', async () => {
  const result = await runSdkGuardBench({
    durationS: setting('SDK_BENCH_DURATION', 10),
    connections: setting('SDK_BENCH_CONNECTIONS', 32),
    users: setting('SDK_BENCH_USERS', 50),
    revocations: setting('SDK_BENCH_REVOCATIONS', 40),
    log: (line) => process.stderr.write(`[sdk-bench] ${line}\n`),
  });
  process.stdout.write(`\n${formatSdkBench(result)}\n`);
  const file = join(
    __dirname,
    'results',
    `${new Date().toISOString().slice(0, 10)}-sdk-guard.json`,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  expect(result.local.load.errors).toBe(0);
  expect(result.platform.load.errors).toBe(0);
  expect(result.local.perRequest.verifyToken).toBe(0);
  expect(result.local.revocationDelay.missed).toBe(0);
});
