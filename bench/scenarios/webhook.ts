import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import type { EmitResult } from '../child/webhook-events';
import type { LoadResult } from '../lib/http-load';
import { LatencyRecorder, round } from '../lib/latency';
import type { Scenario } from './scenario';

/** Transactions in flight in the closed loop (the throughput run). */
const EMIT_CONCURRENCY = 16;
/** The latency target's rate. */
const TARGET_RATE = 100;
/** How long deliveries may trail the last commit before they count as missed. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Every n-th delivery's signature is verified with the receivers' package. */
const VERIFY_EVERY = 25;

const wallMs = (): number => performance.timeOrigin + performance.now();

/**
 * Webhook delivery, from the commit of the event to a receiver's 2xx: `session.revoked`
 * events are emitted in the app process, each in a transaction of its own (audit row and
 * fan-out, as the domain writes them) for the seeded users in turn, and delivered by the
 * app's outbox worker to one receiver on 127.0.0.1 in this process, which answers 204 at
 * once. Latency runs from the commit (an after-commit hook in the app) to the receiver's
 * answer; both clocks are the host's.
 * - Measured window: a closed loop of 16 transactions in flight for the duration, then the
 *   drain: ops/s is deliveries per second from the first commit to the last 2xx.
 * - Then `at100`: 100 events per second (open loop) for the duration, the target
 *   p99 < 1 s.
 * Checks: deliveries missing after the drain, signatures (every 25th verified with
 * `standardwebhooks`) that do not verify, and deliveries received twice.
 */
export const webhookScenario: Scenario = {
  name: 'webhook',
  summary: 'session.revoked committed → signed delivery to a loopback receiver (2xx)',
  async run(ctx) {
    const receiver = await LoopbackReceiver.start();
    try {
      const { secret } = await ctx.primary.handle.request<{ id: string; secret: string }>(
        'webhook.register',
        { url: receiver.url },
      );
      receiver.verifier = new Webhook(secret);
      const emit = (durationS: number, ratePerS?: number) =>
        ctx.primary.handle.request<EmitResult>(
          'webhook.emit',
          { durationMs: durationS * 1000, ratePerS, concurrency: EMIT_CONCURRENCY },
          durationS * 1000 + 60_000,
        );
      const run = async (durationS: number, ratePerS?: number): Promise<Run> => {
        receiver.reset();
        const emitted = await emit(durationS, ratePerS);
        return receiver.settle(emitted);
      };

      await run(ctx.options.warmupS, TARGET_RATE);
      let saturated: Run | undefined;
      const measured = await ctx.measured(async () => {
        saturated = await run(ctx.options.durationS);
        return saturated.load;
      });
      const at100 = await run(ctx.options.durationS, TARGET_RATE);
      return {
        ...measured,
        params: {
          emitConcurrency: EMIT_CONCURRENCY,
          targetRate: TARGET_RATE,
          instances: 1,
          receivers: 1,
        },
        checks: {
          missed: saturated!.missed + at100.missed,
          badSignatures: receiver.badSignatures,
          duplicates: receiver.duplicates,
          emitErrors: saturated!.emitErrors + at100.emitErrors,
        },
        details: {
          at100: {
            rate: round(at100.load.ok / (ctx.options.durationS || 1), 1),
            latency: at100.load.latency,
            delivered: at100.load.ok,
          },
          saturated: { committedPerS: saturated!.committedPerS },
          errorSamples: [...saturated!.errorSamples, ...at100.errorSamples],
        },
      };
    } finally {
      await receiver.stop();
    }
  },
};

interface Run {
  load: LoadResult;
  missed: number;
  emitErrors: number;
  committedPerS: number;
  errorSamples: string[];
}

/** A receiver on 127.0.0.1 that answers 204 at once and notes when, by the event's session id. */
class LoopbackReceiver {
  verifier: Webhook | undefined;
  badSignatures = 0;
  duplicates = 0;
  private received = new Map<string, number>();
  private count = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LoopbackReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new LoopbackReceiver(server, `http://127.0.0.1:${port}/hook`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        receiver.record(Buffer.concat(chunks).toString('utf8'), req.headers, wallMs());
      });
    });
    return receiver;
  }

  reset(): void {
    this.received = new Map();
  }

  /** Waits for every committed event (or the drain timeout), then measures the run. */
  async settle(emitted: EmitResult): Promise<Run> {
    const until = Date.now() + DRAIN_TIMEOUT_MS;
    const missing = () => emitted.commits.filter(([id]) => !this.received.has(id)).length;
    while (missing() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const latency = new LatencyRecorder();
    let firstCommit = Infinity;
    let lastDelivery = 0;
    for (const [id, committedAt] of emitted.commits) {
      firstCommit = Math.min(firstCommit, committedAt);
      const at = this.received.get(id);
      if (at === undefined) continue;
      latency.record(at - committedAt);
      lastDelivery = Math.max(lastDelivery, at);
    }
    const missed = missing();
    const seconds = lastDelivery > firstCommit ? (lastDelivery - firstCommit) / 1000 : 0;
    const lastCommit = emitted.commits.reduce((max, [, at]) => Math.max(max, at), 0);
    const errorKinds: Record<string, number> = {};
    if (missed > 0) errorKinds.missed = missed;
    if (emitted.errors > 0) errorKinds.emit = emitted.errors;
    return {
      load: {
        throughput: seconds > 0 ? round(latency.count / seconds, 1) : 0,
        ok: latency.count,
        errors: missed + emitted.errors,
        errorKinds,
        seconds: round(seconds, 3),
        latency: latency.summary(),
      },
      missed,
      emitErrors: emitted.errors,
      committedPerS:
        lastCommit > firstCommit
          ? round(emitted.commits.length / ((lastCommit - firstCommit) / 1000), 1)
          : 0,
      errorSamples: emitted.errorSamples,
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(body: string, headers: Record<string, string | string[] | undefined>, at: number) {
    this.count += 1;
    let id: string | undefined;
    try {
      id = (JSON.parse(body) as { data?: { session_id?: string } }).data?.session_id;
    } catch {
      this.badSignatures += 1;
      return;
    }
    if (!id) return;
    if (this.received.has(id)) this.duplicates += 1;
    else this.received.set(id, at);
    if (this.verifier && this.count % VERIFY_EVERY === 1) {
      try {
        this.verifier.verify(body, {
          'webhook-id': String(headers['webhook-id']),
          'webhook-timestamp': String(headers['webhook-timestamp']),
          'webhook-signature': String(headers['webhook-signature']),
        });
      } catch {
        this.badSignatures += 1;
      }
    }
  }
}
