import { Injectable } from '@nestjs/common';
import type { Clock } from '@identity/kernel';
import {
  type FederatedCallbackInput,
  FederatedCallbackHandler,
  type FederatedFailureInput,
  FederatedSignInHandler,
} from '@identity/federation';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { type Navigation, TestBrowser } from '../support/browser';
import { cookiesOf } from '../support/cookies';
import { UserFactory } from '../support/factories';
import { freePort } from '../support/ports';

/** The web app a sign-in returns to (allowed by FEDERATION_REDIRECT_ORIGINS; nothing runs there). */
export const CLIENT_APP = 'http://client.example.test';
/** Provider requests give up after this in the federation suites (stand-ins delay past it). */
export const PROVIDER_TIMEOUT_MS = 800;

/**
 * The platform's own sign-in handler, observed: every profile it is handed, every code it
 * returns and every failure it is told about are kept for the provider-layer suites to look
 * at. The rules themselves are the real ones (this only records, then calls them).
 */
@Injectable()
export class RecordingCallbackHandler extends FederatedSignInHandler {
  readonly handled: FederatedCallbackInput[] = [];
  readonly failures: FederatedFailureInput[] = [];
  readonly codes: string[] = [];

  override async handle(input: FederatedCallbackInput): Promise<{ code: string }> {
    this.handled.push(input);
    const result = await super.handle(input);
    this.codes.push(result.code);
    return result;
  }

  override async failed(input: FederatedFailureInput): Promise<void> {
    this.failures.push(input);
    await super.failed(input);
  }

  reset(): void {
    this.handled.length = 0;
    this.failures.length = 0;
    this.codes.length = 0;
  }
}

export interface FederationApp {
  app: TestApp;
  /** APP_URL (the app's own address, so providers can send the browser back). */
  url: string;
  handler: RecordingCallbackHandler;
  close(): Promise<void>;
}

/** The real app with the federation routes mounted and `env` (the stand-ins' settings). */
export async function startFederationApp(
  label: string,
  env: Record<string, string | undefined>,
  options: { clock?: Clock } = {},
): Promise<FederationApp> {
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
    federationHandler: RecordingCallbackHandler,
    clock: options.clock,
  });
  const handler = app.running.app.get(FederatedCallbackHandler, { strict: false });
  if (!(handler instanceof RecordingCallbackHandler)) throw new Error('handler not mounted');
  return { app, url, handler, close: () => app.close() };
}

/** The start URL of a sign-in with `provider`, returning to the client app by default. */
export function startUrl(
  app: FederationApp,
  provider: string,
  query: { redirect_to?: string; intent?: string } = { redirect_to: `${CLIENT_APP}/signed-in` },
): string {
  const url = new URL(`/auth/oidc/${provider}`, app.url);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** A whole round trip in `browser`: start, provider, callback, back to the client app. */
export function signIn(
  browser: TestBrowser,
  app: FederationApp,
  provider: string,
  query?: { redirect_to?: string; intent?: string },
): Promise<Navigation> {
  return browser.navigate(startUrl(app, provider, query), { stopAt: [CLIENT_APP] });
}

/** The round trip up to the provider's redirect back (the callback URL, not yet visited). */
export async function untilCallback(
  browser: TestBrowser,
  app: FederationApp,
  provider: string,
): Promise<URL> {
  const nav = await browser.navigate(startUrl(app, provider), { stopAt: [app.url] });
  if (!nav.final.pathname.endsWith(`/auth/oidc/${provider}/callback`))
    throw new Error(`did not reach the callback: ${nav.final.href}`);
  return nav.final;
}

/** What the client app was handed: `code` or `error`, from where the browser ended. */
export function landing(nav: Navigation): { code: string | null; error: string | null; url: URL } {
  return {
    code: nav.final.searchParams.get('code'),
    error: nav.final.searchParams.get('error'),
    url: nav.final,
  };
}

/** No step of the navigation was answered with a server error. */
export function expectNoServerError(nav: Navigation): void {
  expect(nav.steps.filter((s) => s.status >= 500)).toEqual([]);
}

/**
 * A browser signed in (cookie mode, as the web UI is) to a fresh verified account with a
 * password: what starting `intent=link` needs.
 */
export async function signedInBrowser(
  app: FederationApp,
): Promise<{ browser: TestBrowser; user: { id: string; email: string; password: string } }> {
  const created = await new UserFactory(app.app.running.app).create();
  const user = { id: created.id, email: created.email, password: created.plainPassword! };
  const res = await request(app.url)
    .post('/auth/login')
    .set('X-Auth-Transport', 'cookie')
    .send({ email: user.email, password: user.password });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
  const browser = new TestBrowser();
  Object.assign(browser.cookies(app.url), cookiesOf(res).jar);
  return { browser, user };
}

export { TestBrowser };
