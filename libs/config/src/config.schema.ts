import { z } from 'zod';
import { isSentinelUrl, parseSentinelAddress, parseSentinelUrl } from './redis-sentinel';

/**
 * Development-only secrets. They let `npm start` run with no configuration; production
 * refuses them (and refuses their absence), see `productionRules` below.
 */
export const DEV_PASSWORD_PEPPER = 'ZGV2LW9ubHktcGVwcGVyLWRvLW5vdC11c2UtaW4tcHJvZHVjdGlvbiE=';
export const DEV_KEY_ENCRYPTION_KEY = 'ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYiE=';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().int().positive();
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const isUrlOf = (v: string, protocols: string[]): boolean => {
  try {
    return protocols.includes(new URL(v).protocol);
  } catch {
    return false;
  }
};
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => isUrlOf(v, protocols), `must be a URL (${protocols.join(' or ')})`);
const optionalUrl = (protocols: string[]) =>
  z.preprocess((v) => (v === '' ? undefined : v), url(protocols).optional());

/** base64 of at least `min` bytes. */
const base64Secret = (min: number, exact = false) =>
  z
    .string()
    .trim()
    .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v), 'must be base64')
    .refine(
      (v) => {
        const n = Buffer.from(v, 'base64').length;
        return exact ? n === min : n >= min;
      },
      `must be base64 of ${exact ? 'exactly' : 'at least'} ${min} bytes`,
    );

const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/**
 * TRUST_PROXY: unset/`false` = trust nobody (the socket address is the client);
 * a number = that many hops; otherwise a comma list of IPs/CIDRs (or Express names such as
 * `loopback`). The value is handed to Express's `trust proxy` unchanged in meaning.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx): false | number | string[] => {
    if (v === undefined || v === '' || v === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) return Number(v);
    const parts = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ok = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
    const bad = parts.filter((p) => !ok.test(p));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not an IP, CIDR or hop count: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return parts;
  });

/**
 * Federated sign-in (API.md "Federated sign-in"). A provider is on when its client id and
 * secret are set (the generic one also needs its issuer); the endpoint URLs default to the
 * real providers' and exist so tests and GitHub Enterprise can point elsewhere.
 */
const providerUrl = (fallback: string) => url(['https:', 'http:']).default(fallback);
/** Names the generic provider cannot take: the built-in ones and the routes beside them. */
const RESERVED_PROVIDER_NAMES = ['google', 'github', 'exchange', 'link'];
const federationSettings = {
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_AUTHORIZATION_URL: providerUrl('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: providerUrl('https://oauth2.googleapis.com/token'),
  GOOGLE_USERINFO_URL: providerUrl('https://openidconnect.googleapis.com/v1/userinfo'),
  GOOGLE_ISSUER: providerUrl('https://accounts.google.com'),
  GOOGLE_JWKS_URL: providerUrl('https://www.googleapis.com/oauth2/v3/certs'),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GITHUB_BASE_URL: providerUrl('https://github.com'),
  GITHUB_API_URL: providerUrl('https://api.github.com'),
  OIDC_ISSUER: optionalUrl(['https:', 'http:']),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and dashes')
    .refine((v) => !RESERVED_PROVIDER_NAMES.includes(v), {
      message: `cannot be ${RESERVED_PROVIDER_NAMES.join(', ')}`,
    })
    .default('oidc'),
  /**
   * Origins (scheme://host[:port]) a sign-in may return to besides APP_URL's and those of
   * CORS_ORIGINS, comma-separated.
   */
  FEDERATION_REDIRECT_ORIGINS: commaList.pipe(
    z.array(
      url(['https:', 'http:']).refine(
        (v) => new URL(v).origin === v.replace(/\/+$/, ''),
        'must be origins (scheme://host[:port]) without a path',
      ),
    ),
  ),
  /** Each request to a provider (token, user info, keys, discovery) gives up after this. */
  FEDERATION_HTTP_TIMEOUT_MS: positiveInt.default(5_000),
};

type FederationEnv = z.infer<z.ZodObject<typeof federationSettings>> & { NODE_ENV: string };

/**
 * A provider with only part of its credentials is a mistake, never "off"; in production
 * every URL of a provider that is on must be https.
 */
function federationRules(env: FederationEnv, ctx: z.RefinementCtx): void {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  const groups = {
    google: {
      credentials: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
      urls: [
        'GOOGLE_AUTHORIZATION_URL',
        'GOOGLE_TOKEN_URL',
        'GOOGLE_USERINFO_URL',
        'GOOGLE_ISSUER',
        'GOOGLE_JWKS_URL',
      ],
    },
    github: {
      credentials: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
      urls: ['GITHUB_BASE_URL', 'GITHUB_API_URL'],
    },
    oidc: {
      credentials: ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'],
      urls: ['OIDC_ISSUER'],
    },
  } as const;
  for (const { credentials, urls } of Object.values(groups)) {
    const set = credentials.filter((k) => env[k] !== undefined);
    if (set.length > 0 && set.length < credentials.length) {
      for (const missing of credentials.filter((k) => env[k] === undefined))
        problem(missing, `must be set with ${set.join(' and ')} (or unset them all)`);
      continue;
    }
    if (set.length === 0 || env.NODE_ENV !== 'production') continue;
    for (const k of urls)
      if (new URL(String(env[k])).protocol !== 'https:') problem(k, 'must be https in production');
  }
}

/** The raw environment, variable by variable. Every setting lives here and nowhere else. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    GRPC_HOST: z.string().trim().min(1).optional(),
    GRPC_PORT: port.default(50051),
    GRPC_TLS_CERT: optionalString,
    GRPC_TLS_KEY: optionalString,
    GRPC_TLS_CLIENT_CA: optionalString,
    /** mTLS: client certificate CNs or SAN DNS names allowed to call (comma list); none = any. */
    GRPC_TLS_ALLOWED_CLIENTS: commaList,
    /** Production serves gRPC without TLS only when this says so explicitly. */
    GRPC_INSECURE: bool.default(false),

    DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
    DATABASE_POOL_SIZE: positiveInt.default(10),
    DATABASE_MIGRATIONS_RUN: bool.default(true),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    /** `redis://`, `rediss://`, or `redis+sentinel://host:port,.../<master name>` (see below). */
    REDIS_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .trim()
        .refine(
          (v) => isSentinelUrl(v) || isUrlOf(v, ['redis:', 'rediss:']),
          'must be a URL (redis:, rediss: or redis+sentinel:)',
        )
        .optional(),
    ),
    REDIS_KEY_PREFIX: z.string().default('idp:'),
    /** Sentinel mode without the URL form: `host:port,host:port` and the master group name. */
    REDIS_SENTINELS: commaList,
    REDIS_SENTINEL_NAME: optionalString,
    /** AUTH for the Sentinels (either form); the data nodes' password is REDIS_PASSWORD. */
    REDIS_SENTINEL_PASSWORD: optionalString,
    /** Password of the primary and replicas with REDIS_SENTINELS (a URL carries its own). */
    REDIS_PASSWORD: optionalString,

    SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
    MAIL_FROM: z.string().trim().min(3).default('no-reply@localhost'),
    /** Named in every mail's subject and signature when set; unset = mails name no product. */
    MAIL_PRODUCT_NAME: z
      .string()
      .trim()
      .max(80)
      // eslint-disable-next-line no-control-regex
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be one line of text')
      .transform((v) => (v === '' ? undefined : v))
      .optional(),
    /** Directory of `<locale>/<template>.subject.txt|.text.txt|.html` overrides; unset = none. */
    MAIL_TEMPLATES_DIR: optionalString,
    /** Unset outside production: `DEFAULT_APP_URL` (see `config.ts`). */
    APP_URL: optionalUrl(['http:', 'https:']),
    CORS_ORIGINS: commaList,

    JWT_ISSUER: optionalString,
    JWT_AUDIENCE: z.string().trim().min(1).default('identity'),
    JWT_ALG: z.enum(['ES256', 'RS256', 'EdDSA']).default('ES256'),
    ACCESS_TOKEN_TTL: seconds.default(600),
    REFRESH_TOKEN_TTL: seconds.default(2_592_000),
    REFRESH_IDLE_TTL: seconds.default(604_800),
    /** Seconds after a rotation in which the rotated token gets the same successor; 0 = off. */
    REFRESH_RETRY_WINDOW: z.coerce.number().int().min(0).max(300).default(10),
    VERIFY_TOKEN_TTL: seconds.default(86_400),
    RESET_TOKEN_TTL: seconds.default(1_800),
    MFA_TOKEN_TTL: seconds.default(300),
    KEY_ROTATION_INTERVAL: seconds.default(2_592_000),
    KEY_PUBLISH_AHEAD: seconds.default(3_600),

    PASSWORD_PEPPER: base64Secret(32).optional(),
    PASSWORD_PEPPER_VERSION: positiveInt.default(1),
    /** Earlier peppers still needed to verify old hashes: `version:base64,...`. */
    PASSWORD_PREVIOUS_PEPPERS: commaList,
    KEY_ENCRYPTION_KEY: base64Secret(32, true).optional(),
    ARGON2_MEMORY_KIB: positiveInt.default(19_456),
    ARGON2_TIME_COST: positiveInt.default(2),
    ARGON2_PARALLELISM: positiveInt.default(1),
    /**
     * Processes serving one host (Node's cluster module): a number, or `auto` for one per CPU
     * core. Default 1 (no cluster). More than one needs Postgres and Redis (shared state).
     */
    CLUSTER_WORKERS: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)])
      .default(1),
    /** Hashes computed at once; default: one per CPU core (see `config.ts`). */
    ARGON2_CONCURRENCY: positiveInt.optional(),
    /** Hashes allowed to wait for a slot; beyond, 503 at once. Default: see `config.ts`. */
    ARGON2_QUEUE_LIMIT: z.coerce.number().int().min(0).optional(),
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
    BREACHED_PASSWORD_API_URL: optionalUrl(['http:', 'https:']),
    BREACHED_PASSWORD_TIMEOUT_MS: positiveInt.default(1_500),

    COOKIE_SECURE: bool.default(true),
    TRUST_PROXY: trustProxy,
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
      .default('100kb'),
    /** `/openapi.json` and `/docs`; unset = on outside production, off in production. */
    API_DOCS_ENABLED: bool.optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /**
     * Serve `/metrics` on this port only (its own listener), so it need not be public; the main
     * port's `/metrics` then answers 404. Unset: `/metrics` on the main port.
     */
    METRICS_PORT: port.optional(),
    /** Address of the `METRICS_PORT` listener; default `HOST`. */
    METRICS_HOST: optionalString,
    /**
     * OTLP/HTTP collector base URL (`http://collector:4318`); unset = no tracing at all (the
     * OpenTelemetry SDK is not even loaded). The SDK reads the other standard `OTEL_*`
     * variables itself (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, ...).
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['http:', 'https:']),
    OTEL_SERVICE_NAME: z.string().trim().min(1).default('identity'),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(20_000),
    /**
     * How long to keep serving, not ready, before closing the listeners on SIGTERM: long enough
     * for a load balancer's readiness probe to notice (and for idle keep-alive connections to
     * time out, `server.keepAliveTimeout` being 5 s).
     */
    SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).default(5_000),

    BOOTSTRAP_ADMIN_EMAIL: optionalString,
    ADMIN_REQUIRE_MFA: bool.default(true),
    WEBHOOK_ALLOW_PRIVATE: bool.optional(),
    OUTBOX_POLL_INTERVAL_MS: positiveInt.default(1_000),
    PURGE_INTERVAL: seconds.default(3_600),

    LOGIN_FREE_FAILURES: positiveInt.default(5),
    LOGIN_BACKOFF_BASE: seconds.default(1),
    LOGIN_BACKOFF_MAX: seconds.default(900),
    LOGIN_EMAIL_FAILURES_PER_HOUR: positiveInt.default(100),
    LOGIN_IP_FAILURES_PER_HOUR: positiveInt.default(300),
    MFA_FAILURES_PER_TOKEN: positiveInt.default(5),
    MFA_FAILURES_PER_USER_PER_HOUR: positiveInt.default(20),
    MAIL_PER_EMAIL_PER_HOUR: positiveInt.default(3),
    MAIL_PER_IP_PER_HOUR: positiveInt.default(20),
    AUTH_PER_IP_PER_MINUTE: positiveInt.default(600),
    // Most per-IP points an instance takes from the shared counter at once (1 = one Redis
    // round trip per request). Never lets more than the limit through, only fewer.
    AUTH_PER_IP_LEASE: z.coerce.number().int().min(1).max(1000).default(64),

    ...federationSettings,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    const refuse = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (!env.DATABASE_URL)
      refuse('DATABASE_URL', 'is required in production (no embedded database)');
    if (!env.REDIS_URL && env.REDIS_SENTINELS.length === 0)
      refuse('REDIS_URL', 'is required in production (or REDIS_SENTINELS; no in-memory kv)');
    if (!env.PASSWORD_PEPPER) refuse('PASSWORD_PEPPER', 'is required in production');
    else if (env.PASSWORD_PEPPER === DEV_PASSWORD_PEPPER)
      refuse('PASSWORD_PEPPER', 'is the development value; production needs its own');
    if (!env.KEY_ENCRYPTION_KEY) refuse('KEY_ENCRYPTION_KEY', 'is required in production');
    else if (env.KEY_ENCRYPTION_KEY === DEV_KEY_ENCRYPTION_KEY)
      refuse('KEY_ENCRYPTION_KEY', 'is the development value; production needs its own');
    if (!env.COOKIE_SECURE) refuse('COOKIE_SECURE', 'cannot be false in production');
    if (!env.SMTP_URL) refuse('SMTP_URL', 'is required in production (mail would only be logged)');
    if (!env.APP_URL) refuse('APP_URL', 'is required in production (the public https URL)');
    else if (new URL(env.APP_URL).protocol !== 'https:')
      refuse('APP_URL', 'must be https in production');
    if (!env.GRPC_TLS_CERT && !env.GRPC_INSECURE)
      refuse(
        'GRPC_TLS_CERT',
        'is required in production (with GRPC_TLS_KEY; gRPC would answer token checks in plaintext); set GRPC_INSECURE=true to run without TLS on purpose',
      );
  })
  .superRefine((env, ctx) => {
    if (env.CLUSTER_WORKERS !== 1) {
      // Every process must see the same state: embedded PGlite is one process's database and
      // the in-memory kv one process's store (limits, denylist and socket push would split).
      if (!env.DATABASE_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['CLUSTER_WORKERS'],
          message: 'more than one process needs DATABASE_URL (embedded PGlite is per process)',
        });
      if (!env.REDIS_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['CLUSTER_WORKERS'],
          message: 'more than one process needs REDIS_URL (the in-memory kv is per process)',
        });
    }
    if (Boolean(env.GRPC_TLS_CERT) !== Boolean(env.GRPC_TLS_KEY))
      ctx.addIssue({
        code: 'custom',
        path: ['GRPC_TLS_KEY'],
        message: 'GRPC_TLS_CERT and GRPC_TLS_KEY must be set together',
      });
    if (env.GRPC_TLS_CLIENT_CA && !env.GRPC_TLS_CERT)
      ctx.addIssue({
        code: 'custom',
        path: ['GRPC_TLS_CLIENT_CA'],
        message: 'mutual TLS needs GRPC_TLS_CERT and GRPC_TLS_KEY too',
      });
    if (env.GRPC_TLS_ALLOWED_CLIENTS.length > 0 && !env.GRPC_TLS_CLIENT_CA)
      ctx.addIssue({
        code: 'custom',
        path: ['GRPC_TLS_ALLOWED_CLIENTS'],
        message: 'names client certificates, so it needs GRPC_TLS_CLIENT_CA (mutual TLS)',
      });
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0) {
      for (const other of ['PORT', 'GRPC_PORT'] as const)
        if (env.METRICS_PORT === env[other])
          ctx.addIssue({
            code: 'custom',
            path: ['METRICS_PORT'],
            message: `must differ from ${other}`,
          });
    }
    if (env.GRPC_INSECURE && env.GRPC_TLS_CERT)
      ctx.addIssue({
        code: 'custom',
        path: ['GRPC_INSECURE'],
        message: 'contradicts GRPC_TLS_CERT; unset one of them',
      });
    for (const entry of env.PASSWORD_PREVIOUS_PEPPERS) {
      const [version, secret] = entry.split(':');
      if (!/^\d+$/.test(version ?? '') || !secret || Buffer.from(secret, 'base64').length < 32)
        ctx.addIssue({
          code: 'custom',
          path: ['PASSWORD_PREVIOUS_PEPPERS'],
          message: 'entries must be version:base64 (at least 32 bytes)',
        });
    }
  })
  .superRefine(redisSentinelRules)
  .superRefine(federationRules);

export type RawEnv = z.infer<typeof envSchema>;

/** The two ways of naming Sentinels exclude each other, and each must be complete. */
function redisSentinelRules(
  env: {
    REDIS_URL?: string;
    REDIS_SENTINELS: string[];
    REDIS_SENTINEL_NAME?: string;
    REDIS_PASSWORD?: string;
  },
  ctx: z.RefinementCtx,
): void {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.REDIS_URL && isSentinelUrl(env.REDIS_URL)) {
    try {
      parseSentinelUrl(env.REDIS_URL);
    } catch (err) {
      problem('REDIS_URL', (err as Error).message);
    }
  }
  if (env.REDIS_SENTINELS.length === 0) {
    if (env.REDIS_SENTINEL_NAME) problem('REDIS_SENTINEL_NAME', 'needs REDIS_SENTINELS');
    if (env.REDIS_PASSWORD)
      problem('REDIS_PASSWORD', 'is for REDIS_SENTINELS; put it in REDIS_URL');
    return;
  }
  if (env.REDIS_URL) problem('REDIS_SENTINELS', 'contradicts REDIS_URL; set only one of them');
  if (!env.REDIS_SENTINEL_NAME)
    problem('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS (the master group name)');
  for (const entry of env.REDIS_SENTINELS) {
    try {
      parseSentinelAddress(entry);
    } catch (err) {
      problem('REDIS_SENTINELS', (err as Error).message);
    }
  }
}
