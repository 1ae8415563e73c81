import type { PeerCertificate } from 'node:tls';
import {
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerInterceptingCall,
  status,
} from '@grpc/grpc-js';

/** The names a client certificate answers to: its subject CN(s) and SAN DNS names, lower-cased. */
export function certificateNames(cert: PeerCertificate): string[] {
  const cn = (cert.subject as Record<string, string | string[] | undefined> | undefined)?.CN;
  const cns = cn === undefined ? [] : Array.isArray(cn) ? cn : [cn];
  const dns = (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length));
  return [...cns, ...dns].map((name) => name.toLowerCase());
}

/**
 * Mutual TLS proves a client holds a certificate of the client CA; this narrows it to the
 * services named in `GRPC_TLS_ALLOWED_CLIENTS` (exact CN or SAN DNS name, no wildcards), so a
 * certificate the same CA issued to another workload cannot verify tokens or read
 * permissions. Every call of every service on the port (identity, health, reflection) is
 * checked before its handler runs: a certificate not on the list is answered
 * PERMISSION_DENIED, a call without a verified certificate UNAUTHENTICATED.
 */
export function clientAllowListInterceptor(allowed: readonly string[]): ServerInterceptor {
  const names = new Set(allowed.map((n) => n.toLowerCase()));
  return (_method, call: ServerInterceptingCallInterface) =>
    new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata: Metadata, pass: (m: Metadata) => void) => {
            const cert = call.getAuthContext().sslPeerCertificate;
            if (!cert) {
              call.sendStatus({
                code: status.UNAUTHENTICATED,
                details: 'a client certificate is required',
              });
            } else if (!certificateNames(cert).some((n) => names.has(n))) {
              call.sendStatus({
                code: status.PERMISSION_DENIED,
                details: 'this client certificate is not allowed to call this service',
              });
            } else {
              pass(metadata);
            }
          },
        });
      },
    });
}
