import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

/** The claims the stand-in vouches for at the next sign-ins (ID token and userinfo). */
export interface OidcUserClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** One mutation of the next ID token the stand-in signs. */
export type IdTokenTamper =
  | { kind: 'claims'; claims: Record<string, unknown> }
  | { kind: 'bad_signature' }
  | { kind: 'omit_claims'; claims: readonly string[] };

/** The endpoints, as Google's settings (GOOGLE_*) or discovery name them. */
export type OidcEndpoint = 'discovery' | 'authorize' | 'token' | 'userinfo' | 'jwks';

const PATHS: Record<OidcEndpoint, string> = {
  discovery: '/.well-known/openid-configuration',
  authorize: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
};

/**
 * A real OpenID Connect provider on 127.0.0.1 (oauth2-mock-server: discovery, JWKS, RS256
 * ID tokens, PKCE, the `nonce` of the authorization request echoed into the ID token), for the
 * generic provider and, through the GOOGLE_* endpoint settings, for Google. Tests steer the
 * next answers: who signs in, a denial, a tampered ID token, a failing or slow endpoint.
 */
export class OidcProviderStandIn {
  /** Who signs in at the next authorizations (until changed). */
  user: OidcUserClaims = {
    sub: 'oidc-user-1',
    email: 'ada@example.com',
    email_verified: true,
    name: 'Ada',
  };
  /** Query of every authorization request, in order. */
  readonly authorizationRequests: URLSearchParams[] = [];
  /** Form body of every token request that got past the stand-in's own checks, in order. */
  readonly tokenRequests: URLSearchParams[] = [];

  private denials: string[] = [];
  private idTokenTampers: IdTokenTamper[] = [];
  private tokenFailures: { status: number; body: Record<string, unknown> }[] = [];
  private readonly delays = new Map<string, number>();

  private readonly server: Server;
  private readonly service: OAuth2Service;
  private origin = '';

  private constructor(private readonly oauthIssuer: OAuth2Issuer) {
    this.service = new OAuth2Service(oauthIssuer);
    this.server = createServer((req, res) => this.handle(req, res));
    this.installHooks();
  }

  /** Starts on a free loopback port, with one RS256 signing key. */
  static async start(): Promise<OidcProviderStandIn> {
    const oauthIssuer = new OAuth2Issuer();
    await oauthIssuer.keys.generate('RS256');
    const standIn = new OidcProviderStandIn(oauthIssuer);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.origin = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    // oauth2-mock-server would say `localhost`, which may resolve to ::1; stay on 127.0.0.1.
    oauthIssuer.url = standIn.origin;
    return standIn;
  }

  /** The issuer identifier (also the discovery base). */
  get issuer(): string {
    return this.origin;
  }

  url(endpoint: OidcEndpoint): string {
    return `${this.issuer}${PATHS[endpoint]}`;
  }

  /** The GOOGLE_* settings that make the Google provider talk to this stand-in. */
  googleEnv(clientId = 'google-client', clientSecret = 'google-secret'): Record<string, string> {
    return {
      GOOGLE_CLIENT_ID: clientId,
      GOOGLE_CLIENT_SECRET: clientSecret,
      GOOGLE_AUTHORIZATION_URL: this.url('authorize'),
      GOOGLE_TOKEN_URL: this.url('token'),
      GOOGLE_USERINFO_URL: this.url('userinfo'),
      GOOGLE_ISSUER: this.issuer,
      GOOGLE_JWKS_URL: this.url('jwks'),
    };
  }

  /** The OIDC_* settings of a generic provider found by discovery here. */
  genericEnv(
    name = 'oidc',
    clientId = 'oidc-client',
    clientSecret = 'oidc-secret',
  ): Record<string, string> {
    return {
      OIDC_ISSUER: this.issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_NAME: name,
    };
  }

  /** The next authorization redirects back with `error` (default `access_denied`). */
  denyNext(error = 'access_denied'): void {
    this.denials.push(error);
  }

  /** The next ID token signed is altered this way. */
  tamperNextIdToken(tamper: IdTokenTamper): void {
    this.idTokenTampers.push(tamper);
  }

  /** The next token request is answered with this error. */
  failNextTokenRequest(
    status = 400,
    body: Record<string, unknown> = { error: 'invalid_grant' },
  ): void {
    this.tokenFailures.push({ status, body });
  }

  /** Every request to `endpoint` waits `ms` before it is answered (0 = no delay). */
  delay(endpoint: OidcEndpoint, ms: number): void {
    if (ms > 0) this.delays.set(PATHS[endpoint], ms);
    else this.delays.delete(PATHS[endpoint]);
  }

  /** Back to normal: no pending denial, tamper, failure or delay. */
  reset(): void {
    this.denials = [];
    this.idTokenTampers = [];
    this.tokenFailures = [];
    this.delays.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.issuer);
    if (url.pathname === PATHS.authorize) this.authorizationRequests.push(url.searchParams);
    const wait = this.delays.get(url.pathname) ?? 0;
    const serve = () => void this.service.requestHandler(req, res);
    if (wait > 0) setTimeout(() => (res.destroyed ? undefined : serve()), wait);
    else serve();
  }

  private installHooks(): void {
    this.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
      const error = this.denials.shift();
      if (!error) return;
      redirect.url.searchParams.delete('code');
      redirect.url.searchParams.set('error', error);
      redirect.url.searchParams.set('error_description', 'The user said no');
    });
    this.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
      // The ID token is the one without a `scope` (oauth2-mock-server puts it on access tokens).
      if ('scope' in token.payload) return;
      Object.assign(token.payload, this.user);
      const tamper = this.idTokenTampers[0];
      if (tamper?.kind === 'claims') {
        this.idTokenTampers.shift();
        Object.assign(token.payload, tamper.claims);
      } else if (tamper?.kind === 'omit_claims') {
        this.idTokenTampers.shift();
        for (const claim of tamper.claims) delete token.payload[claim];
      }
    });
    this.service.on(
      'beforeResponse',
      (
        response: { statusCode: number; body: Record<string, unknown> },
        req: { body?: Record<string, string> },
      ) => {
        this.tokenRequests.push(new URLSearchParams(req.body ?? {}));
        const failure = this.tokenFailures.shift();
        if (failure) {
          response.statusCode = failure.status;
          response.body = failure.body;
          return;
        }
        if (this.idTokenTampers[0]?.kind === 'bad_signature') {
          this.idTokenTampers.shift();
          response.body.id_token = withBrokenSignature(String(response.body.id_token));
        }
      },
    );
    this.service.on('beforeUserinfo', (response: { body: Record<string, unknown> }) => {
      response.body = { ...this.user };
    });
  }
}

/** The same JWT with one byte of its signature flipped. */
function withBrokenSignature(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[10] = bytes[10]! ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}
