/**
 * How a service reaches the identity platform and how strictly it checks tokens. Every
 * duration has a default; only the addresses and the issuer must be given.
 */
export interface IdentityClientOptions {
  /** The platform's gRPC port (`IdentityService`). */
  grpc: {
    /** `host:port`. */
    address: string;
    /**
     * PEM files. `caPath` turns TLS on: the server must present a certificate of that CA for
     * the address's host (or `serverName`). `certPath` + `keyPath` add this service's client
     * certificate (mutual TLS). The server check cannot be switched off.
     */
    tls?: { caPath: string; certPath?: string; keyPath?: string; serverName?: string };
    /**
     * Plaintext to a host other than loopback must be asked for (a sidecar or mesh that does
     * TLS); without it the module refuses to start.
     */
    allowPlaintext?: boolean;
    /** Deadline of each unary call (VerifyToken, GetUserPermissions). Default 2000 ms. */
    deadlineMs?: number;
  };
  /**
   * The platform's JWKS, e.g. `https://id.example.com/.well-known/jwks.json`. Must be https
   * unless the host is loopback or `allowPlaintextJwks` is set (an internal network address).
   */
  jwksUrl: string;
  allowPlaintextJwks?: boolean;
  /** `iss` of the platform's access tokens (its `JWT_ISSUER`, by default its `APP_URL`). */
  issuer: string;
  /** `aud` this service accepts. Default `identity` (the platform's default `JWT_AUDIENCE`). */
  audience?: string;
  /** Leeway on `exp` and `nbf`, 0..5 seconds (API.md: at most 5). Default 5. */
  clockToleranceSeconds?: number;
  revocations?: {
    /**
     * How long tokens are still verified locally after the revocation stream last proved to
     * be complete (a heartbeat or an event). Past it, every request asks the platform
     * (`VerifyToken`); when that fails too, requests are refused (503). This is the longest a
     * revocation can go unnoticed when the stream dies silently. Default 10000 ms.
     */
    maxStalenessMs?: number;
    /** The heartbeat the platform is asked for. Default a quarter of `maxStalenessMs`. */
    heartbeatMs?: number;
    /** Reconnect backoff, doubled per failure up to `maxBackoffMs`. Defaults 100 and 5000 ms. */
    initialBackoffMs?: number;
    maxBackoffMs?: number;
  };
  /**
   * How long permissions from `GetUserPermissions` are kept per user. The stream drops them
   * at once when the user's roles or a role of theirs change; this bounds a lost drop.
   * Default 30000 ms.
   */
  permissionsTtlMs?: number;
  /**
   * `local` (default): verify here against the pushed revocations, as described in the README.
   * `platform`: ask the platform's `VerifyToken` on every request and keep no stream (for a
   * service that wants each check made centrally, or to compare the two).
   */
  verification?: 'local' | 'platform';
  /**
   * Register {@link IdentityGuard} for every route (deny by default: routes opt out with
   * `@Public()`). Default true; with false, use `@UseGuards(IdentityGuard)` where needed.
   */
  globalGuard?: boolean;
}

/** {@link IdentityClientOptions} with every default applied, checked. */
export interface ResolvedOptions {
  grpc: {
    address: string;
    tls?: { caPath: string; certPath?: string; keyPath?: string; serverName?: string };
    deadlineMs: number;
  };
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  revocations: {
    maxStalenessMs: number;
    heartbeatMs: number;
    initialBackoffMs: number;
    maxBackoffMs: number;
  };
  permissionsTtlMs: number;
  verification: 'local' | 'platform';
  globalGuard: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed) return bracketed[1]!;
  return address.split(':')[0] ?? address;
}

/**
 * Applies the defaults and checks the options, so a misconfigured service fails at boot
 * instead of at its first request.
 * @throws Error listing every problem at once.
 */
export function resolveOptions(options: IdentityClientOptions): ResolvedOptions {
  const problems: string[] = [];
  const { grpc } = options;
  if (!grpc?.address || !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(grpc.address))
    problems.push('grpc.address must be host:port');
  else if (!grpc.tls && !grpc.allowPlaintext && !LOOPBACK.has(hostOf(grpc.address)))
    problems.push(
      'grpc.tls is required for a non-loopback address (token checks would travel in plaintext); set grpc.allowPlaintext to run without TLS on purpose',
    );
  if (grpc?.tls && Boolean(grpc.tls.certPath) !== Boolean(grpc.tls.keyPath))
    problems.push('grpc.tls.certPath and grpc.tls.keyPath must be given together');
  let jwks: URL | undefined;
  try {
    jwks = new URL(options.jwksUrl);
  } catch {
    problems.push('jwksUrl must be a URL');
  }
  if (jwks && jwks.protocol !== 'https:') {
    if (jwks.protocol !== 'http:') problems.push('jwksUrl must be http(s)');
    else if (!options.allowPlaintextJwks && !LOOPBACK.has(jwks.hostname))
      problems.push(
        'jwksUrl must be https for a non-loopback host (set allowPlaintextJwks for an internal address on purpose)',
      );
  }
  if (!options.issuer) problems.push('issuer is required');
  const tolerance = options.clockToleranceSeconds ?? 5;
  if (!(tolerance >= 0 && tolerance <= 5)) problems.push('clockToleranceSeconds must be 0..5');
  const maxStalenessMs = options.revocations?.maxStalenessMs ?? 10_000;
  const heartbeatMs = options.revocations?.heartbeatMs ?? Math.max(100, maxStalenessMs / 4);
  if (!(maxStalenessMs >= 200)) problems.push('revocations.maxStalenessMs must be at least 200');
  if (!(heartbeatMs >= 100 && heartbeatMs < maxStalenessMs))
    problems.push('revocations.heartbeatMs must be at least 100 and below maxStalenessMs');
  const verification = options.verification ?? 'local';
  if (verification !== 'local' && verification !== 'platform')
    problems.push('verification must be local or platform');
  if (problems.length > 0) {
    throw new Error(
      `Invalid identity client options:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return {
    grpc: { address: grpc.address, tls: grpc.tls, deadlineMs: grpc.deadlineMs ?? 2_000 },
    jwksUrl: options.jwksUrl,
    issuer: options.issuer,
    audience: options.audience ?? 'identity',
    clockToleranceSeconds: tolerance,
    revocations: {
      maxStalenessMs,
      heartbeatMs: Math.round(heartbeatMs),
      initialBackoffMs: options.revocations?.initialBackoffMs ?? 100,
      maxBackoffMs: options.revocations?.maxBackoffMs ?? 5_000,
    },
    permissionsTtlMs: options.permissionsTtlMs ?? 30_000,
    verification,
    globalGuard: options.globalGuard ?? true,
  };
}
