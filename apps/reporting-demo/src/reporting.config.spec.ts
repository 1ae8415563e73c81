import { reportingSettingsFromEnv } from './reporting.config';

const problems = (env: Record<string, string>): string => {
  try {
    reportingSettingsFromEnv(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('reportingSettingsFromEnv', () => {
  it('defaults to plaintext on loopback outside production, beside `npm start`', () => {
    expect(reportingSettingsFromEnv({})).toEqual({
      port: 3100,
      host: '127.0.0.1',
      identity: {
        address: '127.0.0.1:50051',
        tls: undefined,
        jwksUrl: 'http://127.0.0.1:3000/.well-known/jwks.json',
        issuer: 'http://localhost:3000',
        audience: 'identity',
      },
    });
  });

  it('takes the JWKS, issuer, audience and staleness bound the SDK needs', () => {
    const s = reportingSettingsFromEnv({
      IDENTITY_JWKS_URL: 'http://identity:3000/.well-known/jwks.json',
      IDENTITY_JWKS_INSECURE: 'true',
      IDENTITY_ISSUER: 'https://id.example.com',
      IDENTITY_AUDIENCE: 'reports',
      IDENTITY_MAX_STALENESS_MS: '4000',
      IDENTITY_VERIFY_MODE: 'platform',
    });
    expect(s.identity).toMatchObject({
      jwksUrl: 'http://identity:3000/.well-known/jwks.json',
      jwksInsecure: true,
      issuer: 'https://id.example.com',
      audience: 'reports',
      maxStalenessMs: 4000,
      verification: 'platform',
    });
  });

  it('turns TLS on with the CA, with a client certificate and a server name', () => {
    const s = reportingSettingsFromEnv({
      IDENTITY_GRPC_ADDRESS: 'identity:50051',
      IDENTITY_GRPC_CA: '/grpc/ca.crt',
      IDENTITY_GRPC_CERT: '/grpc/client.crt',
      IDENTITY_GRPC_KEY: '/grpc/client.key',
      IDENTITY_GRPC_SERVER_NAME: 'identity.internal',
    });
    expect(s.identity).toMatchObject({
      address: 'identity:50051',
      tls: {
        caPath: '/grpc/ca.crt',
        certPath: '/grpc/client.crt',
        keyPath: '/grpc/client.key',
        serverName: 'identity.internal',
      },
    });
  });

  it('refuses plaintext in production unless IDENTITY_GRPC_INSECURE=true', () => {
    const jwks = {
      IDENTITY_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      IDENTITY_ISSUER: 'https://id.example.com',
    };
    expect(problems({ NODE_ENV: 'production', ...jwks })).toMatch(/IDENTITY_GRPC_CA is required/);
    expect(
      reportingSettingsFromEnv({ NODE_ENV: 'production', IDENTITY_GRPC_INSECURE: 'true', ...jwks })
        .identity,
    ).toMatchObject({ tls: undefined, insecure: true });
    expect(
      reportingSettingsFromEnv({ NODE_ENV: 'production', IDENTITY_GRPC_CA: '/ca.crt', ...jwks })
        .identity.tls,
    ).toMatchObject({ caPath: '/ca.crt' });
  });

  it('needs the JWKS URL and the issuer in production (no development defaults there)', () => {
    const message = problems({ NODE_ENV: 'production', IDENTITY_GRPC_CA: '/ca.crt' });
    expect(message).toMatch(/IDENTITY_JWKS_URL is required in production/);
    expect(message).toMatch(/IDENTITY_ISSUER is required in production/);
  });

  it('lists every inconsistent setting at once', () => {
    const message = problems({
      IDENTITY_GRPC_CERT: '/c.crt',
      IDENTITY_GRPC_SERVER_NAME: 'x',
      REPORTING_PORT: 'abc',
    });
    expect(message).toMatch(/IDENTITY_GRPC_CERT and IDENTITY_GRPC_KEY must be set together/);
    expect(message).toMatch(/need IDENTITY_GRPC_CA/);
    expect(message).toMatch(/REPORTING_PORT/);
    expect(problems({ IDENTITY_GRPC_CA: '/ca', IDENTITY_GRPC_INSECURE: 'true' })).toMatch(
      /contradicts/,
    );
  });
});
