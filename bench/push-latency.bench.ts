/**
 * jest entry of the push-latency bench (jest provides the migrated template database and the
 * app build the bench needs). Not part of `npm test`: run it with
 *   npx jest -c bench/push.jest.config.js
 * Settings: PUSH_BENCH_SOCKETS (1000), PUSH_BENCH_REVOCATIONS (200), PUSH_BENCH_SESSIONS_PER_USER (10).
 */
import { formatPushBench, runPushLatencyBench } from './push-latency';

const setting = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};

it('measures revocation push latency over two instances', async () => {
  const result = await runPushLatencyBench({
    sockets: setting('PUSH_BENCH_SOCKETS', 1_000),
    revocations: setting('PUSH_BENCH_REVOCATIONS', 200),
    sessionsPerUser: setting('PUSH_BENCH_SESSIONS_PER_USER', 10),
    log: (line) => process.stderr.write(`[push-bench] ${line}\n`),
  });
  process.stdout.write(`\n${formatPushBench(result)}\n`);
  expect(result.missed).toBe(0);
});
