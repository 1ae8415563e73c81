import { randomBytes } from 'node:crypto';

/** The Redis medium tests use: `TEST_REDIS_URL`, else the local one. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix no other test file (or parallel jest worker) shares, e.g. `test:kv:3f9a1c2b:`,
 * so tests can run against one Redis and clean up by `SCAN MATCH <prefix>*`.
 */
export function uniqueKvPrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}
