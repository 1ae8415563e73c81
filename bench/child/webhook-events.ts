import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { WebhookEndpointService } from '@identity/delivery';

/** The receiver the webhook scenario registers (in the app, as an admin would). */
export async function registerReceiver(
  app: INestApplication,
  input: { url: string; actorId: string },
): Promise<{ id: string; secret: string }> {
  const created = await app
    .get(WebhookEndpointService, { strict: false })
    .create({ url: input.url, events: ['session.revoked'], actorId: input.actorId });
  return { id: created.id, secret: created.secret };
}

export interface EmitRequest {
  userIds: readonly string[];
  durationMs: number;
  /** Events per second (open loop); unset: as fast as `concurrency` allows (closed loop). */
  ratePerS?: number;
  /** Transactions in flight at most. */
  concurrency: number;
}

export interface EmitResult {
  /** `[session id, commit time]` per committed event; time in ms since the epoch, sub-ms. */
  commits: [string, number][];
  errors: number;
  errorSamples: string[];
}

/** Wall-clock ms with sub-millisecond precision, comparable across processes on one host. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/**
 * Emits `session.revoked` events, each in a transaction of its own as the domain does (the
 * audit row and the webhook fan-out run in it), for seeded users picked in turn, each with a
 * fresh session id that names the event at the receiver. The commit time is taken in an
 * after-commit hook, the moment the commit returned.
 */
export async function emitWebhookEvents(
  app: INestApplication,
  req: EmitRequest,
): Promise<EmitResult> {
  const db = app.get(Database, { strict: false });
  const bus = app.get(EventBus, { strict: false });
  const commits: [string, number][] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  const emitOne = async (i: number): Promise<void> => {
    const userId = req.userIds[i % req.userIds.length];
    if (!userId) throw new Error('no seeded users');
    const sessionId = randomUUID();
    try {
      await db.withTransaction(async (tx) => {
        await bus.emit(tx, 'session.revoked', {
          userId,
          sessionId,
          scope: 'session',
          reason: 'session_revoked',
          sessionIds: [sessionId],
        });
        db.afterCommit(tx, () => commits.push([sessionId, wallMs()]));
      });
    } catch (err) {
      errors += 1;
      if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
    }
  };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; performance.now() - started < req.durationMs; i++) {
    if (req.ratePerS) {
      const wait = started + (i * 1000) / req.ratePerS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    while (inFlight.size >= req.concurrency) await Promise.race(inFlight);
    const op: Promise<void> = emitOne(i).finally(() => inFlight.delete(op));
    inFlight.add(op);
  }
  await Promise.all(inFlight);
  return { commits, errors, errorSamples: [...errorSamples] };
}
