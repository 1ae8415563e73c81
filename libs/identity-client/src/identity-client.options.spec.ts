import { resolveOptions, type IdentityClientOptions } from './identity-client.options';

const base: IdentityClientOptions = {
  grpc: { address: '127.0.0.1:50051' },
  jwksUrl: 'http://127.0.0.1:3000/.well-known/jwks.json',
  issuer: 'http://localhost:3000',
};

const problems = (options: IdentityClientOptions): string => {
  try {
    resolveOptions(options);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an options error');
};

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    expect(resolveOptions(base)).toEqual({
      grpc: { address: '127.0.0.1:50051', tls: undefined, deadlineMs: 2000 },
      jwksUrl: base.jwksUrl,
      issuer: base.issuer,
      audience: 'identity',
      clockToleranceSeconds: 5,
      revocations: {
        maxStalenessMs: 10_000,
        heartbeatMs: 2_500,
        initialBackoffMs: 100,
        maxBackoffMs: 5_000,
      },
      permissionsTtlMs: 30_000,
      verification: 'local',
      globalGuard: true,
    });
  });

  it('refuses plaintext gRPC and http JWKS beyond loopback unless asked for', () => {
    const remote = {
      ...base,
      grpc: { address: 'identity:50051' },
      jwksUrl: 'http://identity:3000/.well-known/jwks.json',
    };
    const message = problems(remote);
    expect(message).toMatch(/grpc\.tls is required/);
    expect(message).toMatch(/jwksUrl must be https/);
    expect(() =>
      resolveOptions({
        ...remote,
        grpc: { ...remote.grpc, allowPlaintext: true },
        allowPlaintextJwks: true,
      }),
    ).not.toThrow();
    expect(() =>
      resolveOptions({
        ...remote,
        grpc: { address: 'identity:50051', tls: { caPath: '/ca.crt' } },
        jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      }),
    ).not.toThrow();
  });

  it('caps the leeway at 5 s and keeps the heartbeat below the staleness bound', () => {
    expect(problems({ ...base, clockToleranceSeconds: 30 })).toMatch(/0\.\.5/);
    expect(
      problems({ ...base, revocations: { maxStalenessMs: 1_000, heartbeatMs: 1_000 } }),
    ).toMatch(/heartbeatMs/);
  });

  it('lists every problem at once', () => {
    const message = problems({
      grpc: { address: 'no-port', tls: { caPath: '/ca', certPath: '/c.crt' } },
      jwksUrl: 'ftp://x',
      issuer: '',
    });
    for (const p of ['grpc.address', 'certPath and grpc.tls.keyPath', 'jwksUrl', 'issuer'])
      expect(message).toContain(p);
  });
});
