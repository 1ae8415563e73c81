import type { IdentityClientOptions } from './identity.client';

/** What the demo needs to start. */
export interface ReportingSettings {
  port: number;
  host: string;
  identity: IdentityClientOptions;
}

/**
 * The demo's settings from its environment (its own variables, not the platform's):
 * - `REPORTING_PORT` (3100), `REPORTING_HOST` (127.0.0.1);
 * - `IDENTITY_GRPC_ADDRESS` (127.0.0.1:50051): the identity service's gRPC port;
 * - `IDENTITY_GRPC_CA`: PEM of the CA that signed the identity service's certificate. It turns
 *   TLS on, and the server must present a certificate of that CA (not of any public CA) for
 *   the name it is reached by, else no call is made: a plaintext or impostor server on the
 *   path cannot answer `active: true` for a forged token. Verification cannot be switched off.
 * - `IDENTITY_GRPC_SERVER_NAME`: the name to check in that certificate when it differs from
 *   the address's host (an IP address, a load balancer);
 * - `IDENTITY_GRPC_CERT` + `IDENTITY_GRPC_KEY`: this service's client certificate (mutual TLS;
 *   the identity service may also list it in `GRPC_TLS_ALLOWED_CLIENTS`);
 * - with `NODE_ENV=production`, `IDENTITY_GRPC_CA` is required unless
 *   `IDENTITY_GRPC_INSECURE=true` says plaintext is meant (a sidecar or mesh that does TLS).
 * @throws Error listing every problem at once.
 */
export function reportingSettingsFromEnv(
  env: Record<string, string | undefined>,
): ReportingSettings {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const ca = value('IDENTITY_GRPC_CA');
  const cert = value('IDENTITY_GRPC_CERT');
  const key = value('IDENTITY_GRPC_KEY');
  const serverName = value('IDENTITY_GRPC_SERVER_NAME');
  const insecure = value('IDENTITY_GRPC_INSECURE') === 'true';
  if (Boolean(cert) !== Boolean(key))
    problems.push('IDENTITY_GRPC_CERT and IDENTITY_GRPC_KEY must be set together');
  if ((cert || serverName) && !ca)
    problems.push('IDENTITY_GRPC_CERT, _KEY and _SERVER_NAME need IDENTITY_GRPC_CA (TLS)');
  if (insecure && ca) problems.push('IDENTITY_GRPC_INSECURE=true contradicts IDENTITY_GRPC_CA');
  if (env.NODE_ENV === 'production' && !ca && !insecure)
    problems.push(
      'IDENTITY_GRPC_CA is required in production (token checks would travel in plaintext); set IDENTITY_GRPC_INSECURE=true to run without TLS on purpose',
    );
  const port = Number(value('REPORTING_PORT') ?? 3100);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('REPORTING_PORT must be a port number');
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    port,
    host: value('REPORTING_HOST') ?? '127.0.0.1',
    identity: {
      address: value('IDENTITY_GRPC_ADDRESS') ?? '127.0.0.1:50051',
      tls: ca ? { caPath: ca, certPath: cert, keyPath: key, serverName } : undefined,
    },
  };
}
