import { SESSIONS_CONTRACT } from './sessions-socket.contract';
import { createWatchSessions } from './watch-sessions';

let script: string | undefined;

/**
 * The classic script the web UI loads at `/sessions-socket.js`: the typed helper itself
 * (`createWatchSessions`, compiled, which refers to nothing outside its parameters) applied to
 * the contract's values and the page's `window`, published as `window.IdentitySessions`
 * (`NAMESPACE`, `UNAUTHORIZED`, `EVENTS`, `REVOCATION_REASONS`, `watchSessions`). Built from the
 * running code, so the page can never hold another copy of the contract. Needs the socket.io
 * browser client (`/socket.io/socket.io.min.js`) loaded before it.
 */
export function sessionsSocketBrowserScript(): string {
  script ??= `// The account UI's client of the /sessions socket (API.md "Socket.io (revocation push)"),
// built by @identity/sessions-socket (libs/sessions-socket/src/watch-sessions.ts).
'use strict';
(function (root) {
  const contract = ${JSON.stringify(SESSIONS_CONTRACT)};
  const watchSessions = (${createWatchSessions.toString()})(contract, root);
  root.IdentitySessions = {
    NAMESPACE: contract.namespace,
    UNAUTHORIZED: contract.unauthorized,
    EVENTS: contract.events,
    REVOCATION_REASONS: contract.revocationReasons,
    watchSessions,
  };
})(typeof window !== 'undefined' ? window : globalThis);
`;
  return script;
}
