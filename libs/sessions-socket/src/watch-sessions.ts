import {
  type ExpiredMessage,
  type RevokedMessage,
  SESSIONS_CONTRACT,
  type SessionsContract,
} from './sessions-socket.contract';

/** The part of a socket.io client socket (`io(...)`'s result) the watcher uses. */
export interface WatchedSocket {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'revoked', listener: (message: RevokedMessage) => void): unknown;
  on(event: 'expired', listener: (message: ExpiredMessage) => void): unknown;
  on(event: 'disconnect', listener: (reason: string) => void): unknown;
  on(event: 'connect_error', listener: (err: Error) => void): unknown;
  connect(): unknown;
  close(): unknown;
}

/** socket.io's `io`, as far as the watcher calls it. */
export type SocketFactory = (
  url: string,
  options: { transports: ['websocket']; withCredentials: true },
) => WatchedSocket;

/** Why the watch ended: the server's `revoked`, or a session that could not be renewed. */
export type SessionEnd = RevokedMessage | { reason: 'expired' | 'unauthorized' };

export interface WatchSessionsOptions {
  /** socket.io's `io`; in a page, the global one of `/socket.io/socket.io.min.js` by default. */
  io?: SocketFactory;
  /**
   * The platform's origin, for an app served elsewhere (that origin must be in the platform's
   * `CORS_ORIGINS`); default the page's own.
   */
  url?: string;
  /** Renews the access cookie (`POST /auth/refresh` in cookie mode); true when it worked. */
  refresh: () => Promise<boolean>;
  /**
   * Something that changes when the cookies are renewed (the readable CSRF cookie): with Web
   * Locks, a tab that finds it changed while it waited skips its own refresh.
   */
  version?: () => string;
  /** The session is over: drop everything and log out hard. Called at most once. */
  onRevoked: (end: SessionEnd) => void;
}

export interface SessionsWatch {
  socket: WatchedSocket;
  /** Stops watching (a normal logout); `onRevoked` is not called. */
  stop(): void;
}

/** What the watcher takes from its surroundings (a page's `window`, or `globalThis`). */
export interface WatchGlobals {
  io?: SocketFactory;
  navigator?: { locks?: { request(name: string, run: () => unknown): Promise<unknown> } };
}

/**
 * Builds `watchSessions` for a contract and a global scope.
 *
 * Self-contained on purpose: it refers to nothing but its parameters and the language, so its
 * compiled text is also the body of the script the web UI loads (`browser-script.ts`). Keep it
 * so: no imports, no helpers outside it.
 */
export function createWatchSessions(
  contract: SessionsContract,
  root: WatchGlobals,
): (options: WatchSessionsOptions) => SessionsWatch {
  /**
   * Runs `refresh` once across the tabs of this origin. Every tab holds the same access
   * cookie, so all their sockets get `expired` at the same instant, and two refreshes with one
   * refresh token look like theft to the server (`refresh_reused` kills the session). Under a
   * Web Lock, a tab that finds the cookies already renewed by another skips its own refresh.
   */
  const refreshOnce = (refresh: () => Promise<boolean>, version: () => string) => {
    const seen = version();
    const run = () => (version() !== seen ? true : refresh());
    const locks = root.navigator?.locks;
    return locks
      ? (locks.request('identity-token-refresh', run) as Promise<boolean>)
      : Promise.resolve().then(run);
  };

  /**
   * Watches the signed-in session over the socket (cookie mode: the handshake carries the
   * access cookie).
   * - `revoked`: the session is dead; `onRevoked(message)` logs out hard.
   * - `expired` (then a server disconnect): the access token ran out, which is not a logout;
   *   `refresh()` renews the cookies and the socket reconnects. A failed refresh means the
   *   session is gone: `onRevoked`.
   * - `connect_error` `unauthorized`: the same, once; twice in a row is a dead session.
   * Other disconnects (network, a draining server) reconnect on socket.io's own backoff.
   */
  return function watchSessions(options: WatchSessionsOptions): SessionsWatch {
    const io = options.io ?? root.io;
    if (!io) throw new Error('socket.io client (io) not loaded');
    const socket = io(`${options.url ?? ''}${contract.namespace}`, {
      transports: ['websocket'],
      withCredentials: true,
    });
    let finished = false;
    let refreshedSinceConnect = false;

    const finish = (end: SessionEnd) => {
      if (finished) return;
      finished = true;
      socket.close();
      options.onRevoked(end);
    };
    const refreshAndReconnect = async (end: SessionEnd) => {
      if (refreshedSinceConnect) return finish(end);
      refreshedSinceConnect = true;
      const version = options.version;
      const renew = version ? () => refreshOnce(options.refresh, version) : options.refresh;
      const ok = await Promise.resolve()
        .then(renew)
        .catch(() => false);
      if (finished) return;
      if (ok) socket.connect();
      else finish(end);
    };

    socket.on('connect', () => {
      refreshedSinceConnect = false;
    });
    socket.on('revoked', (message) => finish(message));
    socket.on('disconnect', (reason) => {
      // After `expired` (or any server-side cut without `revoked`): renew, then reconnect.
      if (!finished && reason === 'io server disconnect') {
        void refreshAndReconnect({ reason: 'expired' });
      }
    });
    socket.on('connect_error', (err) => {
      if (!finished && err?.message === contract.unauthorized) {
        void refreshAndReconnect({ reason: 'unauthorized' });
      }
    });
    return {
      socket,
      stop() {
        finished = true;
        socket.close();
      },
    };
  };
}

/**
 * Watches the signed-in session of this page (or app) and calls `onRevoked` once when it is
 * over; see {@link createWatchSessions}. Uses the global `io` unless `options.io` is given.
 */
export function watchSessions(options: WatchSessionsOptions): SessionsWatch {
  return createWatchSessions(SESSIONS_CONTRACT, globalThis as WatchGlobals)(options);
}
