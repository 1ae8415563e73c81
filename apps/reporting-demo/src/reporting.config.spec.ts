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
  it('defaults to plaintext on loopback outside production', () => {
    expect(reportingSettingsFromEnv({})).toEqual({
      port: 3100,
      host: '127.0.0.1',
      identity: { address: '127.0.0.1:50051', tls: undefined },
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
    expect(s.identity).toEqual({
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
    expect(problems({ NODE_ENV: 'production' })).toMatch(/IDENTITY_GRPC_CA is required/);
    expect(
      reportingSettingsFromEnv({ NODE_ENV: 'production', IDENTITY_GRPC_INSECURE: 'true' }).identity
        .tls,
    ).toBeUndefined();
    expect(
      reportingSettingsFromEnv({ NODE_ENV: 'production', IDENTITY_GRPC_CA: '/ca.crt' }).identity
        .tls,
    ).toMatchObject({ caPath: '/ca.crt' });
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
