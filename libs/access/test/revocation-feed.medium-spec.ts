/**
 * Failure: a service that verifies tokens locally keeps accepting a token whose session was
 * revoked, because the revocation happened on another instance of the platform, or while the
 * service was reconnecting, or before it started. The feed must deliver every revocation
 * committed on any instance, in commit order, resume after a cursor without a gap or a repeat,
 * and replay to a fresh subscriber exactly what is still in force (one access-token lifetime).
 */
import {
  AuditLogRepository,
  EventBus,
  type IdentityEventMap,
  type IdentityEventType,
} from '@identity/audit';
import { APP_CONFIG, type AppConfig } from '@identity/config';
import { type Tx } from '@identity/database';
import {
  createTestDatabase,
  ManualClock,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { type FeedMessage, RevocationFeed } from '../src/revocation-feed';
import { type AccessTestApp, startAccessApp } from './access-test-app';

/** A watch that records what it got. */
class Recorder {
  readonly messages: FeedMessage[] = [];
  errors: unknown[] = [];
  completed = false;
  close: () => void = () => undefined;
  private waiters = new Set<() => void>();

  readonly sink = {
    next: (m: FeedMessage) => {
      this.messages.push(m);
      for (const w of [...this.waiters]) w();
    },
    error: (err: unknown) => {
      this.errors.push(err);
    },
    complete: () => {
      this.completed = true;
    },
  };

  changes() {
    return this.messages.filter((m) => m.kind === 'change');
  }

  /** Resolves once `predicate` holds for the messages so far. */
  until(predicate: (messages: FeedMessage[]) => boolean, timeoutMs = 3_000): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out; got ${JSON.stringify(this.messages.map((m) => m.kind))}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.messages)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }
}

describe('revocation feed', () => {
  let db: TestDatabase;
  let a: AccessTestApp;
  let b: AccessTestApp;
  const clock = new ManualClock();
  const recorders: Recorder[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('revocation_feed');
    const keyPrefix = uniqueKvPrefix('revocation_feed');
    a = await startAccessApp({ databaseUrl: db.url, keyPrefix, clock });
    b = await startAccessApp({ databaseUrl: db.url, keyPrefix, clock });
  });
  afterEach(() => {
    for (const r of recorders.splice(0)) r.close();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  const watch = (app: AccessTestApp, after: string, heartbeatMs = 60_000) => {
    const recorder = new Recorder();
    recorder.close = app.module
      .get(RevocationFeed)
      .watch({ after, heartbeatMs }, recorder.sink).close;
    recorders.push(recorder);
    return recorder;
  };

  const emit = <K extends IdentityEventType>(
    app: AccessTestApp,
    type: K,
    payload: IdentityEventMap[K],
  ) => app.database.withTransaction((tx: Tx) => app.module.get(EventBus).emit(tx, type, payload));

  const revokeSession = async (app: AccessTestApp, userId: string) => {
    const sessionId = crypto.randomUUID();
    await emit(app, 'session.revoked', {
      userId,
      sessionId,
      scope: 'session',
      reason: 'logout',
      sessionIds: [sessionId],
    });
    return sessionId;
  };

  const accessTtl = () => a.module.get<AppConfig>(APP_CONFIG).jwt.accessTtl;

  const caughtUp = (r: Recorder) => r.until((ms) => ms.some((m) => m.kind === 'caught_up'));

  it('pushes a revocation committed on another instance, with its user, sessions and end', async () => {
    const live = watch(b, '');
    await caughtUp(live);
    const userId = await a.newUser();
    const started = Date.now();
    const sessionId = await revokeSession(a, userId);
    await live.until((ms) => ms.some((m) => m.kind === 'change'));
    const elapsed = Date.now() - started;
    const [change] = live.changes();
    expect(change).toMatchObject({
      kind: 'change',
      change: {
        kind: 'sessions_revoked',
        userId,
        sessionIds: [sessionId],
        reason: 'logout',
        until: new Date(clock.nowMs() + accessTtl() * 1000),
      },
    });
    // Pushed, not polled: far below the one-second safety poll.
    expect(elapsed).toBeLessThan(500);
  });

  it('carries locks, unlocks, role changes of a user and role definition changes', async () => {
    const live = watch(b, '');
    await caughtUp(live);
    const userId = await a.newUser();
    await emit(a, 'user.locked', { userId });
    await emit(a, 'user.unlocked', { userId });
    await a.access.setUserRoles({ userId, roles: ['user'] });
    await a.roles.save({ name: 'auditor', permissions: ['audit:read'] });
    await a.roles.delete({ name: 'auditor' });
    await live.until((ms) => ms.filter((m) => m.kind === 'change').length >= 5);
    expect(live.changes().map((m) => m.kind === 'change' && m.change)).toEqual([
      { kind: 'user_locked', userId, until: expect.any(Date) },
      { kind: 'user_unlocked', userId },
      { kind: 'user_access_changed', userId, roles: ['user'] },
      { kind: 'role_changed', role: 'auditor', deleted: false },
      { kind: 'role_changed', role: 'auditor', deleted: true },
    ]);
    // In commit order: the cursors only grow.
    const cursors = live.changes().map((m) => BigInt(m.cursor));
    expect([...cursors].sort((x, y) => (x < y ? -1 : 1))).toEqual(cursors);
  });

  it('resumes after a cursor with exactly what came after it, then goes live', async () => {
    const first = watch(b, '');
    await caughtUp(first);
    const userId = await a.newUser();
    await revokeSession(a, userId);
    await first.until((ms) => ms.some((m) => m.kind === 'change'));
    const cursor = first.changes()[0]!.cursor;
    first.close();

    // While nobody listens on b: two more revocations, on both instances.
    const missedOnA = await revokeSession(a, userId);
    const missedOnB = await revokeSession(b, userId);

    const resumed = watch(b, cursor);
    await caughtUp(resumed);
    const replayed = resumed.changes().map((m) => m.kind === 'change' && m.change);
    expect(replayed).toEqual([
      expect.objectContaining({ sessionIds: [missedOnA] }),
      expect.objectContaining({ sessionIds: [missedOnB] }),
    ]);
    const live = await revokeSession(a, userId);
    await resumed.until((ms) => ms.filter((m) => m.kind === 'change').length === 3);
    expect(resumed.changes()[2]).toMatchObject({ change: { sessionIds: [live] } });
    // caught_up sits between the replay and the live message.
    expect(resumed.messages.map((m) => m.kind)).toEqual([
      'change',
      'change',
      'caught_up',
      'change',
    ]);
  });

  it('replays to a fresh subscriber ("0") only what is still in force', async () => {
    const userId = await a.newUser();
    const old = await revokeSession(a, userId);
    const ttl = accessTtl();
    // The old revocation's tokens have all expired (and the 5 s exp leeway has passed).
    clock.advance(ttl + 6);
    const recent = await revokeSession(a, userId);
    const fresh = watch(b, '0');
    await caughtUp(fresh);
    const sessions = fresh
      .changes()
      .flatMap((m) =>
        m.kind === 'change' && m.change.kind === 'sessions_revoked' ? m.change.sessionIds : [],
      );
    expect(sessions).toContain(recent);
    expect(sessions).not.toContain(old);
  });

  it('says it is alive with heartbeats whose cursor passes rows of other types', async () => {
    const live = watch(b, '', 150);
    await caughtUp(live);
    const userId = await a.newUser();
    await emit(a, 'mfa.enabled', { userId }); // audited, but no revocation
    await live.until((ms) => ms.filter((m) => m.kind === 'heartbeat').length >= 2);
    const newest = await a.module.get(AuditLogRepository).newestId();
    await live.until((ms) => ms.some((m) => m.kind === 'heartbeat' && m.cursor === newest));
    expect(live.changes()).toEqual([]);
    // That cursor is a valid place to resume from: nothing is replayed from it.
    const resumed = watch(b, newest);
    await caughtUp(resumed);
    expect(resumed.changes()).toEqual([]);
  });

  it('ends every watch when the instance shuts down', async () => {
    const keyPrefix = uniqueKvPrefix('revocation_feed_stop');
    const c = await startAccessApp({ databaseUrl: db.url, keyPrefix, clock });
    const live = watch(c, '');
    await caughtUp(live);
    await c.close();
    expect(live.completed).toBe(true);
  });
});
