/** Connection-level helpers of the Redis adapter (internal to libs/kv: not exported). */
import type { Redis } from 'ioredis';

/** Bounds QUIT and the socket close after it; a hung Redis must not hang shutdown. */
const CLOSE_TIMEOUT_MS = 1_000;

/** Rejects with `message` unless `promise` settles within `timeoutMs`; clears its timer. */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves true once the connection is ready, false on timeout or end; never rejects. */
export function waitForReady(connection: Redis, timeoutMs: number): Promise<boolean> {
  if (connection.status === 'ready') return Promise.resolve(true);
  if (connection.status === 'end') return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (ready: boolean): void => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('end', onEnd);
      resolve(ready);
    };
    const onReady = (): void => settle(true);
    const onEnd = (): void => settle(false);
    const timer = setTimeout(() => settle(false), timeoutMs);
    connection.once('ready', onReady);
    connection.once('end', onEnd);
  });
}

/** QUIT, bounded; falls back to disconnect(), which also stops a reconnect loop. */
export async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status === 'ready') {
    const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
    try {
      await withTimeout(connection.quit(), CLOSE_TIMEOUT_MS, 'kv: redis QUIT timed out');
      // Wait for the socket itself, so no handle outlives close().
      await withTimeout(ended, CLOSE_TIMEOUT_MS, 'kv: redis socket did not close');
      return;
    } catch {
      // A hung Redis must not hang shutdown: fall through to a hard disconnect.
    }
  }
  // Also stops the reconnect loop of a connection that never came up.
  connection.disconnect();
}
