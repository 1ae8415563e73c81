import 'reflect-metadata';
import { reportingSettingsFromEnv } from './reporting.config';
import { startReportingApp } from './reporting-app';

/**
 * `npm run demo:reporting`: an example internal service. The frontend signs in over the
 * identity service's REST API and calls `POST /reports` here with the access token; this
 * service trusts the token through the platform's SDK (`@identity/identity-client`): verified
 * locally against the JWKS and the pushed revocations, `reports:generate` from the platform's
 * permissions, `VerifyToken` only while the revocation stream is away. Settings, and how it
 * verifies the identity service over TLS: `reporting.config.ts`.
 */
async function main(): Promise<void> {
  // A separate service with a handful of settings of its own: it does not load the platform's
  // config schema, so it reads them here, in its one entry point.
  // eslint-disable-next-line no-restricted-properties
  const settings = reportingSettingsFromEnv(process.env);
  const { url } = await startReportingApp(settings);
  process.stdout.write(`reporting demo listening on ${url} (POST /reports)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
