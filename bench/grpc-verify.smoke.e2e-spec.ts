/**
 * Smoke test of the gRPC benchmark's parts (the benchmark itself is `npm run bench:grpc`):
 * one second of load on the real VerifyToken and one on the bare jose ceiling, with the same
 * token; every call must answer `active` without error.
 */
import { startTestApp, type TestApp } from '../test/support/app';
import { runLoad, startBareVerifier } from './grpc-verify';
import { benchUserToken } from './grpc-verify.fixture';

describe('gRPC VerifyToken benchmark (smoke)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'bench_grpc' });
  });
  afterAll(() => app.close());

  it('loads the identity service and the bare ceiling for a second each', async () => {
    const { token, key } = await benchUserToken(app.running.app, app.config);
    const bare = await startBareVerifier(key);
    try {
      for (const address of [app.grpcAddress, bare.address]) {
        const result = await runLoad({
          target: { address, token },
          concurrency: 8,
          durationMs: 1_000,
        });
        expect(result.calls).toBeGreaterThan(10);
        expect({ errors: result.errors, inactive: result.inactive }).toEqual({
          errors: 0,
          inactive: 0,
        });
        expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
      }
    } finally {
      await bare.close();
    }
  });
});
