import { availableParallelism } from 'node:os';
import {
  DEV_KEY_ENCRYPTION_KEY,
  DEV_PASSWORD_PEPPER,
  envSchema,
  type RawEnv,
} from './config.schema';
import {
  isSentinelUrl,
  parseSentinelAddress,
  parseSentinelUrl,
  type RedisSentinelConfig,
} from './redis-sentinel';

export type SigningAlg = RawEnv['JWT_ALG'];

/** The typed settings every part of the platform reads. Built once, at boot, by {@link loadConfig}. */
export interface AppConfig {
  env: RawEnv['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    bodyLimit: string;
    trustProxy: false | number | string[];
    /** Serve `/openapi.json` and `/docs` (`API_DOCS_ENABLED`; default: not in production). */
    apiDocs: boolean;
  };
  grpc: {
    host: string;
    port: number;
    tls?: {
      certPath: string;
      keyPath: string;
      clientCaPath?: string;
      /** Lower-cased CNs or SAN DNS names of the client certificates allowed; empty = any. */
      allowedClients: string[];
    };
    /** Plaintext on purpose (`GRPC_INSECURE=true`); production refuses plaintext otherwise. */
    insecure: boolean;
  };
  /** Processes serving this host (`CLUSTER_WORKERS`); 1 = this process serves alone. */
  cluster: { workers: number };
  /** `url` unset = embedded PGlite under `dataDir`. */
  database: { url?: string; poolSize: number; migrationsRun: boolean; dataDir: string };
  /**
   * One of `url` (a plain `redis://` URL) or `sentinel`; neither = in-memory kv (single
   * instance only).
   */
  redis: { url?: string; sentinel?: RedisSentinelConfig; keyPrefix: string };
  mail: {
    smtpUrl?: string;
    from: string;
    /** `MAIL_PRODUCT_NAME`: named in subjects and signatures when set. */
    productName?: string;
    /** `MAIL_TEMPLATES_DIR`: operator overrides of the wording, read at boot. */
    templatesDir?: string;
  };
  appUrl: string;
  corsOrigins: string[];
  jwt: {
    issuer: string;
    audience: string;
    alg: SigningAlg;
    accessTtl: number;
    rotationInterval: number;
    publishAhead: number;
  };
  sessions: {
    refreshTtl: number;
    idleTtl: number;
    purgeInterval: number;
    /**
     * Seconds after a rotation during which the rotated token, presented again while its
     * successor is unused, is answered with that same successor (a lost response); 0 = off.
     */
    retryWindow: number;
  };
  tokenTtl: { verifyEmail: number; resetPassword: number; mfa: number };
  secrets: {
    pepper: { version: number; secret: Buffer };
    previousPeppers: { version: number; secret: Buffer }[];
    keyEncryptionKey: Buffer;
    /** True when a development default stands in for a missing secret. */
    usingDevSecrets: boolean;
  };
  passwords: {
    argon2: {
      memoryCost: number;
      timeCost: number;
      parallelism: number;
      /** Hashes computed at once (the rest wait): one per CPU core unless configured. */
      concurrency: number;
      /**
       * Hashes allowed to wait for a slot; more are refused at once (503 `overloaded`).
       * Default {@link ARGON2_QUEUE_PER_SLOT} per concurrent hash.
       */
      queueLimit: number;
    };
    minLength: number;
    breachedApiUrl?: string;
    breachedTimeoutMs: number;
  };
  cookies: { secure: boolean };
  logLevel: RawEnv['LOG_LEVEL'];
  /** `port` set: `/metrics` is served only by a listener of its own on `host:port`. */
  metrics: { port?: number; host: string };
  /** `otlpEndpoint` unset: no tracing (the OpenTelemetry SDK is not loaded). */
  tracing: { otlpEndpoint?: string; serviceName: string };
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM, readiness turns 503 at once but the listeners stay open this long, so load
   * balancers stop routing here before connections are refused (set it above the LB's
   * readiness probe interval in production).
   */
  shutdownDrainDelayMs: number;
  admin: { bootstrapEmail?: string; requireMfa: boolean };
  webhooks: { allowPrivate: boolean; pollIntervalMs: number };
  limits: {
    loginFreeFailures: number;
    loginBackoffBase: number;
    loginBackoffMax: number;
    loginEmailFailuresPerHour: number;
    loginIpFailuresPerHour: number;
    mfaFailuresPerToken: number;
    mfaFailuresPerUserPerHour: number;
    mailPerEmailPerHour: number;
    mailPerIpPerHour: number;
    authPerIpPerMinute: number;
    /** Most per-IP points an instance leases from the shared counter at once. */
    authPerIpLease: number;
  };
  /** Federated sign-in; a provider is present only when it is on (API.md "Federated sign-in"). */
  oidc: {
    google?: {
      clientId: string;
      clientSecret: string;
      authorizationUrl: string;
      tokenUrl: string;
      userinfoUrl: string;
      issuer: string;
      jwksUrl: string;
    };
    github?: { clientId: string; clientSecret: string; baseUrl: string; apiUrl: string };
    /** The generic OpenID Connect provider, found by discovery at `issuer`, served as `name`. */
    generic?: { name: string; issuer: string; clientId: string; clientSecret: string };
    /** Origins a sign-in may return to: APP_URL's, CORS_ORIGINS', FEDERATION_REDIRECT_ORIGINS'. */
    redirectOrigins: string[];
    httpTimeoutMs: number;
  };
}

/**
 * Default argon2 waiters per concurrent hash (`ARGON2_QUEUE_LIMIT` = this × concurrency).
 * Measured on the 2-vCPU development machine with the production parameters (m=19456 KiB,
 * t=2, p=1): one verify takes 27–29 ms (median of 30), and two at once sustain 58–75
 * verifies/s. A slot drains about 35 waiters a second, so 32 waiters per slot keep the last
 * one's wait near 0.9 s, and under 1.5 s when a busy host stretches a verify to 45 ms. A
 * login that would wait longer is better answered 503 with Retry-After at once: the client
 * (or its load balancer) retries, instead of holding a connection until it times out.
 * Re-measure when the parameters change: waiters ≈ target wait (s) / verify time (s).
 */
export const ARGON2_QUEUE_PER_SLOT = 32;

/** Raised when the environment does not describe a runnable platform; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment once.
 * @throws ConfigError listing every problem at once.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  return toAppConfig(parsed.data);
}

function pair(id?: string, secret?: string) {
  return id && secret ? { clientId: id, clientSecret: secret } : undefined;
}

const trimSlash = (v: string) => v.replace(/\/+$/, '');

/** Each entry's origin, once; entries that are not URLs (CORS_ORIGINS is free text) are left out. */
function origins(entries: string[]): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    try {
      const origin = new URL(entry).origin;
      if (origin !== 'null') out.add(origin);
    } catch {
      // not an origin: it can never match a redirect target
    }
  }
  return [...out];
}

function federation(e: RawEnv, appUrl: string): AppConfig['oidc'] {
  const google = pair(e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET);
  const github = pair(e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET);
  const generic = pair(e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET);
  return {
    google: google && {
      ...google,
      authorizationUrl: e.GOOGLE_AUTHORIZATION_URL,
      tokenUrl: e.GOOGLE_TOKEN_URL,
      userinfoUrl: e.GOOGLE_USERINFO_URL,
      issuer: e.GOOGLE_ISSUER,
      jwksUrl: e.GOOGLE_JWKS_URL,
    },
    github: github && {
      ...github,
      baseUrl: trimSlash(e.GITHUB_BASE_URL),
      apiUrl: trimSlash(e.GITHUB_API_URL),
    },
    generic:
      generic && e.OIDC_ISSUER
        ? { ...generic, name: e.OIDC_NAME, issuer: e.OIDC_ISSUER }
        : undefined,
    redirectOrigins: origins([appUrl, ...e.CORS_ORIGINS, ...e.FEDERATION_REDIRECT_ORIGINS]),
    httpTimeoutMs: e.FEDERATION_HTTP_TIMEOUT_MS,
  };
}

/**
 * APP_URL when it is not set (outside production only), as API.md documents it. Also the
 * default JWT issuer, so it must not depend on the port an instance happens to listen on:
 * instances of one deployment share it. The socket.io handshake admits the page's own origin
 * besides it, so a UI opened at another local address still gets its push.
 */
export const DEFAULT_APP_URL = 'http://localhost:3000';

function toAppConfig(e: RawEnv): AppConfig {
  const isProduction = e.NODE_ENV === 'production';
  const appUrl = (e.APP_URL ?? DEFAULT_APP_URL).replace(/\/+$/, '');
  const cores = availableParallelism();
  const workers = e.CLUSTER_WORKERS === 'auto' ? cores : e.CLUSTER_WORKERS;
  // argon2 is CPU-bound: the processes of one host share its cores.
  const argon2Concurrency = e.ARGON2_CONCURRENCY ?? Math.max(1, Math.floor(cores / workers));
  return {
    env: e.NODE_ENV,
    isProduction,
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimit: e.BODY_LIMIT,
      trustProxy: e.TRUST_PROXY,
      apiDocs: e.API_DOCS_ENABLED ?? !isProduction,
    },
    grpc: {
      host: e.GRPC_HOST ?? e.HOST,
      port: e.GRPC_PORT,
      tls:
        e.GRPC_TLS_CERT && e.GRPC_TLS_KEY
          ? {
              certPath: e.GRPC_TLS_CERT,
              keyPath: e.GRPC_TLS_KEY,
              clientCaPath: e.GRPC_TLS_CLIENT_CA,
              allowedClients: e.GRPC_TLS_ALLOWED_CLIENTS.map((n) => n.toLowerCase()),
            }
          : undefined,
      insecure: e.GRPC_INSECURE,
    },
    cluster: { workers },
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      migrationsRun: e.DATABASE_MIGRATIONS_RUN,
      dataDir: e.DATA_DIR,
    },
    redis: { ...redisEndpoint(e), keyPrefix: e.REDIS_KEY_PREFIX },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      productName: e.MAIL_PRODUCT_NAME,
      templatesDir: e.MAIL_TEMPLATES_DIR,
    },
    appUrl,
    corsOrigins: e.CORS_ORIGINS,
    jwt: {
      issuer: e.JWT_ISSUER ?? appUrl,
      audience: e.JWT_AUDIENCE,
      alg: e.JWT_ALG,
      accessTtl: e.ACCESS_TOKEN_TTL,
      rotationInterval: e.KEY_ROTATION_INTERVAL,
      publishAhead: e.KEY_PUBLISH_AHEAD,
    },
    sessions: {
      refreshTtl: e.REFRESH_TOKEN_TTL,
      idleTtl: e.REFRESH_IDLE_TTL,
      purgeInterval: e.PURGE_INTERVAL,
      retryWindow: e.REFRESH_RETRY_WINDOW,
    },
    tokenTtl: {
      verifyEmail: e.VERIFY_TOKEN_TTL,
      resetPassword: e.RESET_TOKEN_TTL,
      mfa: e.MFA_TOKEN_TTL,
    },
    secrets: {
      pepper: {
        version: e.PASSWORD_PEPPER_VERSION,
        secret: Buffer.from(e.PASSWORD_PEPPER ?? DEV_PASSWORD_PEPPER, 'base64'),
      },
      previousPeppers: e.PASSWORD_PREVIOUS_PEPPERS.map((entry) => {
        const [version, secret] = entry.split(':') as [string, string];
        return { version: Number(version), secret: Buffer.from(secret, 'base64') };
      }),
      keyEncryptionKey: Buffer.from(e.KEY_ENCRYPTION_KEY ?? DEV_KEY_ENCRYPTION_KEY, 'base64'),
      usingDevSecrets: !e.PASSWORD_PEPPER || !e.KEY_ENCRYPTION_KEY,
    },
    passwords: {
      argon2: {
        memoryCost: e.ARGON2_MEMORY_KIB,
        timeCost: e.ARGON2_TIME_COST,
        parallelism: e.ARGON2_PARALLELISM,
        concurrency: argon2Concurrency,
        queueLimit: e.ARGON2_QUEUE_LIMIT ?? ARGON2_QUEUE_PER_SLOT * argon2Concurrency,
      },
      minLength: e.PASSWORD_MIN_LENGTH,
      breachedApiUrl: e.BREACHED_PASSWORD_API_URL,
      breachedTimeoutMs: e.BREACHED_PASSWORD_TIMEOUT_MS,
    },
    cookies: { secure: e.COOKIE_SECURE },
    logLevel: e.LOG_LEVEL,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS,
    admin: { bootstrapEmail: e.BOOTSTRAP_ADMIN_EMAIL, requireMfa: e.ADMIN_REQUIRE_MFA },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? !isProduction,
      pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
    },
    limits: {
      loginFreeFailures: e.LOGIN_FREE_FAILURES,
      loginBackoffBase: e.LOGIN_BACKOFF_BASE,
      loginBackoffMax: e.LOGIN_BACKOFF_MAX,
      loginEmailFailuresPerHour: e.LOGIN_EMAIL_FAILURES_PER_HOUR,
      loginIpFailuresPerHour: e.LOGIN_IP_FAILURES_PER_HOUR,
      mfaFailuresPerToken: e.MFA_FAILURES_PER_TOKEN,
      mfaFailuresPerUserPerHour: e.MFA_FAILURES_PER_USER_PER_HOUR,
      mailPerEmailPerHour: e.MAIL_PER_EMAIL_PER_HOUR,
      mailPerIpPerHour: e.MAIL_PER_IP_PER_HOUR,
      authPerIpPerMinute: e.AUTH_PER_IP_PER_MINUTE,
      authPerIpLease: e.AUTH_PER_IP_LEASE,
    },
    oidc: federation(e, appUrl),
  };
}

/** A plain URL, the Sentinel URL form, or REDIS_SENTINELS (the schema allowed only one). */
function redisEndpoint(e: RawEnv): { url?: string; sentinel?: RedisSentinelConfig } {
  const sentinelPassword = e.REDIS_SENTINEL_PASSWORD;
  if (e.REDIS_URL && isSentinelUrl(e.REDIS_URL)) {
    return { sentinel: { ...parseSentinelUrl(e.REDIS_URL), sentinelPassword } };
  }
  if (e.REDIS_URL) return { url: e.REDIS_URL };
  if (e.REDIS_SENTINELS.length === 0 || !e.REDIS_SENTINEL_NAME) return {};
  return {
    sentinel: {
      sentinels: e.REDIS_SENTINELS.map(parseSentinelAddress),
      name: e.REDIS_SENTINEL_NAME,
      sentinelPassword,
      password: e.REDIS_PASSWORD,
      tls: false,
    },
  };
}
