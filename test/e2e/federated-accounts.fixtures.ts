import request from 'supertest';
import type { Clock } from '@identity/kernel';
import { startTestApp, type TestApp } from '../support/app';
import { TestBrowser } from '../support/browser';
import { cookiesOf } from '../support/cookies';
import { UserFactory, type UserSpec } from '../support/factories';
import { freePort } from '../support/ports';
import { queryDb } from './mfa.helpers';
import {
  CLIENT_APP,
  expectNoServerError,
  landing,
  PROVIDER_TIMEOUT_MS,
} from './federation.fixtures';

/**
 * The federated account suites: the app exactly as production wires it (the platform's own
 * sign-in handler, nothing observed), with the stand-ins' settings.
 */
export interface FederatedApp {
  app: TestApp;
  /** APP_URL (the app's own address, so providers can send the browser back). */
  url: string;
  users: UserFactory;
  close(): Promise<void>;
}

export async function startFederatedApp(
  label: string,
  env: Record<string, string | undefined>,
  options: { clock?: Clock } = {},
): Promise<FederatedApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await startTestApp({
    label,
    env: {
      PORT: String(port),
      APP_URL: url,
      FEDERATION_REDIRECT_ORIGINS: CLIENT_APP,
      FEDERATION_HTTP_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      ...env,
    },
    clock: options.clock,
  });
  return { app, url, users: new UserFactory(app.running.app), close: () => app.close() };
}

/**
 * The round trip in `browser` (start, provider, callback) up to the client app; returns the
 * one-time code it was handed (fails the test on `?error=`).
 */
export async function providerCode(
  browser: TestBrowser,
  app: FederatedApp,
  provider: string,
  query: { intent?: 'login' | 'link' } = {},
): Promise<string> {
  const start = new URL(`/auth/oidc/${provider}`, app.url);
  start.searchParams.set('redirect_to', `${CLIENT_APP}/signed-in`);
  if (query.intent) start.searchParams.set('intent', query.intent);
  const nav = await browser.navigate(start.href, { stopAt: [CLIENT_APP] });
  expectNoServerError(nav);
  const { code, error } = landing(nav);
  if (!code) throw new Error(`the sign-in came back with error=${error} (${nav.final.href})`);
  return code;
}

/** Where a round trip in `browser` ended: `?code=` or `?error=`. */
export async function providerLanding(
  browser: TestBrowser,
  app: FederatedApp,
  provider: string,
): Promise<{ code: string | null; error: string | null }> {
  const start = new URL(`/auth/oidc/${provider}`, app.url);
  start.searchParams.set('redirect_to', `${CLIENT_APP}/signed-in`);
  const nav = await browser.navigate(start.href, { stopAt: [CLIENT_APP] });
  expectNoServerError(nav);
  const { code, error } = landing(nav);
  return { code, error };
}

/** `POST /auth/oidc/exchange`, as a client with tokens in the body (or cookies). */
export function exchange(app: FederatedApp, code: string, options: { cookie?: boolean } = {}) {
  const req = request(app.url).post('/auth/oidc/exchange');
  if (options.cookie) req.set('X-Auth-Transport', 'cookie');
  return req.send({ code });
}

/** A whole federated sign-in with a fresh browser; the exchange's answer. */
export async function federatedSignIn(app: FederatedApp, provider: string) {
  return exchange(app, await providerCode(new TestBrowser(), app, provider));
}

/** `GET /auth/me` with a bearer token. */
export function me(app: FederatedApp, accessToken: string) {
  return request(app.url).get('/auth/me').set('Authorization', `Bearer ${accessToken}`);
}

/** A verified account with a password, and its credentials. */
export async function passwordAccount(
  app: FederatedApp,
  spec: UserSpec = {},
): Promise<{ id: string; email: string; password: string }> {
  const user = await app.users.create(spec);
  return { id: user.id, email: user.email, password: user.plainPassword! };
}

/** Logs in with a password (no second factor); the access token. */
export async function passwordLogin(
  app: FederatedApp,
  creds: { email: string; password: string },
): Promise<string> {
  const res = await request(app.url)
    .post('/auth/login')
    .send({ email: creds.email, password: creds.password });
  if (res.status !== 200 || !res.body.access_token)
    throw new Error(`login answered ${res.status}: ${res.text}`);
  return res.body.access_token as string;
}

/** A browser holding a cookie-mode session of the account (what `intent=link` starts from). */
export async function signedInBrowser(
  app: FederatedApp,
  creds: { email: string; password: string },
): Promise<TestBrowser> {
  const res = await request(app.url)
    .post('/auth/login')
    .set('X-Auth-Transport', 'cookie')
    .send({ email: creds.email, password: creds.password });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
  const browser = new TestBrowser();
  Object.assign(browser.cookies(app.url), cookiesOf(res).jar);
  return browser;
}

/** Audit rows of one type for one user (or all), oldest first. */
export function auditRows(
  app: FederatedApp,
  type: string,
  userId?: string,
): Promise<{ user_id: string | null; metadata: Record<string, unknown> }[]> {
  return queryDb(
    app.app.db.url,
    `SELECT user_id, metadata FROM audit_log
      WHERE type = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid) ORDER BY id`,
    [type, userId ?? null],
  );
}
