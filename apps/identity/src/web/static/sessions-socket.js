// The account UI's client of the `/sessions` socket (API.md "Socket.io (revocation push)").
// A plain-JS mirror of apps/identity/src/ws/client/sessions-socket.contract.ts, which a page
// cannot import; sessions-socket.web.spec.ts keeps the two in step. Needs the socket.io
// browser client (/socket.io/socket.io.min.js, served by the server) loaded before it.
'use strict';

(function (root) {
  const NAMESPACE = '/sessions';
  const UNAUTHORIZED = 'unauthorized';
  /** Server -> client events. */
  const EVENTS = ['revoked', 'expired'];
  const REVOCATION_REASONS = [
    'logout',
    'logout_all',
    'session_revoked',
    'password_changed',
    'password_reset',
    'refresh_reused',
    'account_locked',
    'email_changed',
    'account_deleted',
  ];

  /**
   * Runs `refresh` once across the tabs of this origin. Every tab holds the same access cookie,
   * so all their sockets get `expired` at the same instant, and two refreshes with one refresh
   * token look like theft to the server (`refresh_reused` kills the session). Under a Web Lock,
   * a tab that finds the cookies already renewed by another (`version()`, the readable CSRF
   * cookie, changed) skips its own refresh.
   */
  function refreshOnce(refresh, version) {
    const seen = version();
    const run = () => (version() !== seen ? true : refresh());
    const locks = root.navigator && root.navigator.locks;
    return locks ? locks.request('identity-token-refresh', run) : Promise.resolve().then(run);
  }

  /**
   * Watches the signed-in session over the socket (cookie mode: the handshake carries the
   * access cookie).
   * - `revoked`: the session is dead; `onRevoked(message)` logs out hard.
   * - `expired` (then a server disconnect): the access token ran out, which is not a logout;
   *   `refresh()` renews the cookies and the socket reconnects. A failed refresh means the
   *   session is gone: `onRevoked`.
   * - `connect_error` `unauthorized`: the same, once; twice in a row is a dead session.
   * Other disconnects (network, a draining server) reconnect on socket.io's own backoff.
   * options: { refresh: () => Promise<boolean>, version?: () => string (see refreshOnce),
   *   onRevoked: (message) => void, io?: socket.io's `io` }
   */
  function watchSessions(options) {
    const io = options.io || root.io;
    const socket = io(NAMESPACE, { transports: ['websocket'], withCredentials: true });
    let finished = false;
    let refreshedSinceConnect = false;

    const finish = (message) => {
      if (finished) return;
      finished = true;
      socket.close();
      options.onRevoked(message);
    };
    const refreshAndReconnect = async (message) => {
      if (refreshedSinceConnect) return finish(message);
      refreshedSinceConnect = true;
      const renew = options.version
        ? () => refreshOnce(options.refresh, options.version)
        : options.refresh;
      const ok = await Promise.resolve()
        .then(renew)
        .catch(() => false);
      if (finished) return;
      if (ok) socket.connect();
      else finish(message);
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
      if (!finished && err && err.message === UNAUTHORIZED) {
        void refreshAndReconnect({ reason: UNAUTHORIZED });
      }
    });
    return {
      socket,
      stop() {
        finished = true;
        socket.close();
      },
    };
  }

  root.IdentitySessions = { NAMESPACE, UNAUTHORIZED, EVENTS, REVOCATION_REASONS, watchSessions };
})(typeof window !== 'undefined' ? window : globalThis);
