import autocannon from 'autocannon';
import { LatencyRecorder, type LatencySummary, round } from './latency';

/** What one load run measured, whatever drove it (autocannon, grpc-js, socket.io). */
export interface LoadResult {
  /** Successful operations per second over the measured window. */
  throughput: number;
  ok: number;
  errors: number;
  /** Error counts by kind (`401`, `429`, `connection`, `timeout`, a gRPC status...). */
  errorKinds: Record<string, number>;
  seconds: number;
  /** Latency of successful operations, ms. */
  latency: LatencySummary;
}

export interface HttpLoadOptions {
  /** One URL, or several: connections are dealt out over them in turn. */
  url: string | string[];
  connections: number;
  durationS: number;
  /**
   * The request cycle of connection `n` (0-based). Closures may keep per-connection state:
   * autocannon calls `setupRequest` before each send and `onResponse` before the next build.
   */
  requestsFor: (connection: number) => autocannon.Request[];
}

/**
 * Drives HTTP load with autocannon (one request in flight per connection, keep-alive) and
 * records each 2xx latency with sub-millisecond precision (autocannon's own histogram rounds
 * to whole milliseconds).
 */
export async function httpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  let connection = 0;
  const latency = new LatencyRecorder();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    setupClient: (client) => client.setRequests(options.requestsFor(connection++)),
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latency.record(ms);
  });
  const result = await instance;
  const errorKinds: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (!status.startsWith('2')) errorKinds[status] = Number(count);
  }
  const timeouts = result.timeouts;
  if (timeouts > 0) errorKinds.timeout = timeouts;
  if (result.errors - timeouts > 0) errorKinds.connection = result.errors - timeouts;
  const ok = latency.count;
  return {
    throughput: round(ok / result.duration, 1),
    ok,
    errors: result.non2xx + result.errors,
    errorKinds,
    seconds: result.duration,
    latency: latency.summary(),
  };
}
