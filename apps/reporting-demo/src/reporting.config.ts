import type { IdentityClientOptions } from '@identity/identity-client';

/** What the demo needs to start. */
export interface ReportingSettings {
  port: number;
  host: string;
  identity: ReportingIdentitySettings;
}

/** How the demo reaches the identity platform (handed to the SDK, IdentityClientModule). */
export interface ReportingIdentitySettings {
  /** `host:port` of the platform's gRPC port. */
  address: string;
  tls?: { caPath: string; certPath?: string; keyPath?: string; serverName?: string };
  /** Plaintext to a non-loopback address, on purpose (a mesh that does TLS). */
  insecure?: boolean;
  /** Deadline of VerifyToken / GetUserPermissions. Default 2000 ms. */
  deadlineMs?: number;
  /** The platform's JWKS. */
  jwksUrl: string;
  /** `iss` of the platform's tokens. */
  issuer: string;
  audience?: string;
  /** Plain http JWKS on a non-loopback host, on purpose (an internal network address). */
  jwksInsecure?: boolean;
  /** See IdentityClientOptions.revocations.maxStalenessMs. */
  maxStalenessMs?: number;
  /** See IdentityClientOptions.verification (`platform`: VerifyToken on every request). */
  verification?: 'local' | 'platform';
}

/** The SDK's options for these settings. */
export function identityClientOptions(s: ReportingIdentitySettings): IdentityClientOptions {
  return {
    grpc: {
      address: s.address,
      tls: s.tls,
      allowPlaintext: s.insecure,
      deadlineMs: s.deadlineMs,
    },
    jwksUrl: s.jwksUrl,
    allowPlaintextJwks: s.jwksInsecure,
    issuer: s.issuer,
    audience: s.audience,
    ...(s.maxStalenessMs ? { revocations: { maxStalenessMs: s.maxStalenessMs } } : {}),
    ...(s.verification ? { verification: s.verification } : {}),
  };
}

/**
 * The demo's settings from its environment (its own variables, not the platform's):
 * - `REPORTING_PORT` (3100), `REPORTING_HOST` (127.0.0.1);
 * - `IDENTITY_GRPC_ADDRESS` (127.0.0.1:50051): the identity service's gRPC port;
 * - `IDENTITY_GRPC_CA`: PEM of the CA that signed the identity service's certificate. It turns
 *   TLS on, and the server must present a certificate of that CA (not of any public CA) for
 *   the name it is reached by, else no call is made: a plaintext or impostor server on the
 *   path cannot answer `active: true` for a forged token nor hide a revocation.
 *   Verification cannot be switched off.
 * - `IDENTITY_GRPC_SERVER_NAME`: the name to check in that certificate when it differs from
 *   the address's host (an IP address, a load balancer);
 * - `IDENTITY_GRPC_CERT` + `IDENTITY_GRPC_KEY`: this service's client certificate (mutual TLS;
 *   the identity service may also list it in `GRPC_TLS_ALLOWED_CLIENTS`);
 * - with `NODE_ENV=production`, `IDENTITY_GRPC_CA` is required unless
 *   `IDENTITY_GRPC_INSECURE=true` says plaintext is meant (a sidecar or mesh that does TLS);
 * - `IDENTITY_JWKS_URL` (`http://127.0.0.1:3000/.well-known/jwks.json` outside production,
 *   required in production): the keys tokens are verified with locally;
 *   `IDENTITY_JWKS_INSECURE=true` allows plain http to a non-loopback host (an internal
 *   address, as in docker-compose.yml);
 * - `IDENTITY_ISSUER` (`http://localhost:3000` outside production, required in production)
 *   and `IDENTITY_AUDIENCE` (`identity`): what the tokens' `iss` and `aud` must be;
 * - `IDENTITY_MAX_STALENESS_MS` (10000): how long tokens are verified locally after the
 *   revocation stream last proved complete; past it, each request asks the platform;
 * - `IDENTITY_VERIFY_MODE` (`local`): `platform` asks `VerifyToken` on every request instead
 *   (the bench compares the two).
 * @throws Error listing every problem at once.
 */
export function reportingSettingsFromEnv(
  env: Record<string, string | undefined>,
): ReportingSettings {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const production = env.NODE_ENV === 'production';
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
  if (production && !ca && !insecure)
    problems.push(
      'IDENTITY_GRPC_CA is required in production (token checks would travel in plaintext); set IDENTITY_GRPC_INSECURE=true to run without TLS on purpose',
    );
  const jwksUrl =
    value('IDENTITY_JWKS_URL') ??
    (production ? undefined : 'http://127.0.0.1:3000/.well-known/jwks.json');
  if (!jwksUrl) problems.push('IDENTITY_JWKS_URL is required in production');
  const issuer = value('IDENTITY_ISSUER') ?? (production ? undefined : 'http://localhost:3000');
  if (!issuer) problems.push('IDENTITY_ISSUER is required in production');
  const port = Number(value('REPORTING_PORT') ?? 3100);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('REPORTING_PORT must be a port number');
  const staleness = value('IDENTITY_MAX_STALENESS_MS');
  if (staleness !== undefined && !/^\d+$/.test(staleness))
    problems.push('IDENTITY_MAX_STALENESS_MS must be a number of milliseconds');
  const mode = value('IDENTITY_VERIFY_MODE');
  if (mode !== undefined && mode !== 'local' && mode !== 'platform')
    problems.push('IDENTITY_VERIFY_MODE must be local or platform');
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    port,
    host: value('REPORTING_HOST') ?? '127.0.0.1',
    identity: {
      address: value('IDENTITY_GRPC_ADDRESS') ?? '127.0.0.1:50051',
      tls: ca ? { caPath: ca, certPath: cert, keyPath: key, serverName } : undefined,
      ...(insecure ? { insecure } : {}),
      jwksUrl: jwksUrl!,
      ...(value('IDENTITY_JWKS_INSECURE') === 'true' ? { jwksInsecure: true } : {}),
      issuer: issuer!,
      audience: value('IDENTITY_AUDIENCE') ?? 'identity',
      ...(staleness ? { maxStalenessMs: Number(staleness) } : {}),
      ...(mode ? { verification: mode as 'local' | 'platform' } : {}),
    },
  };
}
