import 'reflect-metadata';
import { startReportingApp } from './reporting-app';

/**
 * `npm run demo:reporting`: an example internal service. The frontend signs in over the
 * identity service's REST API and calls `POST /reports` here with the access token; this
 * service asks the identity service over gRPC (`VerifyToken`) whether the token is good and
 * holds `reports:generate`.
 *
 * Settings (its own, not the platform's): REPORTING_PORT (3100), REPORTING_HOST (127.0.0.1),
 * IDENTITY_GRPC_ADDRESS (127.0.0.1:50051), and for TLS IDENTITY_GRPC_CA, plus
 * IDENTITY_GRPC_CERT and IDENTITY_GRPC_KEY for mutual TLS.
 */
async function main(): Promise<void> {
  // A separate service with a handful of settings of its own: it does not load the platform's
  // config schema, so it reads them here, in its one entry point.
  // eslint-disable-next-line no-restricted-properties
  const env = process.env;
  const ca = env.IDENTITY_GRPC_CA;
  const { url } = await startReportingApp({
    port: Number(env.REPORTING_PORT ?? 3100),
    host: env.REPORTING_HOST ?? '127.0.0.1',
    identity: {
      address: env.IDENTITY_GRPC_ADDRESS ?? '127.0.0.1:50051',
      tls: ca
        ? { caPath: ca, certPath: env.IDENTITY_GRPC_CERT, keyPath: env.IDENTITY_GRPC_KEY }
        : undefined,
    },
  });
  process.stdout.write(`reporting demo listening on ${url} (POST /reports)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
