/**
 * `@identity/sessions-socket`: the contract of the revocation push socket (`/sessions`, API.md
 * "Socket.io (revocation push)") and the typed browser helper that watches a signed-in
 * session with it. No runtime imports, nothing Node-specific: the gateway, the Node client,
 * the web UI (through the script built from it, `/sessions-socket.js`) and other web apps
 * (bundled) use the same file. Imports no other lib.
 */
export * from './sessions-socket.contract';
export {
  createWatchSessions,
  watchSessions,
  type SessionEnd,
  type SessionsWatch,
  type SocketFactory,
  type WatchedSocket,
  type WatchGlobals,
  type WatchSessionsOptions,
} from './watch-sessions';
export { sessionsSocketBrowserScript } from './browser-script';
