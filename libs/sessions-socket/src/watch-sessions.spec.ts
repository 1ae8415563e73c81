/**
 * The browser helper of the socket, twice: the typed module (`watchSessions`, what bundled
 * apps import) and the script the web UI loads (`/sessions-socket.js`, built from the same
 * function), run in a bare VM context as a page would run it. Both must mirror the typed
 * contract and behave alike, checked with a fake socket.io: a `revoked` logs out hard, an
 * expiry renews the cookies (once across tabs) and reconnects, a dead session never loops.
 */
import { EventEmitter } from 'node:events';
import { createContext, runInContext } from 'node:vm';
import { io as socketIoClient } from 'socket.io-client';
import { sessionsSocketBrowserScript } from './browser-script';
import {
  REVOCATION_REASONS,
  SERVER_EVENTS,
  SESSIONS_CONTRACT,
  SESSIONS_NAMESPACE,
  type SessionsServerToClientEvents,
  UNAUTHORIZED,
} from './sessions-socket.contract';
import { createWatchSessions, type SocketFactory } from './watch-sessions';

interface WebSessions {
  NAMESPACE: string;
  UNAUTHORIZED: string;
  EVENTS: string[];
  REVOCATION_REASONS: string[];
  watchSessions(options: {
    io: (namespace: string, options: unknown) => FakeSocket;
    refresh: () => Promise<boolean>;
    version?: () => string;
    onRevoked: (message: unknown) => void;
  }): { stop(): void };
}

class FakeSocket extends EventEmitter {
  connects = 0;
  closed = false;
  connect(): void {
    this.connects += 1;
  }
  close(): void {
    this.closed = true;
  }
}

/** The served script, run in a context of its own with only `globals`, as a page runs it. */
function loadScript(globals: Record<string, unknown> = {}): WebSessions {
  const context = createContext({ ...globals });
  runInContext(sessionsSocketBrowserScript(), context);
  return (context as { IdentitySessions: WebSessions }).IdentitySessions;
}

/** The typed module, with the same globals. */
function loadModule(globals: Record<string, unknown> = {}): WebSessions {
  return {
    NAMESPACE: SESSIONS_CONTRACT.namespace,
    UNAUTHORIZED: SESSIONS_CONTRACT.unauthorized,
    EVENTS: [...SESSIONS_CONTRACT.events],
    REVOCATION_REASONS: [...SESSIONS_CONTRACT.revocationReasons],
    watchSessions: createWatchSessions(SESSIONS_CONTRACT, globals),
  };
}

// socket.io-client's own `io` fits the helper's socket factory (a type check, no call).
const _realIo: SocketFactory = socketIoClient;

const flush = () => new Promise((r) => setImmediate(r));

/** Every server event of the typed contract, listed once (a missing key is a type error). */
const EVERY_SERVER_EVENT = Object.keys({
  revoked: true,
  expired: true,
} satisfies Record<keyof SessionsServerToClientEvents, true>);

describe.each([
  ['the served script', loadScript],
  ['the typed module', loadModule],
])('%s', (_name, load) => {
  function watch(
    overrides: {
      refresh?: () => Promise<boolean>;
      version?: () => string;
      globals?: Record<string, unknown>;
    } = {},
  ) {
    const web = load(overrides.globals);
    const socket = new FakeSocket();
    const opened: unknown[] = [];
    const onRevoked = jest.fn();
    const refresh = jest.fn(overrides.refresh ?? (() => Promise.resolve(true)));
    web.watchSessions({
      io: (namespace, options) => {
        opened.push([namespace, options]);
        return socket;
      },
      refresh,
      ...(overrides.version ? { version: overrides.version } : {}),
      onRevoked,
    });
    return { socket, opened, onRevoked, refresh };
  }

  it('mirrors the typed contract', () => {
    const web = load();
    expect(web.NAMESPACE).toBe(SESSIONS_NAMESPACE);
    expect(web.UNAUTHORIZED).toBe(UNAUTHORIZED);
    expect([...web.REVOCATION_REASONS]).toEqual([...REVOCATION_REASONS]);
    expect([...web.EVENTS].sort()).toEqual([...EVERY_SERVER_EVENT].sort());
    expect([...SERVER_EVENTS].sort()).toEqual([...EVERY_SERVER_EVENT].sort());
  });

  it('connects to the namespace over websocket only', () => {
    const { opened } = watch();
    expect(opened).toEqual([['/sessions', { transports: ['websocket'], withCredentials: true }]]);
  });

  it('logs out hard on `revoked`, and only once', async () => {
    const { socket, onRevoked, refresh } = watch();
    const message = { scope: 'user', reason: 'logout_all', at: new Date().toISOString() };
    socket.emit('revoked', message);
    socket.emit('disconnect', 'io server disconnect');
    await flush();
    expect(onRevoked).toHaveBeenCalledTimes(1);
    expect(onRevoked).toHaveBeenCalledWith(message);
    expect(socket.closed).toBe(true);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('after `expired`, refreshes the cookies and reconnects; a failed refresh logs out', async () => {
    const ok = watch();
    ok.socket.emit('expired', { at: new Date().toISOString() });
    ok.socket.emit('disconnect', 'io server disconnect');
    await flush();
    expect(ok.refresh).toHaveBeenCalledTimes(1);
    expect(ok.socket.connects).toBe(1);
    expect(ok.onRevoked).not.toHaveBeenCalled();

    const dead = watch({ refresh: () => Promise.resolve(false) });
    dead.socket.emit('disconnect', 'io server disconnect');
    await flush();
    expect(dead.socket.connects).toBe(0);
    expect(dead.onRevoked).toHaveBeenCalledWith({ reason: 'expired' });
  });

  it('refuses to loop: `unauthorized` right after a refresh is a dead session', async () => {
    const { socket, onRevoked, refresh } = watch();
    socket.emit('connect_error', new Error('unauthorized'));
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(1);
    socket.emit('connect_error', new Error('unauthorized'));
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(onRevoked).toHaveBeenCalledWith({ reason: 'unauthorized' });
  });

  it('ignores network errors (socket.io retries on its own)', async () => {
    const { socket, onRevoked, refresh } = watch();
    socket.emit('connect_error', new Error('websocket error'));
    socket.emit('disconnect', 'transport close');
    await flush();
    expect(refresh).not.toHaveBeenCalled();
    expect(onRevoked).not.toHaveBeenCalled();
  });

  it('under a Web Lock, skips its own refresh when another tab already renewed the cookies', async () => {
    let csrf = 'old';
    const locks = {
      request: (_name: string, run: () => unknown) => {
        csrf = 'renewed by another tab while this one waited';
        return Promise.resolve().then(run);
      },
    };
    const { socket, refresh } = watch({ version: () => csrf, globals: { navigator: { locks } } });
    socket.emit('disconnect', 'io server disconnect');
    await flush();
    expect(refresh).not.toHaveBeenCalled();
    expect(socket.connects).toBe(1);
  });

  it('under a Web Lock, refreshes when no other tab did', async () => {
    const names: string[] = [];
    const locks = {
      request: (name: string, run: () => unknown) => {
        names.push(name);
        return Promise.resolve().then(run);
      },
    };
    const { socket, refresh } = watch({ version: () => 'same', globals: { navigator: { locks } } });
    socket.emit('disconnect', 'io server disconnect');
    await flush();
    expect(names).toEqual(['identity-token-refresh']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(1);
  });
});
