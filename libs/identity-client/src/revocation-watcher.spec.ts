/**
 * The watcher's promises, with a stand-in stream and jest's clock: local verification is
 * trusted only while a caught-up stream keeps proving itself; a dropped or silent stream is
 * replaced and resumed after the last cursor applied (never from "now", which would skip what
 * happened meanwhile); a replay on a new stream does not count as in sync before its
 * `caught_up`. The real stream against the real platform: test/e2e/identity-client.*.
 */
import { EventEmitter } from 'node:events';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { RevocationEvent__Output } from './generated/identity/v1/RevocationEvent';
import type { WatchRevocationsRequest } from './generated/identity/v1/WatchRevocationsRequest';
import { PermissionCache } from './permission-cache';
import { RevocationList } from './revocation-list';
import { RevocationWatcher } from './revocation-watcher';

class StandInStream extends EventEmitter {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
    this.emit('error', Object.assign(new Error('Cancelled on client'), { code: 1 }));
  }
  send(event: Partial<RevocationEvent__Output> & { event: RevocationEvent__Output['event'] }) {
    this.emit('data', { cursor: '', at_ms: Date.now(), ...event });
  }
}

const OPTIONS = {
  maxStalenessMs: 1_000,
  heartbeatMs: 250,
  initialBackoffMs: 100,
  maxBackoffMs: 400,
};

describe('RevocationWatcher', () => {
  let opened: { request: WatchRevocationsRequest; stream: StandInStream }[];
  let revocations: RevocationList;
  let permissions: PermissionCache;
  let watcher: RevocationWatcher;
  const logs: string[] = [];

  beforeEach(() => {
    jest.useFakeTimers();
    opened = [];
    revocations = new RevocationList(0);
    permissions = new PermissionCache(
      () => Promise.resolve({ roles: [], permissions: [] }),
      60_000,
    );
    watcher = new RevocationWatcher(
      (request) => {
        const stream = new StandInStream();
        opened.push({ request, stream });
        return stream as unknown as ClientReadableStream<RevocationEvent__Output>;
      },
      revocations,
      permissions,
      OPTIONS,
      (_level, message) => logs.push(message),
    );
  });
  afterEach(() => {
    watcher.stop();
    jest.useRealTimers();
  });

  const current = () => opened.at(-1)!.stream;

  it('starts from "0", is in sync only after caught_up, and applies what it is told', () => {
    watcher.start();
    expect(opened[0]!.request).toEqual({ after: '0', heartbeat_ms: 250 });
    current().send({
      event: 'sessions_revoked',
      cursor: '7',
      sessions_revoked: {
        user_id: 'u',
        session_ids: ['s'],
        until: Date.now() / 1000 + 60,
        reason: 'logout',
      },
    });
    expect(watcher.inSync()).toBe(false);
    current().send({ event: 'caught_up', cursor: '9', caught_up: {} });
    expect(watcher.inSync()).toBe(true);
    expect(revocations.refusal({ sessionId: 's', userId: 'u' }, Date.now())).toBe('revoked');
    expect(watcher.status().cursor).toBe('9');
  });

  it('falls out of sync once the stream has been quiet for maxStalenessMs', () => {
    watcher.start();
    current().send({ event: 'caught_up', cursor: '1', caught_up: {} });
    jest.advanceTimersByTime(600);
    current().send({ event: 'heartbeat', cursor: '3', heartbeat: {} });
    jest.advanceTimersByTime(900);
    expect(watcher.inSync()).toBe(true);
    jest.advanceTimersByTime(200);
    expect(watcher.inSync()).toBe(false);
  });

  it('reconnects after a dropped stream with the last cursor, and is in sync again only after the new caught_up', () => {
    watcher.start();
    current().send({ event: 'caught_up', cursor: '5', caught_up: {} });
    current().send({ event: 'heartbeat', cursor: '12', heartbeat: {} });
    current().emit('error', Object.assign(new Error('Connection dropped'), { code: 14 }));
    jest.advanceTimersByTime(150);
    expect(opened).toHaveLength(2);
    expect(opened[1]!.request.after).toBe('12');
    // Past the bound while the replay runs: not in sync until caught_up.
    jest.advanceTimersByTime(700);
    current().send({ event: 'user_unlocked', cursor: '12', user_unlocked: { user_id: 'x' } });
    jest.advanceTimersByTime(400);
    current().send({
      event: 'sessions_revoked',
      cursor: '13',
      sessions_revoked: {
        user_id: 'u',
        session_ids: ['late'],
        until: Date.now() / 1000 + 60,
        reason: 'logout',
      },
    });
    expect(watcher.inSync()).toBe(false);
    current().send({ event: 'caught_up', cursor: '13', caught_up: {} });
    expect(watcher.inSync()).toBe(true);
    expect(revocations.refusal({ sessionId: 'late', userId: 'u' }, Date.now())).toBe('revoked');
  });

  it('reconnects when the platform cancels or ends the stream, with growing backoff', () => {
    watcher.start();
    current().emit('error', Object.assign(new Error('Cancelled'), { code: 1 }));
    jest.advanceTimersByTime(150);
    expect(opened).toHaveLength(2);
    current().emit('end');
    jest.advanceTimersByTime(150);
    expect(opened).toHaveLength(2); // second failure: 200 ms ± 20 %
    jest.advanceTimersByTime(150);
    expect(opened).toHaveLength(3);
  });

  it('replaces a stream that stopped talking (three heartbeats of silence)', () => {
    watcher.start();
    current().send({ event: 'caught_up', cursor: '4', caught_up: {} });
    const silent = current();
    jest.advanceTimersByTime(1_000);
    expect(silent.cancelled).toBe(true);
    jest.advanceTimersByTime(150);
    expect(opened).toHaveLength(2);
    expect(opened[1]!.request.after).toBe('4');
  });

  it('empties the permission cache when a stream catches up, drops users and roles on change', async () => {
    watcher.start();
    await permissions.get('a');
    await permissions.get('b');
    current().send({ event: 'caught_up', cursor: '1', caught_up: {} });
    expect(permissions.size).toBe(0);
    await permissions.get('a');
    current().send({
      event: 'user_access_changed',
      cursor: '2',
      user_access_changed: { user_id: 'a', roles: [] },
    });
    expect(permissions.size).toBe(0);
  });

  it('stops for good', () => {
    watcher.start();
    const stream = current();
    watcher.stop();
    expect(stream.cancelled).toBe(true);
    jest.advanceTimersByTime(10_000);
    expect(opened).toHaveLength(1);
  });
});
