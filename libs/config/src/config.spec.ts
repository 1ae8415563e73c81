import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './config';
import { DEV_KEY_ENCRYPTION_KEY, DEV_PASSWORD_PEPPER } from './config.schema';

const secret32 = Buffer.alloc(32, 7).toString('base64');
const prodEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db:5432/identity',
  REDIS_URL: 'redis://cache:6379',
  PASSWORD_PEPPER: secret32,
  KEY_ENCRYPTION_KEY: secret32,
  SMTP_URL: 'smtp://mail:25',
  APP_URL: 'https://id.example.com',
  GRPC_TLS_CERT: '/run/grpc/server.crt',
  GRPC_TLS_KEY: '/run/grpc/server.key',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on the embedded default with no environment at all', () => {
    const c = loadConfig({});
    expect(c.database.url).toBeUndefined();
    expect(c.redis.url).toBeUndefined();
    expect(c.http.port).toBe(3000);
    expect(c.grpc.port).toBe(50051);
    expect(c.jwt).toMatchObject({
      alg: 'ES256',
      accessTtl: 600,
      issuer: 'http://localhost:3000',
      audience: 'identity',
    });
    expect(c.appUrl).toBe('http://localhost:3000');
    expect(c.sessions).toMatchObject({ refreshTtl: 2592000, idleTtl: 604800 });
    expect(c.tokenTtl).toMatchObject({ verifyEmail: 86400, resetPassword: 1800, mfa: 300 });
    expect(c.secrets.usingDevSecrets).toBe(true);
    expect(c.cookies.secure).toBe(true);
    expect(c.webhooks.allowPrivate).toBe(true);
    expect(c.passwords.argon2).toEqual({
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      concurrency: availableParallelism(),
      queueLimit: 32 * availableParallelism(),
    });
  });

  it('bounds the argon2 wait queue: 32 waiters per concurrent hash unless ARGON2_QUEUE_LIMIT says otherwise', () => {
    expect(loadConfig({ ARGON2_CONCURRENCY: '3' }).passwords.argon2.queueLimit).toBe(96);
    expect(loadConfig({ ARGON2_QUEUE_LIMIT: '5' }).passwords.argon2.queueLimit).toBe(5);
    expect(loadConfig({ ARGON2_QUEUE_LIMIT: '0' }).passwords.argon2.queueLimit).toBe(0);
    expect(problemsOf({ ARGON2_QUEUE_LIMIT: '-1' }).join()).toMatch(/ARGON2_QUEUE_LIMIT/);
  });

  it('computes one argon2 hash per CPU core at once unless ARGON2_CONCURRENCY says otherwise', () => {
    expect(loadConfig({}).passwords.argon2.concurrency).toBe(availableParallelism());
    expect(loadConfig({ ARGON2_CONCURRENCY: '3' }).passwords.argon2.concurrency).toBe(3);
    expect(problemsOf({ ARGON2_CONCURRENCY: '0' }).join()).toMatch(/ARGON2_CONCURRENCY/);
  });

  it('runs one process unless CLUSTER_WORKERS says otherwise, and needs shared state for more', () => {
    const shared = { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://kv' };
    expect(loadConfig({}).cluster.workers).toBe(1);
    expect(loadConfig({ ...shared, CLUSTER_WORKERS: '3' }).cluster.workers).toBe(3);
    expect(loadConfig({ ...shared, CLUSTER_WORKERS: 'auto' }).cluster.workers).toBe(
      availableParallelism(),
    );
    // The workers of one host share its cores between their argon2 hashes.
    const cores = availableParallelism();
    expect(
      loadConfig({ ...shared, CLUSTER_WORKERS: String(cores * 2) }).passwords.argon2.concurrency,
    ).toBe(1);
    expect(loadConfig({ ...shared, CLUSTER_WORKERS: '1' }).passwords.argon2.concurrency).toBe(
      cores,
    );
    expect(
      loadConfig({ ...shared, CLUSTER_WORKERS: '2', ARGON2_CONCURRENCY: '4' }).passwords.argon2
        .concurrency,
    ).toBe(4);
    for (const value of ['0', 'many', '-1']) {
      expect(problemsOf({ ...shared, CLUSTER_WORKERS: value }).join()).toMatch(/CLUSTER_WORKERS/);
    }
    const alone = problemsOf({ CLUSTER_WORKERS: '2' }).join('\n');
    expect(alone).toMatch(/CLUSTER_WORKERS.*DATABASE_URL/);
    expect(alone).toMatch(/CLUSTER_WORKERS.*REDIS_URL/);
  });

  it('APP_URL (and so the issuer) defaults to http://localhost:3000 whatever the listen address', () => {
    // Instances of one deployment on different ports must agree on the issuer.
    for (const env of [{ PORT: '8080' }, { HOST: '0.0.0.0', PORT: '3001' }, { PORT: '0' }]) {
      const c = loadConfig(env);
      expect(c.appUrl).toBe('http://localhost:3000');
      expect(c.jwt.issuer).toBe('http://localhost:3000');
    }
    // Set, it wins; the issuer follows it.
    const set = loadConfig({ PORT: '8080', APP_URL: 'http://localhost:8080/' });
    expect(set.appUrl).toBe('http://localhost:8080');
    expect(set.jwt.issuer).toBe('http://localhost:8080');
  });

  it('issuer defaults to APP_URL without a trailing slash', () => {
    expect(loadConfig({ APP_URL: 'https://id.example.com/' }).jwt.issuer).toBe(
      'https://id.example.com',
    );
    expect(loadConfig({ JWT_ISSUER: 'https://issuer' }).jwt.issuer).toBe('https://issuer');
  });

  it('lists every problem in one error', () => {
    const problems = problemsOf({ PORT: 'abc', JWT_ALG: 'HS256', COOKIE_SECURE: 'maybe' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/JWT_ALG/);
    expect(problems.join('\n')).toMatch(/COOKIE_SECURE/);
  });

  it('accepts a complete production environment', () => {
    const c = loadConfig(prodEnv);
    expect(c.isProduction).toBe(true);
    expect(c.secrets.usingDevSecrets).toBe(false);
    expect(c.webhooks.allowPrivate).toBe(false);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: '' }],
    ['REDIS_URL', { REDIS_URL: '' }],
    ['PASSWORD_PEPPER', { PASSWORD_PEPPER: undefined }],
    ['KEY_ENCRYPTION_KEY', { KEY_ENCRYPTION_KEY: undefined }],
    ['COOKIE_SECURE', { COOKIE_SECURE: 'false' }],
    ['APP_URL', { APP_URL: undefined }],
    ['APP_URL', { APP_URL: 'http://id.example.com' }],
  ])('production refuses a missing or unsafe %s', (name, patch) => {
    const env = { ...prodEnv, ...patch } as Record<string, string>;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    expect(problemsOf(env).some((p) => p.startsWith(name))).toBe(true);
  });

  it('serves the API docs outside production only, unless API_DOCS_ENABLED says otherwise', () => {
    expect(loadConfig({}).http.apiDocs).toBe(true);
    expect(loadConfig(prodEnv).http.apiDocs).toBe(false);
    expect(loadConfig({ ...prodEnv, API_DOCS_ENABLED: 'true' }).http.apiDocs).toBe(true);
    expect(loadConfig({ API_DOCS_ENABLED: 'false' }).http.apiDocs).toBe(false);
    expect(problemsOf({ API_DOCS_ENABLED: 'maybe' })).toEqual([
      'API_DOCS_ENABLED: must be true or false',
    ]);
  });

  it('production refuses the development secrets', () => {
    const problems = problemsOf({
      ...prodEnv,
      PASSWORD_PEPPER: DEV_PASSWORD_PEPPER,
      KEY_ENCRYPTION_KEY: DEV_KEY_ENCRYPTION_KEY,
    });
    expect(problems).toHaveLength(2);
  });

  it('refuses short secrets', () => {
    const problems = problemsOf({
      PASSWORD_PEPPER: 'c2hvcnQ=',
      KEY_ENCRYPTION_KEY: secret32 + 'AA',
    });
    expect(problems).toHaveLength(2);
  });

  it('parses TRUST_PROXY as hops or CIDRs and refuses garbage', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'evil.example.com' })[0]).toMatch(/TRUST_PROXY/);
  });

  it('needs cert and key together for gRPC TLS', () => {
    expect(problemsOf({ GRPC_TLS_CERT: '/c.pem' })[0]).toMatch(/GRPC_TLS_KEY/);
    expect(loadConfig({ GRPC_TLS_CERT: '/c.pem', GRPC_TLS_KEY: '/k.pem' }).grpc.tls).toEqual({
      certPath: '/c.pem',
      keyPath: '/k.pem',
      clientCaPath: undefined,
      allowedClients: [],
    });
  });

  it('production refuses plaintext gRPC, listed with the other problems, unless GRPC_INSECURE=true', () => {
    const { GRPC_TLS_CERT: _c, GRPC_TLS_KEY: _k, ...plaintext } = prodEnv;
    expect(problemsOf(plaintext)).toEqual([
      expect.stringMatching(/^GRPC_TLS_CERT: .*GRPC_INSECURE/),
    ]);
    const withOthers = problemsOf({ ...plaintext, COOKIE_SECURE: 'false', REDIS_URL: '' });
    expect(withOthers).toHaveLength(3);
    expect(withOthers.join('\n')).toMatch(/GRPC_TLS_CERT/);

    const insecure = loadConfig({ ...plaintext, GRPC_INSECURE: 'true' });
    expect(insecure.grpc).toMatchObject({ insecure: true, tls: undefined });
    expect(loadConfig(prodEnv).grpc).toMatchObject({ insecure: false });
    // Outside production plaintext stays the default (development, tests).
    expect(loadConfig({}).grpc.tls).toBeUndefined();
  });

  it('serves metrics on the main port and traces nothing unless told otherwise', () => {
    const c = loadConfig({ HOST: '0.0.0.0' });
    expect(c.metrics).toEqual({ port: undefined, host: '0.0.0.0' });
    expect(c.tracing).toEqual({ otlpEndpoint: undefined, serviceName: 'identity' });
  });

  it('reads METRICS_PORT/METRICS_HOST and the OTLP endpoint, refusing a port already in use', () => {
    const c = loadConfig({
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'identity-eu',
    });
    expect(c.metrics).toEqual({ port: 9464, host: '10.0.0.5' });
    expect(c.tracing).toEqual({
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'identity-eu',
    });
    expect(problemsOf({ PORT: '4000', METRICS_PORT: '4000' })).toEqual([
      'METRICS_PORT: must differ from PORT',
    ]);
    expect(problemsOf({ METRICS_PORT: '50051' })).toEqual([
      'METRICS_PORT: must differ from GRPC_PORT',
    ]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' })[0]).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('takes per-IP leases of 64 unless AUTH_PER_IP_LEASE says otherwise, from 1 to 1000', () => {
    expect(loadConfig({}).limits.authPerIpLease).toBe(64);
    expect(loadConfig({ AUTH_PER_IP_LEASE: '1' }).limits.authPerIpLease).toBe(1);
    for (const value of ['0', '1001', '2.5', 'many']) {
      expect(problemsOf({ AUTH_PER_IP_LEASE: value })[0]).toMatch(/^AUTH_PER_IP_LEASE/);
    }
  });

  it('names the product in mails only with one line of at most 80 characters', () => {
    expect(loadConfig({}).mail.productName).toBeUndefined();
    expect(loadConfig({ MAIL_PRODUCT_NAME: '  Acme ID  ' }).mail.productName).toBe('Acme ID');
    expect(loadConfig({ MAIL_PRODUCT_NAME: '   ' }).mail.productName).toBeUndefined();
    expect(problemsOf({ MAIL_PRODUCT_NAME: 'Acme\r\nBcc: x@evil.example' })[0]).toMatch(
      /^MAIL_PRODUCT_NAME/,
    );
    expect(problemsOf({ MAIL_PRODUCT_NAME: 'A'.repeat(81) })[0]).toMatch(/^MAIL_PRODUCT_NAME/);
  });

  it('refuses GRPC_INSECURE=true next to a TLS certificate (which one is meant?)', () => {
    expect(problemsOf({ ...prodEnv, GRPC_INSECURE: 'true' })[0]).toMatch(/^GRPC_INSECURE/);
  });

  it('parses the mTLS client allow-list, which needs a client CA', () => {
    const tls = { GRPC_TLS_CERT: '/c.pem', GRPC_TLS_KEY: '/k.pem' };
    expect(
      loadConfig({
        ...tls,
        GRPC_TLS_CLIENT_CA: '/ca.pem',
        GRPC_TLS_ALLOWED_CLIENTS: ' reporting.internal, Billing ,',
      }).grpc.tls?.allowedClients,
    ).toEqual(['reporting.internal', 'billing']);
    expect(problemsOf({ ...tls, GRPC_TLS_ALLOWED_CLIENTS: 'reporting' })[0]).toMatch(
      /^GRPC_TLS_ALLOWED_CLIENTS: .*GRPC_TLS_CLIENT_CA/,
    );
  });

  it('parses previous peppers for rotation', () => {
    const c = loadConfig({
      PASSWORD_PEPPER_VERSION: '2',
      PASSWORD_PREVIOUS_PEPPERS: `1:${secret32}`,
    });
    expect(c.secrets.pepper.version).toBe(2);
    expect(c.secrets.previousPeppers).toEqual([{ version: 1, secret: Buffer.alloc(32, 7) }]);
  });

  describe('federated sign-in', () => {
    it('has every provider off, with the real endpoints, by default', () => {
      const { oidc } = loadConfig({});
      expect(oidc.google).toBeUndefined();
      expect(oidc.github).toBeUndefined();
      expect(oidc.generic).toBeUndefined();
      expect(oidc.redirectOrigins).toEqual(['http://localhost:3000']);
      expect(oidc.httpTimeoutMs).toBe(5000);
      const google = loadConfig({ GOOGLE_CLIENT_ID: 'g', GOOGLE_CLIENT_SECRET: 's' }).oidc.google;
      expect(google).toEqual({
        clientId: 'g',
        clientSecret: 's',
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
        issuer: 'https://accounts.google.com',
        jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
      });
      const github = loadConfig({ GITHUB_CLIENT_ID: 'h', GITHUB_CLIENT_SECRET: 's' }).oidc.github;
      expect(github).toEqual({
        clientId: 'h',
        clientSecret: 's',
        baseUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
      });
    });

    it('turns each provider on with its credentials and takes other endpoints', () => {
      const { oidc } = loadConfig({
        GOOGLE_CLIENT_ID: 'g',
        GOOGLE_CLIENT_SECRET: 's',
        GOOGLE_ISSUER: 'http://127.0.0.1:4000',
        GOOGLE_JWKS_URL: 'http://127.0.0.1:4000/jwks',
        GITHUB_CLIENT_ID: 'h',
        GITHUB_CLIENT_SECRET: 's',
        GITHUB_BASE_URL: 'https://ghe.example.com/',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
        OIDC_ISSUER: 'https://login.example.com/realms/main',
        OIDC_CLIENT_ID: 'o',
        OIDC_CLIENT_SECRET: 's',
        OIDC_NAME: 'okta',
      });
      expect(oidc.google).toMatchObject({ issuer: 'http://127.0.0.1:4000' });
      expect(oidc.github).toMatchObject({
        baseUrl: 'https://ghe.example.com',
        apiUrl: 'https://ghe.example.com/api/v3',
      });
      expect(oidc.generic).toEqual({
        name: 'okta',
        issuer: 'https://login.example.com/realms/main',
        clientId: 'o',
        clientSecret: 's',
      });
    });

    it('refuses a provider with half its credentials, every one listed at once', () => {
      const problems = problemsOf({
        GOOGLE_CLIENT_ID: 'g',
        GITHUB_CLIENT_SECRET: 's',
        OIDC_ISSUER: 'https://login.example.com',
        OIDC_CLIENT_ID: 'o',
      });
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(
        /^GOOGLE_CLIENT_SECRET: must be set with GOOGLE_CLIENT_ID/m,
      );
      expect(problems.join('\n')).toMatch(
        /^GITHUB_CLIENT_ID: must be set with GITHUB_CLIENT_SECRET/m,
      );
      expect(problems.join('\n')).toMatch(/^OIDC_CLIENT_SECRET: /m);
      expect(problemsOf({ OIDC_CLIENT_ID: 'o', OIDC_CLIENT_SECRET: 's' })[0]).toMatch(
        /^OIDC_ISSUER: /,
      );
    });

    it.each(['google', 'github', 'exchange', 'link', 'My IdP', ''])(
      'refuses OIDC_NAME=%j (a built-in provider, a route, or not a path segment)',
      (name) => {
        expect(problemsOf({ OIDC_NAME: name }).join()).toMatch(/OIDC_NAME/);
      },
    );

    it('allows redirects to APP_URL, CORS_ORIGINS and FEDERATION_REDIRECT_ORIGINS origins', () => {
      const c = loadConfig({
        APP_URL: 'https://id.example.com/',
        CORS_ORIGINS: 'https://app.example.com, not a url',
        FEDERATION_REDIRECT_ORIGINS: 'https://mobile.example.com,http://localhost:5173/',
      });
      expect(c.oidc.redirectOrigins).toEqual([
        'https://id.example.com',
        'https://app.example.com',
        'https://mobile.example.com',
        'http://localhost:5173',
      ]);
      expect(problemsOf({ FEDERATION_REDIRECT_ORIGINS: 'https://app.example.com/cb' })[0]).toMatch(
        /FEDERATION_REDIRECT_ORIGINS/,
      );
      expect(problemsOf({ FEDERATION_REDIRECT_ORIGINS: 'javascript:alert(1)' })[0]).toMatch(
        /FEDERATION_REDIRECT_ORIGINS/,
      );
    });

    it('takes the provider timeout and refuses a non-positive one', () => {
      expect(loadConfig({ FEDERATION_HTTP_TIMEOUT_MS: '1500' }).oidc.httpTimeoutMs).toBe(1500);
      expect(problemsOf({ FEDERATION_HTTP_TIMEOUT_MS: '0' })[0]).toMatch(
        /FEDERATION_HTTP_TIMEOUT_MS/,
      );
    });

    it('production refuses plain-http endpoints of a provider that is on, and only then', () => {
      expect(loadConfig({ ...prodEnv, GOOGLE_ISSUER: 'http://127.0.0.1:4000' }).oidc.google).toBe(
        undefined,
      );
      const problems = problemsOf({
        ...prodEnv,
        GOOGLE_CLIENT_ID: 'g',
        GOOGLE_CLIENT_SECRET: 's',
        GOOGLE_TOKEN_URL: 'http://127.0.0.1:4000/token',
        OIDC_ISSUER: 'http://login.example.com',
        OIDC_CLIENT_ID: 'o',
        OIDC_CLIENT_SECRET: 's',
      });
      expect(problems).toEqual([
        'GOOGLE_TOKEN_URL: must be https in production',
        'OIDC_ISSUER: must be https in production',
      ]);
    });
  });
});
